"""Number and date formatting for users: German (1.234,5) by default, English on request.

Also the one place that makes text safe for spreadsheets (:func:`safe_cell`, :func:`safe_frame`) and that
formats an indicator value with its unit (:func:`indicator_value`), for the web app and the report alike.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    import pandas as pd

_T = TypeVar("_T")

MISSING = "–"
COUNT_UNITS = frozenset({"", "anzahl", "count", "personen", "persons"})
"""Units printed without a unit (compared in lower case): a count is just a number."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel, LibreOffice or Google Sheets read a text cell as a formula (OWASP)."""


def is_missing(value: object) -> bool:
    """None, NaN, ``pd.NA`` and anything that is not a number."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def _decimal(value: float | int, decimals: int) -> Decimal:
    """``value`` rounded half away from zero at its shortest decimal form (2.25 → 2.3, 2.675 → 2.68)."""
    exact = Decimal(int(value)) if isinstance(value, int) else Decimal(repr(float(value)))
    result = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(result) if result == 0 else result  # no "-0,0"


def rounded(value: float, decimals: int) -> float:
    """The value as :func:`number` shows it (half away from zero: 0.125 → 0.13, −2.25 → −2.3)."""
    if not math.isfinite(value):
        return value
    try:
        return float(_decimal(value, decimals))
    except InvalidOperation:  # more digits than the decimal context holds
        return round(value, decimals)


def number(value: float | int | None, decimals: int = 1, lang: str = "de", missing: str = MISSING) -> str:
    """Format a number with thousands separators; German: ``1.234,5``, English: ``1,234.5``.

    Rounded half away from zero (kaufmännisch) at the number's shortest decimal form, so ``2,25`` gives
    ``2,3`` and ``-0,04`` gives ``0,0``, in every place that shows a number.
    """
    if value is None or is_missing(value):
        return missing
    try:
        text = f"{_decimal(value, decimals):,.{decimals}f}"
    except (InvalidOperation, OverflowError, ValueError):  # inf or too many digits
        text = f"{float(value):,.{decimals}f}"
    if lang == "de":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def percent(value: float | None, decimals: int = 1, lang: str = "de") -> str:
    """``12,5 %`` (German, with a narrow space) or ``12.5%`` (English)."""
    if value is None or is_missing(value):
        return MISSING
    return f"{number(value, decimals, lang)}\u202f%" if lang == "de" else f"{number(value, decimals, lang)}%"


def is_count_unit(unit: str | None) -> bool:
    """``Anzahl``, ``Personen``, ``count`` or no unit: the value is shown without a unit."""
    return (unit or "").strip().lower() in COUNT_UNITS


def indicator_value(
    value: float | int | None, decimals: int, unit: str | None, lang: str = "de", with_unit: bool = True
) -> str:
    """An indicator value for people: ``12,5 %`` / ``12.5%``, ``1.234`` (counts), ``3,1 je 1.000 Einwohner``.

    The web app and the report both call this, so a value reads the same everywhere; missing → ``–``.
    """
    if value is None or is_missing(value):
        return MISSING
    if with_unit and (unit or "").strip() == "%":
        return percent(value, decimals, lang)
    text = number(value, decimals, lang)
    if not with_unit or is_count_unit(unit):
        return text
    return f"{text} {unit}"


def plain_decimal(value: float | None, decimal_comma: bool, decimals: int | None = None) -> str:
    """A number for CSV files: no thousands separator, optional decimal comma, empty if missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if decimals is None:
        text = repr(float(value))
        if text.endswith(".0"):
            text = text[:-2]
    else:
        text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if decimal_comma else text


@overload
def safe_cell(value: str) -> str: ...
@overload
def safe_cell(value: _T) -> _T: ...
def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading ``'`` (OWASP CSV injection).

    Only strings starting with ``= + - @``, tab or carriage return change; numbers (also negative ones),
    dates and missing values are returned as they are.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with :func:`safe_cell` applied to every text column and to the column headers.

    Every CSV, XLSX and GeoJSON written for people goes through this (or :func:`safe_cell`); numeric
    columns keep their type, so negative numbers stay numbers.
    """
    import pandas as pd

    out = df.copy()
    for i, dtype in enumerate(out.dtypes):
        if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype | pd.CategoricalDtype):
            out.isetitem(i, out.iloc[:, i].astype(object).map(safe_cell).to_numpy())
    out.columns = pd.Index([safe_cell(c) for c in out.columns])
    return out
