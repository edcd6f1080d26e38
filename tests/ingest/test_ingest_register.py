"""Register extracts: exact counts on a hand-made file, validation problems with rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.register import aggregate_register
from sozialmonitor.ingest.register_spec import RegisterSpec, load_register_spec
from sozialmonitor.ingest.register_synthetic import SYNTHETIC_SPEC, synthetic_register

REF = dt.date(2021, 12, 31)
PERSONS = """bezirk;alter;geschlecht;staat;hh
11;35;w;000;h1
11;4;m;000;h1
11;8;w;000;h1
11;70;w;000;h2
11;25;m;TR;h3
11;40;m;000;h4
11;38;w;PL;h4
11;1;w;000;h4
11;12;m;000;h4
11;16;d;000;h4
11;90;m;000;
12;66;m;000;h5
12;68;w;000;h5
12.0;50;x;SY;h6
999;30;m;000;h7
"""
SPEC = RegisterSpec(
    unit_column="bezirk",
    age_column="alter",
    sex_column="geschlecht",
    nationality_column="staat",
    household_column="hh",
    skip_units=["999"],
)

EXPECTED_11 = {
    "residents_total": 11,
    "residents_male": 5,
    "residents_female": 5,
    "residents_sex_other": 1,
    "residents_age_0_2": 1,
    "residents_age_3_5": 1,
    "residents_age_6_9": 1,
    "residents_age_10_14": 1,
    "residents_age_15_17": 1,
    "residents_age_18_24": 0,
    "residents_age_25_44": 4,
    "residents_age_45_64": 0,
    "residents_age_65_74": 1,
    "residents_age_75_plus": 1,
    "residents_age_15_64": 5,
    "residents_age_0_5": 2,
    "residents_age_0_9": 3,
    "residents_age_0_14": 4,
    "residents_age_0_17": 5,
    "residents_age_0_20": 5,
    "residents_age_0_64": 9,
    "residents_age_18_plus": 6,
    "residents_age_18_64": 4,
    "residents_age_60_plus": 2,
    "residents_age_65_plus": 2,
    "residents_age_80_plus": 1,
    "germans_total": 9,
    "foreigners_total": 2,
    "foreigners_male": 1,
    "foreigners_female": 1,
    "foreigners_age_0_17": 0,
    "foreigners_age_15_64": 2,
    "foreigners_age_65_plus": 0,
    "households_total": 4,
    "households_one_person": 2,
    "households_size_2": 0,
    "households_size_3": 1,
    "households_size_4": 0,
    "households_size_5_plus": 1,
    "households_one_person_under_30": 1,
    "households_one_person_30_59": 0,
    "households_one_person_60_plus": 1,
    "households_one_person_65_plus": 1,
    "households_one_person_male": 1,
    "households_one_person_female": 1,
    "households_with_children": 2,
    "households_three_plus_children": 1,
    "households_single_parent": 1,
    "households_seniors_only": 1,
    "persons_in_households": 10,
    "children_in_households": 5,
    "children_in_single_parent_households": 2,
}


def _values(df: pd.DataFrame, unit: str) -> dict[str, float]:
    sub = df[df.unit_key == unit]
    return dict(zip(sub.variable, sub.value, strict=True))


@pytest.fixture
def persons_csv(tmp_path: Path) -> Path:
    path = tmp_path / "persons.csv"
    path.write_text(PERSONS, encoding="utf-8")
    return path


def test_register_aggregation_exact_counts(persons_csv: Path) -> None:
    df = aggregate_register(persons_csv, SPEC, REF)
    assert list(df.columns) == [
        "unit_key",
        "ref_date",
        "variable",
        "value",
        "status",
        "source_row",
        "source_column",
    ]
    assert set(df.unit_key) == {"11", "12"}
    assert _values(df, "11") == EXPECTED_11
    v12 = _values(df, "12")
    assert v12["residents_total"] == 3
    assert (v12["residents_male"], v12["residents_female"], v12["residents_sex_other"]) == (1, 1, 1)
    assert (v12["households_total"], v12["households_one_person_30_59"], v12["households_seniors_only"]) == (
        2,
        1,
        1,
    )
    assert (v12["foreigners_total"], v12["foreigners_male"], v12["residents_age_65_74"]) == (1, 0, 2)
    assert set(df.ref_date) == {REF} and set(df.status) == {"ok"}
    assert df.variable.nunique() == len(EXPECTED_11) == 52


def test_register_from_parquet_equals_csv(persons_csv: Path, tmp_path: Path) -> None:
    parquet = tmp_path / "persons.parquet"
    duckdb.sql(
        f"COPY (SELECT bezirk, CAST(alter AS INTEGER) AS alter, geschlecht, staat, hh "
        f"FROM read_csv('{persons_csv}', all_varchar = true)) TO '{parquet}' (FORMAT parquet)"
    )
    a = aggregate_register(persons_csv, SPEC, REF)
    b = aggregate_register(parquet, SPEC, REF)
    pd.testing.assert_frame_equal(a, b)


def test_register_birth_year_and_minimal_columns(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("stb,gebjahr\n01,2020\n01,1950\n02,2000\n", encoding="utf-8")
    spec = RegisterSpec(unit_column="stb", birth_year_column="gebjahr")
    v = _values(aggregate_register(path, spec, REF), "01")
    assert (v["residents_total"], v["residents_age_0_2"], v["residents_age_65_74"]) == (2, 1, 1)
    assert "households_total" not in v and "residents_male" not in v


def test_register_main_residence_filter(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("bezirk;alter;status\n11;30;HW\n11;31;NW\n11;32;HW\n", encoding="utf-8")
    spec = RegisterSpec(
        unit_column="bezirk", age_column="alter", residence_column="status", main_residence_values=["HW"]
    )
    assert _values(aggregate_register(path, spec, REF), "11")["residents_total"] == 2


def test_register_validation_errors_with_rows(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "bezirk;alter;geschlecht;staat;hh\n"
        "11;30;m;000;h1\n"
        ";30;m;000;h2\n"
        "11;130;w;000;h3\n"
        "11;abc;w;000;h4\n"
        "12;40;q;000;h5\n"
        "12;-1;m;000;h6\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportValidationError) as info:
        aggregate_register(path, SPEC, REF)
    got = [(p.file, p.row, p.column, p.value) for p in info.value.problems]
    assert got == [
        ("bad.csv", 3, "bezirk", ""),
        ("bad.csv", 4, "alter", "130"),
        ("bad.csv", 5, "alter", "abc"),
        ("bad.csv", 6, "geschlecht", "q"),
        ("bad.csv", 7, "alter", "-1"),
    ]
    messages = [p.bilingual() for p in info.value.problems]
    assert "Alter von 0 bis 120" in messages[1] and "age of 0 to 120" in messages[1]
    assert "Geschlechtscode" in messages[3] and "sex code" in messages[3]
    assert "Gebietsschlüssel" in messages[0] and "unit key" in messages[0]


def test_register_missing_column(persons_csv: Path) -> None:
    spec = RegisterSpec(unit_column="bezirk", age_column="age_years")
    with pytest.raises(ImportValidationError) as info:
        aggregate_register(persons_csv, spec, REF)
    (p,) = info.value.problems
    assert (p.row, p.column) == (1, "age_years")
    assert "Registerbeschreibung" in p.message("de") and "register spec" in p.message("en")


def test_register_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("bezirk;alter\n", encoding="utf-8")
    with pytest.raises(ImportValidationError) as info:
        aggregate_register(path, RegisterSpec(unit_column="bezirk", age_column="alter"), REF)
    assert "mindestens eine Person" in info.value.problems[0].message("de")


def test_register_spec_yaml(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(
        "unit_column: bezirk\nage_column: alter\nage_bands: [[0, 5], [6, null]]\nskip_units: [999]\n",
        encoding="utf-8",
    )
    spec = load_register_spec(path)
    assert spec.age_bands == [(0, 5), (6, None)] and spec.skip_units == ["999"]


def test_synthetic_register_small(tmp_path: Path) -> None:
    for fmt in ("csv", "parquet"):
        path = synthetic_register(tmp_path / f"s.{fmt}", 2_000, 7, seed=3, fmt=fmt)
        df = aggregate_register(path, SYNTHETIC_SPEC, REF)
        totals = df[df.variable == "residents_total"]
        assert totals.value.sum() == 2_000 and len(totals) == 7
        persons_hh = df[df.variable == "persons_in_households"].value.sum()
        assert persons_hh == 2_000


def test_register_cp1252_is_read_as_latin1(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes("bezirk;alter\nZwätzen;30\nZwätzen;40\n".encode("cp1252"))
    df = aggregate_register(path, RegisterSpec(unit_column="bezirk", age_column="alter"), REF)
    assert _values(df, "Zwätzen")["residents_total"] == 2


def test_register_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "bezirk;alter\nZwätzen;30\n".encode())
    df = aggregate_register(path, RegisterSpec(unit_column="bezirk", age_column="alter"), REF)
    assert _values(df, "Zwätzen")["residents_total"] == 1


def test_register_damaged_utf8(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes("bezirk;alter\nZwätzen;30\n".encode() + b"Gr\xfcn;40\n")
    with pytest.raises(ImportValidationError) as info:
        aggregate_register(path, RegisterSpec(unit_column="bezirk", age_column="alter"), REF)
    (p,) = info.value.problems
    assert (p.file, p.row, p.value) == ("p.csv", 3, "\\xfc")
    assert "UTF-8" in p.message("de") and "latin-1" in p.message("en")
