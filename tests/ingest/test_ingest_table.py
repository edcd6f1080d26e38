"""Every bad input of a table import: the exact problem, located by file, row and column."""

from __future__ import annotations

import codecs
import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from sozialmonitor.ingest import OUTPUT_COLUMNS, TableMapping, load_mapping, read_table, validate_units

from .conftest import DATA, only_problem, problems_of, simple_mapping

Write = Callable[..., Path]
GOOD = "key;jahr;Einwohner;Größe\n11;2017;1.234;12,5\n12;2017;567;3,25\n"


def test_jena_excerpt_wide_layout() -> None:
    mapping = load_mapping(DATA / "jena_t4.yaml")
    df = read_table(DATA / "jena_t4_excerpt.csv", mapping)
    assert list(df.columns) == list(OUTPUT_COLUMNS)
    assert len(df) == 6 * 3
    row = df[
        (df.unit_key == "21") & (df.variable == "residents_main") & (df.ref_date == dt.date(2017, 12, 31))
    ]
    assert row.value.tolist() == [575.0]
    assert row.source_row.tolist() == [7]
    assert row.source_column.tolist() == ["Einwohner (Hauptwohnung) insgesamt"]
    assert set(df.status) == {"ok"}
    assert df.attrs["unit_column"] == "statbez_id"


def test_jena_katasterflaeche_decimal_point() -> None:
    mapping = TableMapping(
        unit_column="statbez_id",
        date_column="jahr",
        variables={"Katasterfläche insgesamt": "area_ha"},
        non_count_variables=["area_ha"],
        ignore_unmapped=True,
    )
    df = read_table(DATA / "jena_t8_excerpt.csv", mapping)
    assert df.value.tolist() == [456.95, 145.33]


def test_cp1252_file_parses_with_umlauts(write: Write) -> None:
    text = "key;jahr;Einwohner;Größe\n11;2017;10;1,5\n"
    path = write(text.replace("key;", "key;"), encoding="cp1252")
    assert "ö".encode("cp1252") in path.read_bytes()
    df = read_table(path, simple_mapping(name_column="Ortsteil"))
    assert sorted(df.variable) == ["area", "residents"]
    assert df.attrs["encoding"] == "cp1252"
    assert df.set_index("variable").loc["area", "source_column"] == "Größe"


def test_cp1252_unit_names_in_name_column(write: Write) -> None:
    path = write("key;Name;jahr;Einwohner;Größe\n11;Ortsteil Zwätzen;2017;10;1,5\n", encoding="cp1252")
    df = read_table(path, simple_mapping(name_column="Name"))
    assert df.value.tolist() == [10.0, 1.5]


def test_latin1_file_parses(write: Write) -> None:
    path = write("key;jahr;Einwohner;Größe\n11;2017;10;1,5\n", encoding="latin-1")
    assert read_table(path, simple_mapping()).value.tolist() == [10.0, 1.5]


def test_utf8_bom_does_not_pollute_first_header(write: Write) -> None:
    path = write(codecs.BOM_UTF8 + GOOD.encode())
    df = read_table(path, simple_mapping())
    assert df.attrs["unit_column"] == "key"
    assert df.attrs["encoding"] == "utf-8-sig"
    assert len(df) == 4


def test_utf16_excel_unicode_text(write: Write) -> None:
    path = write(GOOD.replace(";", "\t").encode("utf-16"))
    df = read_table(path, simple_mapping())
    assert df.attrs["delimiter"] == "\t"
    assert df.value.tolist() == [1234.0, 12.5, 567.0, 3.25]


def test_semicolon_and_decimal_comma(write: Write) -> None:
    df = read_table(write(GOOD), simple_mapping())
    assert df.attrs["delimiter"] == ";"
    assert df.attrs["decimal"] == ","
    assert df.value.tolist() == [1234.0, 12.5, 567.0, 3.25]


def test_thousands_separators(write: Write) -> None:
    text = (
        "key;jahr;Einwohner;Größe\n"
        "11;2017;1\u00a0234;1.234,5\n"
        "12;2017;1\u202f234\u202f567;0,5\n"
        "13;2017;12 345;7\n"
    )
    df = read_table(write(text), simple_mapping())
    assert df.value.tolist() == [1234.0, 1234.5, 1234567.0, 0.5, 12345.0, 7.0]


def test_comma_delimited_file_with_decimal_point_and_thousands_commas(write: Write) -> None:
    text = 'key,jahr,Einwohner,Größe\n11,2017,"1,234",12.5\n12,2017,"1,234,567",0.75\n'
    df = read_table(write(text), simple_mapping())
    assert df.attrs["decimal"] == "."
    assert df.value.tolist() == [1234.0, 12.5, 1234567.0, 0.75]


def test_explicit_decimal_overrides_detection(write: Write) -> None:
    text = "key;jahr;Einwohner;Größe\n11;2017;1.234;1.5\n"
    df = read_table(write(text), simple_mapping(decimal="."))
    assert df.value.tolist() == [1.234, 1.5]


@pytest.mark.parametrize(
    ("mark", "status", "value"),
    [
        (".", "suppressed", math.nan),
        ("-", "ok", 0.0),
        ("–", "ok", 0.0),
        ("*", "suppressed", math.nan),
        ("x", "missing", math.nan),
        ("X", "missing", math.nan),
        ("()", "suppressed", math.nan),
        ("(3)", "estimated", 3.0),
        ("/", "suppressed", math.nan),
        ("…", "missing", math.nan),
        ("...", "missing", math.nan),
        ("", "missing", math.nan),
    ],
)
def test_every_suppression_mark_in_a_file(write: Write, mark: str, status: str, value: float) -> None:
    path = write(f"key;jahr;Einwohner\n11;2017;{mark}\n12;2017;5\n")
    df = read_table(path, simple_mapping(variables={"Einwohner": "residents"}))
    first = df.iloc[0]
    assert first.status == status
    assert (math.isnan(first.value) and math.isnan(value)) or first.value == value
    assert df.iloc[1].status == "ok"


def test_markers_can_be_changed_in_the_mapping(write: Write) -> None:
    path = write("key;jahr;Einwohner\n11;2017;x\n12;2017;k.A.\n13;2017;n.v.\n")
    mapping = simple_mapping(
        variables={"Einwohner": "residents"}, markers={"x": "suppressed", "n.v.": "missing"}
    )
    assert read_table(path, mapping).status.tolist() == ["suppressed", "missing", "missing"]


def test_unknown_district_keys_via_validate_units(write: Write) -> None:
    df = read_table(write(GOOD + "99;2017;1;1\n"), simple_mapping())
    problems = validate_units(df, {"11", "12"}, "table.csv")
    assert len(problems) == 1
    p = problems[0]
    assert (p.file, p.row, p.column, p.value) == ("table.csv", 4, "key", "99")
    assert "bekannten Gebietsschlüssel" in p.message("de")
    assert "known unit key" in p.message("en")


def test_duplicate_rows_name_both_rows(write: Write) -> None:
    path = write(GOOD + "11;2017;5;1\n")
    problems = problems_of(path, simple_mapping())
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("table.csv", 4, "Einwohner"),
        ("table.csv", 4, "Größe"),
    ]
    assert problems[0].value == "11 / 31.12.2017 / residents"
    assert "doppelt mit Zeile 2" in problems[0].message("de")
    assert "duplicate of row 2" in problems[0].message("en")


def test_negative_counts(write: Write) -> None:
    path = write("key;jahr;Einwohner;Größe\n11;2017;-5;-1,5\n")
    p = only_problem(path, simple_mapping(non_count_variables=["area"]))
    assert (p.file, p.row, p.column, p.value) == ("table.csv", 2, "Einwohner", "-5")
    assert "Anzahl ≥ 0" in p.message("de")
    assert "count ≥ 0" in p.message("en")


def test_empty_file(write: Write) -> None:
    p = only_problem(write(b""), simple_mapping())
    assert (p.file, p.row, p.column) == ("table.csv", None, None)
    assert "Datei ist leer" in p.message("de")
    assert "file is empty" in p.message("en")


def test_header_only_file(write: Write) -> None:
    p = only_problem(write("key;jahr;Einwohner;Größe\n"), simple_mapping())
    assert (p.file, p.row, p.column) == ("table.csv", 1, None)
    assert "mindestens eine Datenzeile" in p.message("de")
    assert "at least one data row" in p.message("en")


def test_non_numeric_garbage_value(write: Write) -> None:
    path = write("key;jahr;Einwohner;Größe\n11;2017;12;3\n12;2017;zwölf;4\n")
    p = only_problem(path, simple_mapping())
    assert (p.file, p.row, p.column, p.value) == ("table.csv", 3, "Einwohner", "zwölf")
    assert "eine Zahl" in p.message("de")
    assert "a number" in p.message("en")


def test_all_problems_of_a_file_are_listed(write: Write) -> None:
    path = write("key;jahr;Einwohner;Größe\n11;2017;a;b\n12;2017;-1;c\n")
    rows_cols = [(p.row, p.column) for p in problems_of(path, simple_mapping())]
    assert rows_cols == [(2, "Einwohner"), (2, "Größe"), (3, "Größe"), (3, "Einwohner")]


def test_missing_unit_column(write: Write) -> None:
    path = write("bezirk;jahr;Einwohner;Größe\n11;2017;1;2\n")
    problems = problems_of(path, simple_mapping(ignore_unmapped=True))
    assert len(problems) == 1
    p = problems[0]
    assert (p.file, p.row, p.column) == ("table.csv", 1, "key")
    assert "unit_column" in p.message("de") and "Kopfzeile" in p.message("de")
    assert "header" in p.message("en")


def test_missing_variable_column(write: Write) -> None:
    p = only_problem(write("key;jahr;Einwohner\n11;2017;1\n"), simple_mapping())
    assert (p.row, p.column) == (1, "Größe")


def test_unmapped_column_reported_unless_ignored(write: Write) -> None:
    path = write("key;jahr;Einwohner;Größe;Neu\n11;2017;1;2;3\n")
    p = only_problem(path, simple_mapping())
    assert (p.row, p.column) == (1, "Neu")
    assert "ignore_unmapped" in p.message("en")
    assert len(read_table(path, simple_mapping(ignore_unmapped=True))) == 2
    assert len(read_table(path, simple_mapping(ignore_columns=["Neu"]))) == 2


def test_wrong_date(write: Write) -> None:
    path = write("key;jahr;Einwohner;Größe\n11;2017;1;2\n12;31.13.2017;1;2\n")
    p = only_problem(path, simple_mapping())
    assert (p.file, p.row, p.column, p.value) == ("table.csv", 3, "jahr", "31.13.2017")
    assert "Stichtag" in p.message("de")
    assert "reference date" in p.message("en")


def test_reference_day_and_fixed_date(write: Write) -> None:
    df = read_table(write(GOOD), simple_mapping(reference_day="03-31"))
    assert set(df.ref_date) == {dt.date(2017, 3, 31)}
    path = write("key;Einwohner;Größe\n11;1;2\n")
    df = read_table(path, simple_mapping(date_column=None, date=dt.date(2020, 6, 30)))
    assert set(df.ref_date) == {dt.date(2020, 6, 30)}


def test_undecodable_bytes_in_damaged_utf8(write: Write) -> None:
    path = write("key;jahr;Einwohner;Größe\n11;2017;1;2\n".encode() + b"1\xff2;2017;1;2\n")
    p = only_problem(path, simple_mapping())
    assert (p.file, p.row, p.column, p.value) == ("table.csv", 3, "key", "1\\xff2")
    assert "UTF-8" in p.message("de") and "readable text" in p.message("en")


def test_undecodable_byte_in_cp1252(write: Write) -> None:
    path = write(b"key;jahr;Einwohner;Gr\xf6\xdfe\n11;2017;1;2\x81\n")
    p = only_problem(path, simple_mapping())
    assert (p.row, p.column, p.value) == (2, "Größe", "2\\x81")


def test_title_rows_and_footnotes_are_skipped(write: Write) -> None:
    text = (
        "Einwohner nach statistischen Bezirken, 31.12.2017\n"
        "Quelle: Melderegister\n"
        "\n"
        "key;jahr;Einwohner;Größe\n"
        "11;2017;1.234;12,5\n"
        "\n"
        "12;2017;(5);.\n"
        "\n"
        "Quelle: Stadt Jena, Team Statistik; Stand 2018\n"
        "1) ohne Nebenwohnsitze\n"
    )
    df = read_table(write(text), simple_mapping())
    assert df.attrs["header_row"] == 4
    assert df.source_row.tolist() == [5, 5, 7, 7]
    assert df.status.tolist() == ["ok", "ok", "estimated", "suppressed"]


def test_header_row_given_explicitly(write: Write) -> None:
    text = "Titel;;;\nkey;jahr;Einwohner;Größe\n11;2017;1;2\n"
    df = read_table(write(text), simple_mapping(header_row=2))
    assert df.source_row.tolist() == [3, 3]


def test_skip_units(write: Write) -> None:
    df = read_table(write(GOOD + "999;2017;1;1\n"), simple_mapping(skip_units=["999"]))
    assert set(df.unit_key) == {"11", "12"}


def test_long_layout(write: Write) -> None:
    text = (
        "unit;date;variable;value\n"
        "11;31.12.2017;Einwohner;1.234\n"
        "11;31.12.2017;Größe;12,5\n"
        "12;2017-12-31;Einwohner;.\n"
    )
    mapping = TableMapping(
        layout="long",
        unit_column="unit",
        date_column="date",
        variable_column="variable",
        value_column="value",
        variables={"Einwohner": "residents", "Größe": "area"},
    )
    df = read_table(write(text), mapping)
    assert df.variable.tolist() == ["residents", "area", "residents"]
    assert df.source_row.tolist() == [2, 3, 4]
    assert df.source_column.tolist() == ["value"] * 3
    assert df.status.tolist() == ["ok", "ok", "suppressed"]
    assert df.value.tolist()[:2] == [1234.0, 12.5]


def test_long_layout_unknown_variable(write: Write) -> None:
    text = "unit;date;variable;value\n11;2017;Einwohner;1\n11;2017;Hunde;2\n"
    mapping = TableMapping(
        layout="long",
        unit_column="unit",
        date_column="date",
        variable_column="variable",
        value_column="value",
        variables={"Einwohner": "residents"},
    )
    p = only_problem(write(text), mapping)
    assert (p.row, p.column, p.value) == (3, "variable", "Hunde")


def test_wide_dates_layout() -> None:
    mapping = TableMapping(
        layout="wide_dates",
        unit_column="statistischer_Bezirk_Nr",
        name_column="statistischer_Bezirk_Name",
        variable="households",
        skip_units=["0"],
    )
    df = read_table(DATA / "jena_hh_priv_excerpt.csv", mapping)
    assert set(df.unit_key) == {"11", "12", "999"}
    assert df.ref_date.min() == dt.date(2006, 12, 31) and df.ref_date.max() == dt.date(2017, 12, 31)
    cell = df[(df.unit_key == "12") & (df.ref_date == dt.date(2007, 12, 31))]
    assert cell.value.tolist() == [1304.0]
    assert cell.source_row.tolist() == [4]
    assert cell.source_column.tolist() == ["31.12.2007"]
    assert set(df[df.ref_date == dt.date(2017, 12, 31)].status) == {"missing"}


def _write_xlsx(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Daten"
    ws["A1"] = "Einwohner nach Ortsteilen"
    ws.merge_cells("A1:D1")
    ws["A2"] = "Stand: 31.12.2017"
    ws.merge_cells("A2:D2")
    ws.append([])
    ws.append(["key", "jahr", "Einwohner", "Größe"])
    ws.append([11, 2017, 1234, 12.5])
    ws.append(["12", "2017", "1.234", "3,5"])
    ws.append([13.0, dt.datetime(2017, 12, 31), ".", "(7)"])
    ws.append(["Quelle: Melderegister"])
    wb.create_sheet("Leer")
    wb.save(path)
    return path


def test_xlsx_with_title_rows(tmp_path: Path) -> None:
    path = _write_xlsx(tmp_path / "table.xlsx")
    df = read_table(path, simple_mapping())
    assert df.unit_key.tolist() == ["11", "11", "12", "12", "13", "13"]
    assert set(df.ref_date) == {dt.date(2017, 12, 31)}
    assert df.source_row.tolist() == [5, 5, 6, 6, 7, 7]
    assert df.value.tolist()[:4] == [1234.0, 12.5, 1234.0, 3.5]
    assert df.status.tolist()[4:] == ["suppressed", "estimated"]
    assert read_table(path, simple_mapping(sheet="Daten")).equals(df)


def test_xlsx_error_names_excel_row(tmp_path: Path) -> None:
    import openpyxl

    path = _write_xlsx(tmp_path / "table.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Daten"]["C6"] = "viele"
    wb.save(path)
    p = only_problem(path, simple_mapping())
    assert (p.file, p.row, p.column, p.value) == ("table.xlsx", 6, "Einwohner", "viele")


def test_xlsx_unknown_sheet(tmp_path: Path) -> None:
    path = _write_xlsx(tmp_path / "table.xlsx")
    p = only_problem(path, simple_mapping(sheet="Tabelle9"))
    assert p.value == "Tabelle9" and "Tabellenblatt" in p.message("de")


def test_xlsx_without_header_uses_column_letters(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([11, 2017, 5])
    ws.append([12, 2017, "abc"])
    path = tmp_path / "noheader.xlsx"
    wb.save(path)
    mapping = TableMapping(unit_column="A", date_column="B", variables={"C": "residents"}, header_row="none")
    p = only_problem(path, mapping)
    assert (p.row, p.column, p.value) == (2, "C", "abc")


def test_load_mapping_yaml(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "layout: wide_dates\nunit_column: nr\nvariable: households\nskip_units: [0, 999]\n"
        "delimiter: tab\nmarkers: {'k.A.': null, n.v.: missing}\ndate: null\n",
        encoding="utf-8",
    )
    m = load_mapping(path)
    assert m.skip_units == ["0", "999"]
    assert m.delimiter == "\t"
    assert "k.A." not in m.marker_table() and m.marker_table()["n.v."] == "missing"


def test_mapping_errors_are_bilingual(tmp_path: Path) -> None:
    from sozialmonitor.errors import ConfigError

    path = tmp_path / "m.yaml"
    path.write_text("unit_column: a\ndate_column: b\nvariables: {x: y}\nlayuot: wide\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="layuot") as info:
        load_mapping(path)
    assert "unbekannte Schlüssel" in info.value.de and "unknown keys" in info.value.en
    with pytest.raises(ConfigError, match="date_column"):
        TableMapping(unit_column="a", variables={"x": "y"})
