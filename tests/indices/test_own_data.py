"""`index mss --data`: the MSS index on a city's own CSV and YAML gives the published Berlin results."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from sozialmonitor.cli.main import app
from sozialmonitor.examples import load_example

CONFIG = """\
name: mss2021
status:
  - {indicator: S1}
  - {indicator: S3}
  - {indicator: S4}
dynamics:
  given: [D1, D3, D4]     # published dynamics values, taken as they are
population_indicator: EW
min_population: 300
exclude: ["10100205"]     # the statistical outlier Berlin excludes
unassigned_label: Planungsraum ohne Zuordnung
"""


def test_own_csv_with_german_numbers_reproduces_the_example(tmp_path: Path) -> None:
    ex = load_example("berlin-mss-2021")
    data = ex.indicators.reset_index()
    text = data.to_csv(sep=";", index=False, decimal=",")
    (tmp_path / "werte.csv").write_text(text, encoding="utf-8")
    (tmp_path / "index.yaml").write_text(CONFIG, encoding="utf-8")
    runner = CliRunner()
    own = runner.invoke(
        app,
        [
            "index",
            "mss",
            "--data",
            str(tmp_path / "werte.csv"),
            "--config",
            str(tmp_path / "index.yaml"),
            "--format",
            "csv",
        ],
    )
    assert own.exit_code == 0, own.output
    example = runner.invoke(app, ["index", "mss", "--example", "berlin-mss-2021", "--format", "csv"])
    read = lambda out: pd.read_csv(io.StringIO(out), dtype={"unit_key": str}).set_index("unit_key")  # noqa: E731
    mine, theirs = read(own.output), read(example.output)
    assert len(mine) == len(theirs) > 500
    pd.testing.assert_series_equal(mine["status_index"], theirs["status_index"])
    pd.testing.assert_series_equal(mine["dynamics_index"], theirs["dynamics_index"])
    assert (mine["gesamtindex"].fillna("") == theirs["gesamtindex"].fillna("")).all()


def test_own_data_errors_name_file_row_and_column(tmp_path: Path) -> None:
    (tmp_path / "index.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "werte.csv").write_text("PLR;EW;S1;S3;S4;D1;D3\n1;500;1,0;2;3;0;0\n", encoding="utf-8")
    runner = CliRunner()
    args = ["index", "mss", "--data", str(tmp_path / "werte.csv"), "--config", str(tmp_path / "index.yaml")]
    r = runner.invoke(app, args)
    assert r.exit_code == 2 and "Spalten fehlen: D4" in r.output and "columns missing: D4" in r.output
    (tmp_path / "werte.csv").write_text(
        "PLR;EW;S1;S3;S4;D1;D3;D4\n1;500;1,0;zwei;3;0;0;0\n", encoding="utf-8"
    )
    r = runner.invoke(app, args)
    assert r.exit_code == 2 and "Zeile 2, Spalte 'S3': 'zwei' ist keine Zahl" in r.output
    r = runner.invoke(app, ["index", "mss", "--data", str(tmp_path / "werte.csv")])
    assert r.exit_code == 2 and "--data braucht --config" in r.output
    assert "Traceback" not in r.output
