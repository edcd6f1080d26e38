"""Reading survey files and the ``survey`` CLI (in-process)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from sozialmonitor.cli.survey import survey_app
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.survey.io import read_survey
from sozialmonitor.survey.tables import format_de

DATA = Path(__file__).resolve().parents[1] / "data" / "survey"


def test_read_csv_german_and_international(tmp_path: Path) -> None:
    p = tmp_path / "de.csv"
    p.write_text("gebiet;wert\nNord;1.234,5\nSüd;2,25\n", encoding="utf-8-sig")
    df = read_survey(p).data
    assert list(df["wert"]) == [1234.5, 2.25] and list(df["gebiet"]) == ["Nord", "Süd"]
    assert len(read_survey(DATA / "apisrs.csv").data) == 200


def test_read_xlsx_and_sav_with_labels(tmp_path: Path) -> None:
    df = pd.DataFrame({"sex": [1.0, 2.0, 1.0], "zufr": [70.0, 55.0, 80.0]})
    df.to_excel(tmp_path / "a.xlsx", index=False)
    assert read_survey(tmp_path / "a.xlsx").data.shape == (3, 2)
    pyreadstat.write_sav(
        df,
        str(tmp_path / "a.sav"),
        variable_value_labels={"sex": {1.0: "männlich", 2.0: "weiblich"}},
        column_labels=["Geschlecht", "Zufriedenheit"],
    )
    f = read_survey(tmp_path / "a.sav")
    assert f.value_labels["sex"] == {1.0: "männlich", 2.0: "weiblich"}
    assert f.variable_labels["sex"] == "Geschlecht"
    assert list(f.labelled()["sex"]) == ["männlich", "weiblich", "männlich"]
    with pytest.raises(SozialmonitorError):
        read_survey(tmp_path / "a.json")


def test_format_de() -> None:
    assert format_de(1234.5, 1) == "1.234,5"
    assert format_de(12345) == "12.345"
    assert format_de(True) == "ja"


def test_cli_synthetic_and_estimate(tmp_path: Path) -> None:
    runner = CliRunner()
    csv = tmp_path / "befragung.csv"
    margins = tmp_path / "raender.yaml"
    res = runner.invoke(
        survey_app,
        ["synthetic", str(csv), "--margins", str(margins), "--population", "20000", "--sample", "4000"],
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        survey_app,
        [
            "estimate",
            str(csv),
            "--weight",
            "design_weight",
            "--strata",
            "planning_area",
            "--variable",
            "life_satisfaction",
            "--domain",
            "planning_area",
            "--rake",
            str(margins),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Schätzwert" in res.output and "effektives n" in res.output and "konvergiert" in res.output
    out = tmp_path / "o.csv"
    res = runner.invoke(
        survey_app,
        [
            "estimate",
            str(csv),
            "--weight",
            "design_weight",
            "--variable",
            "financial_worries",
            "--statistic",
            "proportion",
            "--format",
            "csv",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Domäne;Merkmal;Schätzwert")
    assert "0," in text.splitlines()[1]
    xlsx = tmp_path / "o.xlsx"
    res = runner.invoke(
        survey_app,
        ["estimate", str(csv), "--variable", "life_satisfaction", "--format", "xlsx", "--out", str(xlsx)],
    )
    assert res.exit_code == 0 and pd.read_excel(xlsx).shape[0] == 1


def test_cli_reference_design_and_errors() -> None:
    runner = CliRunner()
    res = runner.invoke(
        survey_app,
        [
            "estimate",
            str(DATA / "apistrat.csv"),
            "--weight",
            "pw",
            "--strata",
            "stype",
            "--fpc",
            "fpc",
            "--variable",
            "api00",
            "--format",
            "csv",
        ],
    )
    assert res.exit_code == 0
    assert "662,287363" in res.output and "9,408940" in res.output
    res = runner.invoke(
        survey_app,
        [
            "estimate",
            str(DATA / "apiclus1.csv"),
            "--weight",
            "pw",
            "--cluster",
            "dnum",
            "--variable",
            "api00",
            "--statistic",
            "ratio",
            "--denominator",
            "api99",
            "--format",
            "csv",
        ],
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(survey_app, ["estimate", str(DATA / "apisrs.csv"), "--variable", "nope"])
    assert res.exit_code == 2 and "Fehler" in res.output
