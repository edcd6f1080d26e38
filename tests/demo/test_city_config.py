"""city.yaml: unknown or missing keys are refused with the file, the place and the allowed keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from sozialmonitor.demo.build import load_city
from sozialmonitor.errors import ConfigError

BASE = """name: Teststadt
levels:
  - {key: bezirk, name_de: Bezirk, rank: 1}
variables: variables.yaml
"""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("boundary:\n  - {file: a.geojson}\n", "unbekannte Schlüssel 'boundary'"),
        (
            "boundaries:\n  - {file: a.geojson, level: bezirk, key_field: id, valid-from: 2021}\n",
            "'valid-from'",
        ),
        (
            "boundaries:\n  - {file: a.geojson, level: bezirk}\n",
            "boundaries[1]: Pflichtschlüssel fehlt: key_field",
        ),
        ("tables:\n  - {file: a.csv, mapping: m.yaml, level: bezirk, datum: 2024}\n", "tables[1]"),
        ("tables: {file: a.csv}\n", "tables: erwartet eine Liste"),
        ("comparison: {file: c.csv, unit: x}\n", "comparison: unbekannte Schlüssel 'unit'"),
    ],
)
def test_bad_keys_are_refused_with_the_place(tmp_path: Path, extra: str, message: str) -> None:
    (tmp_path / "city.yaml").write_text(BASE + extra, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_city(tmp_path)
    assert message in info.value.de
    assert "city.yaml" in info.value.de and "city.yaml" in info.value.en


def test_missing_required_top_level_key(tmp_path: Path) -> None:
    (tmp_path / "city.yaml").write_text("name: X\nlevels: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="variables"):
        load_city(tmp_path)


def test_city_check_lists_every_problem_of_every_file_without_a_database(tmp_path: Path) -> None:
    import shutil

    from typer.testing import CliRunner

    from sozialmonitor.cli.main import app
    from sozialmonitor.examples import CITY_FOLDERS

    folder = tmp_path / "stadt"
    shutil.copytree(CITY_FOLDERS["berlin-lor"], folder)
    runner = CliRunner()
    ok = runner.invoke(app, ["city", "check", str(folder)])
    assert ok.exit_code == 0 and "planungsraum 990" in ok.output  # 448 old + 542 new Planungsräume
    # three mistakes in three files: a wrong key field, a misspelt column, an unknown area key
    city = (folder / "city.yaml").read_text(encoding="utf-8")
    (folder / "city.yaml").write_text(city.replace("key_field: PLR_ID", "key_field: PLR"), encoding="utf-8")
    t1 = (folder / "mappings" / "t1.yaml").read_text(encoding="utf-8")
    (folder / "mappings" / "t1.yaml").write_text(t1.replace("inhabitants_germans:", "inhabitant_germans:"))
    t2 = (folder / "mappings" / "t2.yaml").read_text(encoding="utf-8")
    (folder / "mappings" / "t2.yaml").write_text(
        t2.replace(": residents_age_6_15", ": residents_age_6_to_15")
    )
    data = folder / "data" / "berlin-lor-population-2020-02-t2-planning-areas.csv"
    data.write_text(
        data.read_text(encoding="utf-8").replace("\n01011101,", "\n99999999,", 1), encoding="utf-8"
    )
    bad = runner.invoke(app, ["city", "check", str(folder)])
    assert bad.exit_code == 2
    text = bad.output + (bad.stderr if bad.stderr_bytes is not None else "")
    assert "Attribut 'PLR'" in text  # planungsraeume_2021.geojson.gz
    assert "inhabitant_germans" in text  # every t1 table
    assert "mappings/t2.yaml (für berlin-lor-population-2024-02-t2-planning-areas.csv): Variable " in text
    assert "'residents_age_6_to_15' steht nicht in variables.yaml; meinten Sie residents_age_6_15" in text
    assert "Schlüssel der Tabellen der Ebene 'planungsraum' nicht geprüft" in text  # no flood of key errors
    assert bad.output.count("\n- ") < 30
    assert "Traceback" not in text
    # with the boundary files readable again, the unknown area key is named with its file and row
    (folder / "city.yaml").write_text(city, encoding="utf-8")
    bad = runner.invoke(app, ["city", "check", str(folder)])
    text = bad.output + (bad.stderr if bad.stderr_bytes is not None else "")
    assert bad.exit_code == 2 and "nicht geprüft" not in text
    assert "Datei berlin-lor-population-2020-02-t2-planning-areas.csv, Zeile 2, Spalte 'id'" in text
    assert "– gefunden: '99999999'" in text
    assert not list(tmp_path.rglob("*.sqlite"))  # no database was made


@pytest.mark.parametrize("date", ["2023-12-32", "2024-13-31"])
def test_an_impossible_date_names_the_file_and_the_line(tmp_path: Path, date: str) -> None:
    table = f"tables:\n  - {{file: a.csv, mapping: m.yaml, level: bezirk, date: {date}}}\n"
    (tmp_path / "city.yaml").write_text(BASE + table, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_city(tmp_path)
    assert "ungültiges Datum" in info.value.de and date in info.value.de and "city.yaml" in info.value.en


def test_city_check_finds_what_the_build_would_refuse_in_derived_variables_and_bounds(tmp_path: Path) -> None:
    """Every refused derived variable at once, and values above a variable's ``max:``, before building."""
    import shutil

    from sozialmonitor.demo.check import check_city_folder
    from sozialmonitor.examples import CITY_FOLDERS

    folder = tmp_path / "stadt"
    shutil.copytree(CITY_FOLDERS["berlin-lor"], folder)
    city = (folder / "city.yaml").read_text(encoding="utf-8")
    extra = (
        "  - {key: share_young, name_de: Anteil, expression: residents_age_0_6 / residents_main}\n"
        "  - {key: odd, name_de: X, expression: residents_main + residents_foreign - residents_german}\n"
    )
    (folder / "city.yaml").write_text(city.replace("relations:\n", extra + "relations:\n"), encoding="utf-8")
    variables = (folder / "variables.yaml").read_text(encoding="utf-8")
    variables = variables.replace("- key: residents_foreign\n", "- key: residents_foreign\n  max: 6000\n", 1)
    (folder / "variables.yaml").write_text(variables, encoding="utf-8")
    result = check_city_folder(folder)
    text = "\n".join(de for de, _ in result.messages)
    assert "derived[2] (share_young)" in text and "Anteile und Dichten sind Indikatoren" in text
    assert "derived[3] (odd)" in text and "zwei Schritten" in text
    assert "erwartet höchstens 6.000 (Obergrenze „max“ der Variable residents_foreign)" in text
    assert "Spalte 'inhabitants_foreigners'" in text
