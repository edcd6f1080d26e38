"""One number formatter: the web app and the report write an indicator value with the same text."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from sozialmonitor.fmt import indicator_value, is_count_unit, number, percent, rounded
from sozialmonitor.indicators.catalogue import IndicatorDef, load_catalogue
from sozialmonitor.report.text import fmt_value as report_value
from sozialmonitor.web.queries import fmt_value as web_value

BASE = IndicatorDef(key="x", name_de="X", name_en="X", theme="t", numerator=("a",), denominator=("b",))
NNBSP = "\u202f"

# (value, decimals, unit, lang, expected)
CASES = [
    (12.345, 1, "%", "de", f"12,3{NNBSP}%"),
    (12.345, 1, "%", "en", "12.3%"),
    (2.25, 1, "%", "de", f"2,3{NNBSP}%"),  # half away from zero, not to even
    (2.35, 1, "%", "en", "2.4%"),
    (0.125, 2, "%", "de", f"0,13{NNBSP}%"),
    (2.675, 2, "je 1.000 Einwohner", "de", "2,68 je 1.000 Einwohner"),  # binary 2.67499…: still 2,68
    (-2.25, 1, "%", "de", f"-2,3{NNBSP}%"),
    (-0.04, 1, "%", "de", f"0,0{NNBSP}%"),  # no "-0,0"
    (1234567.89, 1, "je 1.000 Einwohner", "de", "1.234.567,9 je 1.000 Einwohner"),
    (1234567.89, 1, "ha", "en", "1,234,567.9 ha"),
    (108722, 0, "Anzahl", "de", "108.722"),
    (108722, 0, "Personen", "de", "108.722"),
    (108722.5, 0, "count", "en", "108,723"),
    (1234.5, 0, "", "de", "1.235"),
    (3.14159, 2, "Einwohner je km²", "de", "3,14 Einwohner je km²"),
    (None, 1, "%", "de", "–"),
    (math.nan, 1, "%", "de", "–"),
    (math.nan, 1, "je 1.000", "en", "–"),
    (np.float64(7.05), 1, "%", "de", f"7,1{NNBSP}%"),
    (np.int64(1500), 0, "Anzahl", "en", "1,500"),
]


@pytest.mark.parametrize(("value", "decimals", "unit", "lang", "expected"), CASES)
def test_web_and_report_write_the_same_text(
    value: float | None, decimals: int, unit: str, lang: str, expected: str
) -> None:
    d = dataclasses.replace(BASE, unit=unit, decimals=decimals)
    assert indicator_value(value, decimals, unit, lang) == expected
    assert web_value(value, d, lang) == expected
    assert report_value(value, d, lang) == expected


@pytest.mark.parametrize(("value", "decimals", "unit", "lang", "expected"), CASES)
def test_without_unit_is_the_bare_number(
    value: float | None, decimals: int, unit: str, lang: str, expected: str
) -> None:
    d = dataclasses.replace(BASE, unit=unit, decimals=decimals)
    bare = number(value, decimals, lang)
    assert indicator_value(value, decimals, unit, lang, with_unit=False) == bare
    assert web_value(value, d, lang, with_unit=False) == bare
    assert report_value(value, d, lang, with_unit=False) == bare
    assert expected.startswith(bare)


def test_every_catalogue_indicator_reads_the_same_on_web_and_in_report() -> None:
    for d in load_catalogue():
        for value in (0.05, 12.345, 1234567.85, -3.25, None):
            for lang in ("de", "en"):
                assert web_value(value, d, lang) == report_value(value, d, lang), (d.key, value, lang)


def test_count_units() -> None:
    assert all(is_count_unit(u) for u in ("Anzahl", "anzahl", "Personen", "count", "", None, " Anzahl "))
    assert not any(is_count_unit(u) for u in ("%", "ha", "Personen je Haushalt", "je 1.000 Einwohner"))


def test_number_rounding_and_separators() -> None:
    assert number(1234567.85, 1) == "1.234.567,9"
    assert number(1234567.85, 1, "en") == "1,234,567.9"
    assert number(0.5, 0) == "1" and number(1.5, 0) == "2" and number(2.5, 0) == "3"
    assert number(-2.5, 0) == "-3"
    assert number(float("inf"), 1) == "inf"
    assert number(None, 1, missing="") == ""
    assert percent(math.nan) == "–"
    assert rounded(2.25, 1) == 2.3 and rounded(-2.25, 1) == -2.3 and rounded(2.675, 2) == 2.68
    assert rounded(-0.04, 1) == 0.0 and math.copysign(1, rounded(-0.04, 1)) == 1
