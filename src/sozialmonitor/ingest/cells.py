"""Parsing single cells: numbers in German and English notation, statistics marks, dates, unit keys.

Marks (Zeichenerklärung) follow the convention of German official statistics (Destatis / GENESIS,
Statistische Landesämter), extended by the marks of the Bundesagentur für Arbeit:

==========  ============================================================  ==================
mark        meaning in official statistics                                status (value)
==========  ============================================================  ==================
``-``       nichts vorhanden (genau null)                                 ok (0)
``–`` ``—`` typographic dash, same as ``-``                               ok (0)
``.``       Zahlenwert unbekannt oder geheim zu halten                    suppressed (NaN)
``/``       keine Angabe, da Zahlenwert nicht sicher genug                suppressed (NaN)
``*``       anonymisiert (Bundesagentur für Arbeit, Geheimhaltung)        suppressed (NaN)
``()``      Aussagewert eingeschränkt, kein Wert angegeben                suppressed (NaN)
``x`` ``X`` Tabellenfach gesperrt, weil Aussage nicht sinnvoll            missing (NaN)
``...``     Angabe fällt später an                                        missing (NaN)
``…``       same as ``...``                                               missing (NaN)
``k.A.``    keine Angabe                                                  missing (NaN)
empty       no value                                                      missing (NaN)
``(12)``    Aussagewert eingeschränkt (statistisch relativ unsicher)      estimated (12)
``12 s``    geschätzt                                                     estimated (12)
``12 p``    vorläufig; ``12 r`` berichtigt                                ok (12)
==========  ============================================================  ==================

This deliberately differs from the "everything is suppressed" reading of these marks: ``-`` is a true
zero, ``x`` and ``...`` mean "no value exists (yet)", not "hidden for confidentiality". A mapping can change
or add marks with ``markers:`` (meaning ``zero``, ``suppressed`` or ``missing``).

Decimal separator (``decimal: auto``) is decided once per file from the evidence of all its text cells:

* a cell with both separators settles it: the one that comes last is the decimal (``1.234,5``,
  ``1,234.5``); so does a separator that is not followed by exactly three digits (``12,5``, ``456.95``),
  a leading zero before it (``0,125``) or more than three digits before it (``1234,5``), or more than one
  group of three (``1.234.567`` → thousands dots → decimal comma);
* if the file has only ambiguous cells such as ``1.234`` or ``1,234``, German notation (decimal comma) is
  used, except for a comma-separated CSV file, where an unquoted decimal comma is impossible and the
  producer therefore most likely uses the decimal point;
* the majority of evidence wins; cells that contradict it are reported as not a number.

Spaces, no-break spaces (U+00A0), narrow no-break spaces (U+202F), thin spaces and apostrophes between
digits are thousands separators. A trailing ``%`` is accepted and ignored (the value stays as written).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Literal

DEFAULT_MARKERS: dict[str, str] = {
    "-": "zero",
    "–": "zero",
    "—": "zero",
    ".": "suppressed",
    "/": "suppressed",
    "*": "suppressed",
    "()": "suppressed",
    "( )": "suppressed",
    "x": "missing",
    "X": "missing",
    "...": "missing",
    "…": "missing",
    "k.A.": "missing",
    "k. A.": "missing",
}
MARKER_OUTCOMES: tuple[str, ...] = ("zero", "suppressed", "missing")

Decimal = Literal[",", "."]

_SPACES = re.compile(r"[ \u00a0\u202f\u2009\u2007']")
_NUM = {
    ",": re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?"),
    ".": re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"),
}
_FLAG = re.compile(r"(.*?\d)\s*([prs])", re.IGNORECASE)
_PAREN = re.compile(r"\((.*)\)")


def _clean(token: str) -> str:
    return _SPACES.sub("", token.strip())


def _strip_sign(token: str) -> tuple[float, str]:
    if token[:1] in ("-", "−", "–"):
        return -1.0, token[1:]
    if token[:1] == "+":
        return 1.0, token[1:]
    return 1.0, token


def parse_number(token: str, decimal: Decimal) -> float | None:
    """A plain number in the given notation, or None. ``token`` must not be a mark."""
    t = _clean(token)
    if t.endswith("%"):
        t = t[:-1]
    sign, t = _strip_sign(t)
    if not t:
        return None
    m = _NUM[decimal].fullmatch(t)
    if m is None:
        if decimal == "." and re.fullmatch(r"\d+(?:\.\d*)?[eE][+-]?\d+", t):
            return sign * float(t)
        return None
    whole = m.group(1).replace("." if decimal == "," else ",", "")
    frac = m.group(2)
    return sign * float(f"{whole}.{frac}" if frac else whole)


def number_evidence(token: str) -> str | None:
    """Which decimal separator a text cell proves: ``","``, ``"."``, ``"ambiguous"`` or None."""
    t = _clean(token)
    m = _PAREN.fullmatch(t)
    if m:
        t = m.group(1)
    m = _FLAG.fullmatch(t)
    if m:
        t = m.group(1)
    t = t.rstrip("%").lstrip("+-−–")
    if not t or not re.fullmatch(r"[\d.,]+", t) or not t[0].isdigit():
        return None
    has_dot, has_comma = "." in t, "," in t
    if has_dot and has_comma:
        return "," if t.rfind(",") > t.rfind(".") else "."
    if not (has_dot or has_comma):
        return None
    sep = "." if has_dot else ","
    other = "," if sep == "." else "."
    parts = t.split(sep)
    if len(parts) > 2:  # 1.234.567: several groups → thousands separator
        return other if all(len(p) == 3 for p in parts[1:]) else None
    head, tail = parts
    if len(tail) == 3 and 1 <= len(head) <= 3 and head[0] != "0":
        return "ambiguous"
    return sep


def decide_decimal(tokens: list[str], comma_delimited: bool) -> Decimal:
    """File-level decimal separator from the evidence of all text cells (see module docstring)."""
    votes = {",": 0, ".": 0}
    for token in tokens:
        ev = number_evidence(token)
        if ev in votes:
            votes[ev] += 1
    if votes[","] or votes["."]:
        return "," if votes[","] >= votes["."] else "."
    return "." if comma_delimited else ","


def parse_value(raw: object, decimal: Decimal, markers: dict[str, str]) -> tuple[float, str] | None:
    """(value, status) of a value cell, or None if it is neither a number nor a known mark."""
    if raw is None:
        return math.nan, "missing"
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and math.isnan(raw):
            return math.nan, "missing"
        return float(raw), "ok"
    if not isinstance(raw, str):
        return None
    token = raw.strip().replace("\u00a0", " ")
    if not token:
        return math.nan, "missing"
    outcome = markers.get(token)
    if outcome is not None:
        if outcome == "zero":
            return 0.0, "ok"
        return math.nan, outcome
    value = parse_number(token, decimal)
    if value is not None:
        return value, "ok"
    m = _PAREN.fullmatch(token)
    if m:
        inner = parse_number(m.group(1), decimal)
        return None if inner is None else (inner, "estimated")
    m = _FLAG.fullmatch(token)
    if m:
        inner = parse_number(m.group(1), decimal)
        if inner is None:
            return None
        return inner, "estimated" if m.group(2).lower() == "s" else "ok"
    return None


_DE_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_YEAR = re.compile(r"(\d{4})(?:\.0+)?")


def parse_date(raw: object, month: int, day: int) -> dt.date | None:
    """A reference date from 2017 (→ the reference day of that year), 31.12.2017, 2017-12-31 or a date."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    year: int | None = None
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, (int, float)):
        if float(raw).is_integer():
            year = int(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        try:
            if m := _DE_DATE.fullmatch(text):
                return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            if m := _ISO_DATE.fullmatch(text):
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
        if m := _YEAR.fullmatch(text):
            year = int(m.group(1))
    if year is None or not 1800 <= year <= 2200:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:  # 29 February in a non-leap year
        return dt.date(year, month, 28)


_INT_FLOAT = re.compile(r"(\d+)\.0+")


def normalise_key(raw: object) -> str:
    """Unit key as text: stripped; ``11.0`` (a number from Excel) becomes ``11``; leading zeros are kept."""
    if raw is None:
        return ""
    if isinstance(raw, float):
        if math.isnan(raw):
            return ""
        if raw.is_integer():
            return str(int(raw))
        return repr(raw)
    text = str(raw).strip()
    m = _INT_FLOAT.fullmatch(text)
    return m.group(1) if m else text
