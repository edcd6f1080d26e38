"""`index social` on the Jena demo database, and a register extract imported through the CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from sozialmonitor.cli.main import app

runner = CliRunner()


def test_social_index_from_the_jena_database_marks_the_known_deprived_districts(jena_db: str) -> None:
    result = runner.invoke(
        app,
        ["index", "social", "--year", "2017", "--format", "csv", "--edition", "internal", "--db", jena_db],
    )
    assert result.exit_code == 0, result.stderr
    rows = {r["unit_key"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert len(rows) == 42
    # Lobeda-West and Lobeda-Ost: the large prefab estates with the highest SGB II shares
    assert rows["62"]["status_class"] == rows["63"]["status_class"] == "sehr niedrig"
    # districts under 300 residents are not indexed
    assert rows["141"]["gesamtindex"] == "ohne Zuordnung" and rows["141"]["status_index"] == ""
    valid = [float(r["status_index"]) for r in rows.values() if r["status_index"]]
    assert abs(sum(valid) / len(valid)) < 0.01  # re-standardised over the valid units


def test_register_extract_is_aggregated_and_feeds_catalogue_indicators(tmp_path: Path, jena_db: str) -> None:
    db = tmp_path / "jena.sqlite"
    db.write_bytes(Path(jena_db.removeprefix("sqlite:///")).read_bytes())
    url = f"sqlite:///{db}"
    persons = tmp_path / "melderegister.csv"
    lines = ["bezirk;alter;geschlecht;staat;hh"]
    lines += [f"90;{70 + i % 20};w;000;h{i}" for i in range(30)]  # 30 older women living alone
    lines += [f"90;{30 + i % 10};m;000;k{i}" for i in range(70)]  # 70 younger men living alone
    persons.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "unit_column: bezirk\nage_column: alter\nsex_column: geschlecht\n"
        "nationality_column: staat\nhousehold_column: hh\nsource: Melderegister (Test)\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "import",
            "register",
            str(persons),
            "--spec",
            str(spec),
            "--level",
            "statbez",
            "--date",
            "2018-12-31",
            "--db",
            url,
        ],
    )
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(
        app,
        [
            "export",
            "indicators",
            "--indicator",
            "share_elderly_65",
            "--indicator",
            "share_one_person_60plus",
            "--year",
            "2018",
            "--decimal-point",
            "--db",
            url,
        ],
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout.removeprefix("\ufeff")), delimiter=";"))
    winzerla = {r["Indikator"]: r for r in rows if r["Schlüssel"] == "90"}
    assert float(winzerla["share_elderly_65"]["Wert"]) == 30.0
    assert float(winzerla["share_one_person_60plus"]["Wert"]) == 30.0
