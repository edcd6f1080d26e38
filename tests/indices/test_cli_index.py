"""``sozialmonitor index mss`` driven in-process."""

from __future__ import annotations

import io

import pandas as pd
import typer
from typer.testing import CliRunner

from sozialmonitor.cli.index import index_app
from sozialmonitor.examples import load_example

app = typer.Typer()
app.add_typer(index_app, name="index")


def test_mss_csv_prints_the_published_classes() -> None:
    result = CliRunner().invoke(app, ["index", "mss", "--example", "berlin-mss-2021", "--format", "csv"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.output), dtype={"unit_key": str})
    assert list(table.columns) == [
        "unit_key",
        "status_index",
        "status_class",
        "dynamics_index",
        "dynamics_class",
        "gesamtindex",
    ]
    assert len(table) == 542
    pub = load_example("berlin-mss-2021").published
    table = table.set_index("unit_key")
    assert (table["gesamtindex"] == pub.loc[table.index, "SDI_V"]).all()
    valid = table["status_class"].notna()
    assert valid.sum() == 536
    assert (table.loc[valid, "status_class"] == pub.loc[table.index[valid], "SI_V"]).all()
    assert table.loc["01100101"].tolist() == [
        -0.33,
        "mittel",
        1.27,
        "negativ",
        "Status mittel , Dynamik negativ",
    ]


def test_mss_table_format_is_readable() -> None:
    result = CliRunner().invoke(app, ["index", "mss", "--example", "berlin-mss-2021"])
    assert result.exit_code == 0
    assert "Statusklasse" in result.output and "-0,33" in result.output


def test_unknown_example_is_a_bilingual_error() -> None:
    result = CliRunner().invoke(app, ["index", "mss", "--example", "hamburg"])
    assert result.exit_code == 2
    assert "Unbekanntes Beispiel 'hamburg'" in result.output and "unknown example" in result.output
