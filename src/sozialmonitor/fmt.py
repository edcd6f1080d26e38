"""Number and date formatting for users: German (1.234,5) by default, English on request."""

from __future__ import annotations

import math


def number(value: float | int | None, decimals: int = 1, lang: str = "de", missing: str = "–") -> str:
    """Format a number with thousands separators; German: ``1.234,5``, English: ``1,234.5``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    text = f"{value:,.{decimals}f}"
    if lang == "de":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def percent(value: float | None, decimals: int = 1, lang: str = "de") -> str:
    """``12,5 %`` (German, with a narrow space) or ``12.5%`` (English)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{number(value, decimals, lang)}\u202f%" if lang == "de" else f"{number(value, decimals, lang)}%"


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
