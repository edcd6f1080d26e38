"""The command line driven in-process: import, dry run, errors, undo, export for Excel, demo build."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sozialmonitor.cli.main import app

runner = CliRunner()

MAPPING = """\
layout: wide
unit_column: Bezirk
name_column: Name
date_column: Jahr
variables:
  Einwohner: residents_main
  Ausländer: residents_foreign
source: Testamt
"""


@pytest.fixture
def db(tmp_path: Path, jena_db: str) -> str:
    """A private copy of the Jena demo database for tests that write."""
    target = tmp_path / "jena.sqlite"
    target.write_bytes(Path(jena_db.removeprefix("sqlite:///")).read_bytes())
    return f"sqlite:///{target}"


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    # the raw bytes: Click's .stdout would turn the CSV's \r\n into \n
    return result.exit_code, result.stdout_bytes.decode("utf-8"), result.stderr


def write_mapping(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def export_value(db: str, unit: str, year: int, variable: str = "residents_main") -> str | None:
    code, out, err = invoke(
        "export",
        "observations",
        "--variable",
        variable,
        "--year",
        str(year),
        "--level",
        "statbez",
        "--db",
        db,
    )
    if code == 1 and "Keine Beobachtungen" in err:
        return None
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"), newline=""), delimiter=";"))
    return next((r["Wert"] for r in rows if r["Schlüssel"] == unit), None)


def test_export_observations_is_excel_ready_csv_matching_the_database(jena_db: str) -> None:
    code, out, _ = invoke(
        "export",
        "observations",
        "--variable",
        "residents_main",
        "--year",
        "2017",
        "--level",
        "statbez",
        "--db",
        jena_db,
    )
    assert code == 0
    assert out.startswith("\ufeffEbene;Schlüssel;Name;Stichtag;Variable;Wert;Status;Quelle\r\n")
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"), newline=""), delimiter=";"))
    assert len(rows) == 42
    assert sum(float(r["Wert"] or 0) for r in rows) == 108_722
    winzerla = next(r for r in rows if r["Schlüssel"] == "90")
    assert winzerla["Name"] == "Winzerla" and winzerla["Stichtag"] == "31.12.2017"
    assert next(r for r in rows if r["Schlüssel"] == "999")["Status"] == "geheim"


def test_export_indicators_uses_decimal_comma_and_english_headers_on_request(
    jena_db: str, tmp_path: Path
) -> None:
    code, out, _ = invoke(
        "export",
        "indicators",
        "--indicator",
        "share_foreigners",
        "--year",
        "2017",
        "--level",
        "stadt",
        "--db",
        jena_db,
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"), newline=""), delimiter=";"))
    jena = next(r for r in rows if r["Schlüssel"] == "16053000")
    assert "," in jena["Wert"] and "." not in jena["Wert"]
    assert jena["Einheit"] == "%"
    code, out, _ = invoke(
        "export",
        "indicators",
        "--indicator",
        "share_foreigners",
        "--year",
        "2017",
        "--level",
        "stadt",
        "--decimal-point",
        "--lang",
        "en",
        "--db",
        jena_db,
    )
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"), newline=""), delimiter=";"))
    value = float(next(r for r in rows if r["key"] == "16053000")["value"])
    assert 5 < value < 15
    xlsx = tmp_path / "ind.xlsx"
    code, _, _ = invoke(
        "export", "indicators", "--year", "2017", "--format", "xlsx", "--out", str(xlsx), "--db", jena_db
    )
    assert code == 0 and xlsx.stat().st_size > 1000


def test_import_table_dry_run_then_import_then_undo(db: str, tmp_path: Path) -> None:
    data = tmp_path / "neu.csv"
    data.write_bytes(
        "Bezirk;Name;Jahr;Einwohner;Ausländer\r\n90;Winzerla;2018;12.345;1.002\r\n".encode("cp1252")
    )
    mapping = write_mapping(tmp_path)
    code, out, _ = invoke(
        "import", "table", str(data), "--mapping", str(mapping), "--level", "statbez", "--dry-run", "--db", db
    )
    assert code == 0 and "Probelauf" in out and "2 neu" in out
    assert export_value(db, "90", 2018) is None
    code, out, _ = invoke(
        "import", "table", str(data), "--mapping", str(mapping), "--level", "statbez", "--db", db
    )
    assert code == 0, out
    assert export_value(db, "90", 2018) == "12345"
    import_id = out.split("Import Nr. ")[1].split(":")[0]
    code, out, _ = invoke(
        "import", "table", str(data), "--mapping", str(mapping), "--level", "statbez", "--db", db
    )
    assert "0 neu, 0 geändert, 2 unverändert" in out
    again_id = out.split("Import Nr. ")[1].split(":")[0]
    code, out, _ = invoke("import", "show", import_id, "--db", db)
    assert code == 0 and "residents_main" in out
    # the identical re-import still delivers the values: undoing the first keeps them
    code, out, _ = invoke("import", "undo", import_id, "--db", db)
    assert code == 0 and "0 entfernt" in out
    assert export_value(db, "90", 2018) == "12345"
    code, out, _ = invoke("import", "undo", again_id, "--db", db)
    assert code == 0 and "2 entfernt" in out
    assert export_value(db, "90", 2018) is None
    code, out, _ = invoke("import", "list", "--db", db)
    assert "rückgängig" in out


@pytest.mark.parametrize(
    ("content", "expected_de", "expected_en"),
    [
        (
            "Bezirk;Name;Jahr;Einwohner;Ausländer\n4711;Nirgendwo;2017;100;5\n",
            "Zeile 2, Spalte 'Bezirk'",
            "row 2, column 'Bezirk'",
        ),
        (
            "Bezirk;Name;Jahr;Einwohner;Ausländer\n90;Winzerla;2017;-5;5\n",
            "Zeile 2, Spalte 'Einwohner'",
            "row 2, column 'Einwohner'",
        ),
        ("", "leer", "empty"),
        (
            "Bezirk;Name;Jahr;Einwohner;Ausländer\n90;Winzerla;2017;470,5;5\n",
            "Zeile 2, Spalte 'Einwohner': erwartet eine ganze Zahl",
            "row 2, column 'Einwohner': expected a whole number",
        ),
        (
            "Bezirk;Name;Jahr;Einwohner;Ausländer\n90;Winzerla;2017;100;12.7\n",
            "Spalte 'Ausländer': erwartet eine ganze Zahl",
            "column 'Ausländer': expected a whole number",
        ),
        (
            "Bezirk;Name;Jahr;Einwohner;Ausländer\n90;Winzerla;2017;99999999999999999999999;5\n",
            "erwartet eine Fallzahl unter 1.000.000.000",
            "expected a count below 1,000,000,000",
        ),
    ],
    ids=[
        "unknown-district",
        "negative-count",
        "empty-file",
        "fraction-comma",
        "fraction-dot",
        "huge-count",
    ],
)
def test_bad_file_exits_2_with_bilingual_message_and_writes_nothing(
    db: str, tmp_path: Path, content: str, expected_de: str, expected_en: str
) -> None:
    data = tmp_path / "fehler.csv"
    data.write_text(content, encoding="utf-8")
    before = export_value(db, "90", 2017)
    code, _, err = invoke(
        "import",
        "table",
        str(data),
        "--mapping",
        str(write_mapping(tmp_path)),
        "--level",
        "statbez",
        "--db",
        db,
    )
    assert code == 2
    assert "fehler.csv" in err and expected_de in err and expected_en in err
    assert "nichts wurde geschrieben" in err and "nothing was written" in err
    assert export_value(db, "90", 2017) == before
    _, out, _ = invoke("import", "list", "--db", db)
    assert "fehler.csv" not in out


def test_a_value_above_the_variables_upper_bound_is_refused(db: str, tmp_path: Path) -> None:
    """Jena's variables.yaml gives area_total ``max: 11500`` (ha): an area delivered in m² is refused."""
    data = tmp_path / "flaeche.csv"
    data.write_text("Bezirk;Jahr;Fläche\n90;2017;1250000\n", encoding="utf-8")
    mapping = tmp_path / "flaeche.yaml"
    mapping.write_text(
        "layout: wide\nunit_column: Bezirk\ndate_column: Jahr\nvariables: {Fläche: area_total}\n",
        encoding="utf-8",
    )
    args = ("import", "table", str(data), "--mapping", str(mapping), "--level", "statbez", "--db", db)
    code, _, err = invoke(*args)
    assert code == 2
    assert "Spalte 'Fläche': erwartet höchstens 11.500 (Obergrenze „max“ der Variable area_total" in err
    assert (
        "expected at most 11,500 (upper bound “max” of variable area_total) – found: 'area_total = 1250000'"
        in err
    )
    data.write_text("Bezirk;Jahr;Fläche\n90;2017;125,5\n", encoding="utf-8")
    code, _, err = invoke(*args)
    assert code == 0, err


def test_demo_builds_a_database_and_prints_the_headline(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    code, out, _ = invoke("demo", "--db", url)
    assert code == 0
    assert "108.722" in out and "Lobeda-Ost" in out
    assert not list(tmp_path.glob("*.building"))


def test_cancelled_build_leaves_the_previous_database_untouched(tmp_path: Path) -> None:
    from sozialmonitor.cli.demo import _atomic_sqlite_build

    target = tmp_path / "x.sqlite"
    code, _, _ = invoke("db", "upgrade", "--db", f"sqlite:///{target}")  # an empty database: may be built
    assert code == 0

    def content() -> list[tuple[str, int]]:
        import sqlite3

        with sqlite3.connect(target) as c:
            tables = [r[0] for r in c.execute("select name from sqlite_master where type = 'table'")]
            return [(t, c.execute(f'select count(*) from "{t}"').fetchone()[0]) for t in sorted(tables)]

    previous = content()

    def build(engine: object) -> None:
        from sqlalchemy import Engine

        from sozialmonitor.db.engine import upgrade

        assert isinstance(engine, Engine)
        upgrade(engine)  # some work in the temporary file, then Ctrl-C
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _atomic_sqlite_build(f"sqlite:///{target}", build)
    assert content() == previous  # the same tables, the same (no) rows
    assert not list(tmp_path.glob("*.building*"))


def test_a_build_never_overwrites_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    target = tmp_path / "notizen.sqlite"
    target.write_bytes(b"meine Notizen")
    code, _, err = invoke("demo", "--db", f"sqlite:///{target}")
    assert code == 1 and "keine Datenbank" in err and "not a database" in err
    assert target.read_bytes() == b"meine Notizen"


def test_db_upgrade_and_units_and_catalogue(tmp_path: Path, jena_db: str) -> None:
    code, out, _ = invoke("db", "upgrade", "--db", f"sqlite:///{tmp_path / 'new.sqlite'}")
    assert code == 0 and "Schema-Version" in out
    code, out, _ = invoke("units", "list", "--level", "ortsteil", "--db", jena_db)
    assert code == 0 and "Neulobeda" in out
    code, out, _ = invoke("catalogue", "list")
    assert code == 0 and "unemployment_share_sgb2" in out


def test_every_command_has_help() -> None:
    import typer.main

    group = typer.main.get_command(app)
    seen = 0
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", {name: cmd})
        for sub in subs:
            args = [name, sub, "--help"] if sub != name else [name, "--help"]
            result = runner.invoke(app, args)
            assert result.exit_code == 0, args
            seen += 1
    assert seen > 15


def test_export_indicators_compared_with_the_city_gives_deviation_and_rank(jena_db: str) -> None:
    code, out, err = invoke(
        "export",
        "indicators",
        "--indicator",
        "unemployment_share_sgb2",
        "--year",
        "2017",
        "--compare",
        "stadt",
        "--decimal-point",
        "--db",
        jena_db,
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"), newline=""), delimiter=";"))
    ranked = sorted((r for r in rows if r["Rang"]), key=lambda r: int(r["Rang"]))
    assert ranked[0]["Name"] == "Lobeda-Ost"
    top = ranked[0]
    assert float(top["Abweichung"]) == pytest.approx(
        float(top["Wert"]) - float(top["Referenzwert"]), abs=0.11
    )
    assert all(r["Rang"] == "" for r in rows if r["Fallzahl zu klein"] == "ja" or r["Status"] != "ok")
    assert {r["Anzahl mit Rang"] for r in ranked} == {str(len(ranked))}


def test_berlin_example_loads_542_planning_areas_with_geometry(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'berlin.sqlite'}"
    code, out, err = invoke("example", "berlin-mss-2021", "--db", url)
    assert code == 0, err
    code, out, _ = invoke("export", "observations", "--variable", "mss_s1", "--level", "plr", "--db", url)
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"), newline=""), delimiter=";"))
    assert len(rows) == 542
    assert sum(r["Status"] == "ok" for r in rows) == 536
    code, out, _ = invoke("units", "list", "--level", "plr", "--db", url)
    assert code == 0 and "Stülerstraße" in out
    # Bezirke: inhabitants are summed from the planning areas, the MSS shares are not (they are rates)
    code, out, _ = invoke(
        "export",
        "indicators",
        "--indicator",
        "residents",
        "--level",
        "bezirk",
        "--decimal-point",
        "--db",
        url,
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"), newline=""), delimiter=";"))
    assert len(rows) == 12
    summed = [r for r in rows if r["Status"] == "ok"]
    assert summed and all(float(r["Wert"]) > 100_000 for r in summed)
    # a Bezirk with a planning area whose inhabitants are not published stays missing, never partly summed
    assert all(r["Wert"] == "" for r in rows if r["Status"] != "ok")
    code, _, err = invoke("export", "indicators", "--indicator", "mss_s1", "--level", "bezirk", "--db", url)
    assert code == 1 and "Keine Indikatorwerte" in err  # shares are not summed up the hierarchy
    code, _, err = invoke("example", "no-such-example", "--db", url)
    assert code == 1 and "berlin-mss-2021" in err


def test_export_changes_between_two_years_names_the_units_left_out(jena_db: str) -> None:
    result = runner.invoke(
        app,
        [
            "export",
            "changes",
            "--indicator",
            "residents",
            "--indicator",
            "unemployment_share_sgb2",
            "--from",
            "2007",
            "--to",
            "2017",
            "--decimal-point",
            "--db",
            jena_db,
        ],
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout_bytes.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"), newline=""), delimiter=";"))
    winzerla = {r["Indikator"]: r for r in rows if r["Schlüssel"] == "90"}
    res = winzerla["residents"]
    assert float(res["Veränderung"]) == float(res["Wert Vergleichsjahr"]) - float(res["Wert Basisjahr"])
    # a district whose 2017 SGB II share is suppressed gets no change and is named on stderr
    assert "kein gültiger Wert 2017" in result.stderr
    left_out = {line.split()[0] for line in result.stderr.splitlines()[1:]}
    assert not left_out & {r["Schlüssel"] for r in rows if r["Indikator"] == "unemployment_share_sgb2"}
