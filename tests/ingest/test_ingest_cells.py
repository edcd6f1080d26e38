from __future__ import annotations

import datetime as dt
import math

import pytest

from sozialmonitor.ingest.cells import (
    DEFAULT_MARKERS,
    decide_decimal,
    normalise_key,
    number_evidence,
    parse_date,
    parse_number,
    parse_value,
)


@pytest.mark.parametrize(
    ("token", "decimal", "expected"),
    [
        ("1.234,5", ",", 1234.5),
        ("1.234", ",", 1234.0),
        ("12,5", ",", 12.5),
        ("1\u00a0234", ",", 1234.0),
        ("1\u202f234\u202f567", ",", 1234567.0),
        ("1 234,75", ",", 1234.75),
        ("-1.234", ",", -1234.0),
        ("1,234.5", ".", 1234.5),
        ("1,234", ".", 1234.0),
        ("456.95", ".", 456.95),
        ("12,5 %", ",", 12.5),
        ("1.5e3", ".", 1500.0),
        ("12.5", ",", None),
        ("1.23.4", ",", None),
        ("abc", ",", None),
    ],
)
def test_parse_number(token: str, decimal: str, expected: float | None) -> None:
    assert parse_number(token, decimal) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("token", "evidence"),
    [
        ("1.234,5", ","),
        ("1,234.5", "."),
        ("12,5", ","),
        ("0,125", ","),
        ("1234,567", ","),
        ("456.95", "."),
        ("1.234.567", ","),
        ("1,234,567", "."),
        ("1.234", "ambiguous"),
        ("1,234", "ambiguous"),
        ("1234", None),
        (".", None),
        ("(12,5)", ","),
    ],
)
def test_number_evidence(token: str, evidence: str | None) -> None:
    assert number_evidence(token) == evidence


def test_decide_decimal_uses_file_evidence_and_delimiter_default() -> None:
    assert decide_decimal(["1.234", "12,5"], comma_delimited=False) == ","
    assert decide_decimal(["1,234", "3.75"], comma_delimited=True) == "."
    # only ambiguous cells: German notation, except in comma-separated files
    assert decide_decimal(["1.234", "15"], comma_delimited=False) == ","
    assert decide_decimal(["1.234", "15"], comma_delimited=True) == "."


@pytest.mark.parametrize(
    ("raw", "value", "status"),
    [
        ("-", 0.0, "ok"),
        ("–", 0.0, "ok"),
        (".", math.nan, "suppressed"),
        ("/", math.nan, "suppressed"),
        ("*", math.nan, "suppressed"),
        ("()", math.nan, "suppressed"),
        ("x", math.nan, "missing"),
        ("X", math.nan, "missing"),
        ("...", math.nan, "missing"),
        ("…", math.nan, "missing"),
        ("", math.nan, "missing"),
        ("  ", math.nan, "missing"),
        (None, math.nan, "missing"),
        ("(12)", 12.0, "estimated"),
        ("(3)", 3.0, "estimated"),
        ("(1.234,5)", 1234.5, "estimated"),
        ("120 s", 120.0, "estimated"),
        ("120 p", 120.0, "ok"),
        ("120r", 120.0, "ok"),
        (17, 17.0, "ok"),
        (17.5, 17.5, "ok"),
        ("17", 17.0, "ok"),
    ],
)
def test_every_mark_maps_to_status(raw: object, value: float, status: str) -> None:
    result = parse_value(raw, ",", DEFAULT_MARKERS)
    assert result is not None
    got_value, got_status = result
    assert got_status == status
    assert (math.isnan(got_value) and math.isnan(value)) or got_value == value


def test_parse_value_rejects_garbage() -> None:
    assert parse_value("zwölf", ",", DEFAULT_MARKERS) is None
    assert parse_value("(abc)", ",", DEFAULT_MARKERS) is None
    assert parse_value(True, ",", DEFAULT_MARKERS) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (2017, dt.date(2017, 12, 31)),
        ("2017", dt.date(2017, 12, 31)),
        (2017.0, dt.date(2017, 12, 31)),
        ("31.12.2017", dt.date(2017, 12, 31)),
        ("1.3.2017", dt.date(2017, 3, 1)),
        ("2017-12-31", dt.date(2017, 12, 31)),
        ("2017-12-31 00:00:00", dt.date(2017, 12, 31)),
        (dt.datetime(2017, 12, 31, 0, 0), dt.date(2017, 12, 31)),
        ("31.13.2017", None),
        ("20177", None),
        ("Jahr", None),
        (None, None),
    ],
)
def test_parse_date(raw: object, expected: dt.date | None) -> None:
    assert parse_date(raw, 12, 31) == expected


def test_parse_date_reference_day() -> None:
    assert parse_date(2017, 3, 31) == dt.date(2017, 3, 31)
    assert parse_date(2017, 2, 29) == dt.date(2017, 2, 28)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (" 11 ", "11"),
        ("11.0", "11"),
        (11.0, "11"),
        (11, "11"),
        ("011", "011"),
        ("01100101", "01100101"),
        (None, ""),
    ],
)
def test_normalise_key(raw: object, key: str) -> None:
    assert normalise_key(raw) == key
