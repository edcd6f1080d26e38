"""`sozialmonitor strategy …` on a copy of the Jena demo database, and the evaluation report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sozialmonitor.cli.main import app
from sozialmonitor.demo import JENA
from sozialmonitor.strategy.yaml_io import load_strategy

runner = CliRunner()


@pytest.fixture
def db(jena_db: str, tmp_path: Path) -> str:
    """A writable copy of the session's Jena database."""
    copy = tmp_path / "jena.sqlite"
    shutil.copy(jena_db.removeprefix("sqlite:///"), copy)
    return f"sqlite:///{copy}"


def run(*args: str) -> str:
    result = runner.invoke(app, ["strategy", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_planner_changes_a_target_sees_the_status_recomputed_and_the_change_in_the_history(db: str) -> None:
    assert "nicht auf Kurs" in run("evaluate", "--db", db)
    target = "kj-1/share_children_single_parents"
    output = run("set-target", target, "--target-value", "21.6", "--by", "Planerin Muster", "--db", db)
    assert "target_value: 21 → 21.6" in output
    assert "Status jetzt / status now: auf Kurs" in output
    csv = run("evaluate", "--format", "csv", "--db", db)
    row = next(line for line in csv.splitlines() if line.startswith("kinder_jugend,kj-1,share_children"))
    assert ",on_track," in row
    hist = run("history", "--key", "kj-1", "--format", "csv", "--db", db)
    first = hist.splitlines()[1].split(",")
    assert first[1:7] == ["Planerin Muster", "target", target, "target_value", "21", "21.6"]


def test_load_dump_round_trip_and_measure_edit(db: str, tmp_path: Path) -> None:
    assert "Keine Änderungen" in run("load", str(JENA / "strategie.yaml"), "--by", "x", "--db", db)
    out = tmp_path / "dump.yaml"
    run("dump", "--out", str(out), "--db", db)
    assert load_strategy(out) == load_strategy(JENA / "strategie.yaml")
    output = run(
        "set-measure", "wo-1-m1", "--status", "running", "--note", "Begonnen.", "--by", "Amt", "--db", db
    )
    assert "status: planned → running" in output
    dumped = yaml.safe_load(runner.invoke(app, ["strategy", "dump", "--db", db]).output)
    measure = next(m for g in dumped["goals"] for m in g.get("measures", []) if m["key"] == "wo-1-m1")
    assert measure["status"] == "running" and measure["notes"][0]["text"] == "Begonnen."
    args = ["set-output", "oek-1-m1", "--year", "2016", "--kind", "participants", "--by", "Jobcenter"]
    assert "output oek-1-m1/2016/participants · value: 245 → 250" in run(*args, "--value", "250", "--db", db)
    assert "value: 250 → –" in run(*args, "--db", db)  # without a value: removed (and recorded)
    bad = runner.invoke(app, ["strategy", *args[:5], "visits", "--value", "1", "--by", "x", "--db", db])
    assert bad.exit_code == 1 and "kind 'visits'" in bad.output


def test_invalid_edits_fail_with_bilingual_messages(db: str) -> None:
    result = runner.invoke(
        app, ["strategy", "set-target", "kj-1/nope", "--target-value", "1", "--by", "x", "--db", db]
    )
    assert result.exit_code == 1
    assert "nicht gefunden" in result.output and "not found" in result.output
    result = runner.invoke(
        app, ["strategy", "set-measure", "wo-1-m1", "--status", "paused", "--by", "x", "--db", db]
    )
    assert result.exit_code == 1 and "paused" in result.output


def test_html_report_per_field_with_accessible_traffic_lights_and_charts(db: str, tmp_path: Path) -> None:
    out = tmp_path / "evaluation.html"
    run("report", "--out", str(out), "--db", db)
    html = out.read_text(encoding="utf-8")
    for name in ("Steuerung, Planung und Information", "Wohnen in Jena", "Teilhabe von älteren Menschen"):
        assert name in html
    assert html.count('role="img"') >= 6 and "<desc>Basis 2012: 24,3" in html
    assert (
        "✖ nicht auf Kurs" in html and "↗ auf Kurs" in html and "✔ erreicht" in html
    )  # text, not colour only
    assert "Quartiersbezogene Beschäftigungsförderung" in html and "abgeschlossen" in html
    assert "Ziegenhain Ort (111)" in html  # district table with names
    one = tmp_path / "kj.html"
    run("report", "--out", str(one), "--field", "kinder_jugend", "--db", db)
    text = one.read_text(encoding="utf-8")
    assert "Teilhabe von Kindern und Jugendlichen" in text and "Ziel oek-1" not in text


def test_pdf_report_through_the_report_machinery(db: str, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    out = tmp_path / "evaluation.pdf"
    run("report", "--out", str(out), "--field", "wohnen", "--db", db)
    assert out.read_bytes()[:5] == b"%PDF-"
