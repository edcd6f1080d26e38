"""Spreadsheets as statistics offices publish them: group headings over merged cells, a description row
under the header, totals rows among the areas, keys in another form than the geometry's.

The fixtures are small copies of real layouts (Hamburg "Stadtteil-Profile", Stuttgart "Stadtbezirke",
Berlin "Einwohnerregister" tables): what matters is their shape, not their numbers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from sozialmonitor.errors import ConfigError
from sozialmonitor.ingest import read_table
from sozialmonitor.ingest.mapping import mapping_from_dict

from .conftest import problems_of

D = dt.date(2023, 12, 31)


def _values(df: object) -> dict[tuple[str, str], float]:
    return {(r.unit_key, r.variable): r.value for r in df.itertuples()}  # type: ignore[attr-defined]


def _hamburg(path: Path) -> Path:
    """Title, a group-heading row with merged cells, the header, a units row, areas and totals rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Stadtteil-Profile 2023 – Bevölkerung"])
    ws.append([])
    ws.append(["Stadtteil", "Bezirk", "Bevölkerung", None, None, "Ausländer"])
    ws.append([None, None, "insgesamt", "männlich", "weiblich", "insgesamt"])
    ws.append([None, None, "Anzahl", "Anzahl", "Anzahl", "Anzahl"])
    ws.append(["Eimsbüttel", "Eimsbüttel", 58_000, 28_000, 30_000, 9_000])
    ws.append(["Rotherbaum", "Eimsbüttel", 16_000, 7_800, 8_200, 3_100])
    ws.append(["Bezirk Eimsbüttel", None, 74_000, 35_800, 38_200, 12_100])
    ws.append(["Hamburg insgesamt", None, 74_000, 35_800, 38_200, 12_100])
    ws.append(["Quelle: Statistikamt Nord"])
    ws.merge_cells("C3:E3")  # "Bevölkerung" over three columns
    ws.merge_cells("A3:A5")  # the key column's name merged down
    ws.merge_cells("B3:B5")
    wb.save(path)
    return path


HAMBURG = {
    "unit_column": "Stadtteil",
    "name_column": "Bezirk",
    "date": "2023",
    "header_row": 3,
    "header_rows": 2,
    "skip_rows": 1,
    "total_rows": "(Bezirk .*|.* insgesamt)",
    "variables": {
        "Bevölkerung insgesamt": "residents_main",
        "Bevölkerung männlich": "residents_male",
        "Bevölkerung weiblich": "residents_female",
        "Ausländer insgesamt": "residents_foreign",
    },
}


def test_group_headings_merged_cells_units_row_and_totals(tmp_path: Path) -> None:
    df = read_table(_hamburg(tmp_path / "hamburg.xlsx"), mapping_from_dict(HAMBURG))
    got = _values(df)
    assert sorted({k for k, _ in got}) == ["Eimsbüttel", "Rotherbaum"]  # totals rows kept apart
    assert got[("Eimsbüttel", "residents_main")] == 58_000
    assert got[("Rotherbaum", "residents_female")] == 8_200
    assert got[("Rotherbaum", "residents_foreign")] == 3_100
    assert set(df["ref_date"]) == {D}
    assert df.attrs["total_rows"] == 2


def test_without_skipping_the_units_row_it_is_reported_as_a_bad_row(tmp_path: Path) -> None:
    problems = problems_of(
        _hamburg(tmp_path / "hamburg.xlsx"), mapping_from_dict({**HAMBURG, "skip_rows": 0})
    )
    assert [p.row for p in problems] == [5]  # the row "Anzahl | Anzahl …" has no area key


def test_a_totals_row_that_shares_a_name_with_an_area_is_not_the_area(tmp_path: Path) -> None:
    """Without total_rows, "Bezirk Eimsbüttel" would be an unknown area; with it the area "Eimsbüttel" is
    imported once, with its own value."""
    problems = problems_of(
        _hamburg(tmp_path / "hamburg.xlsx"),
        mapping_from_dict({**HAMBURG, "total_rows": None, "key_transform": {"strip_prefix": "Bezirk "}}),
    )
    # stripping the prefix makes the totals row a second "Eimsbüttel": refused as a duplicate
    assert any("doppelt" in p.expected_de or "nur einmal" in p.expected_de for p in problems)


def _stuttgart(path: Path) -> Path:
    path.write_text(
        "Stadtbezirk;Name;Einwohner\nSTGT01;Mitte;23.000\nSTGT02;Nord;28.000\nSTGT10;Feuerbach;31.000\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("transform", "keys"),
    [
        ({"strip_prefix": "STGT"}, ["01", "02", "10"]),
        ({"strip_prefix": "STGT", "regex": "0*(\\d+)"}, ["1", "10", "2"]),  # geometry keys 1, 2, 10
        ({"regex": "(\\d+)$", "zero_pad": 3}, ["001", "002", "010"]),
        ({"lookup": {"STGT01": "M"}, "strip_prefix": "STGT"}, ["02", "10", "M"]),
    ],
    ids=["strip-prefix", "strip-leading-zeros", "zero-pad", "lookup"],
)
def test_key_transforms(tmp_path: Path, transform: dict[str, object], keys: list[str]) -> None:
    mapping = mapping_from_dict(
        {
            "unit_column": "Stadtbezirk",
            "name_column": "Name",
            "date": "2023",
            "variables": {"Einwohner": "residents_main"},
            "key_transform": transform,
        }
    )
    df = read_table(_stuttgart(tmp_path / "stuttgart.csv"), mapping)
    assert sorted(set(df["unit_key"])) == keys


def test_leading_zeros_lost_by_excel_are_restored(tmp_path: Path) -> None:
    """Excel turned the Berlin Bezirk keys 01…12 into numbers 1…12; the geometry has "01"."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Bezirk", "Einwohner"])
    for key, n in ((1, 397_004), (2, 292_624), (12, 270_000)):
        ws.append([key, n])
    wb.save(tmp_path / "bezirke.xlsx")
    mapping = mapping_from_dict(
        {"unit_column": "Bezirk", "date": "2024", "variables": {"Einwohner": "residents_main"}}
        | {"key_transform": {"zero_pad": 2}}
    )
    df = read_table(tmp_path / "bezirke.xlsx", mapping)
    assert sorted(df["unit_key"]) == ["01", "02", "12"]


def test_a_formula_without_a_stored_result_is_named_not_stored_as_missing(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["key", "jahr", "Einwohner"])
    ws.append(["1", 2023, 500])
    ws.append(["2", 2023, "=C2*2"])  # written by a program: no cached result in the file
    wb.save(tmp_path / "formel.xlsx")
    mapping = mapping_from_dict(
        {"unit_column": "key", "date_column": "jahr", "variables": {"Einwohner": "x"}}
    )
    problems = problems_of(tmp_path / "formel.xlsx", mapping)
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "C", "=C2*2")]
    assert "Formel" in problems[0].expected_de and "formula" in problems[0].expected_en


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"header_rows": 0}, "header_rows"),
        ({"skip_rows": -1}, "skip_rows"),
        ({"total_rows": "(unclosed"}, "total_rows"),
        ({"key_transform": {"strip": "x"}}, "key_transform"),
        ({"key_transform": {"regex": "\\d+"}}, "Gruppe"),
        ({"key_transform": {"zero_pad": "zwei"}}, "zero_pad"),
    ],
)
def test_bad_layout_options_are_refused(bad: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        mapping_from_dict({"unit_column": "k", "date": "2023", "variables": {"a": "b"}, **bad})
