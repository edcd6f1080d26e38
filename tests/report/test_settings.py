"""The report folder's bericht.yaml: unknown keys refused, and no indicator left out of the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from sozialmonitor.db.engine import make_engine, session_scope
from sozialmonitor.errors import ConfigError
from sozialmonitor.report.data import collect
from sozialmonitor.report.settings import ChapterSpec, ReportSettings, load_folder_settings


@pytest.mark.parametrize(
    ("content", "where", "bad"),
    [
        ("titel: Bericht\n", "oberste Ebene", "'titel'"),
        ("chapters:\n  - {key: a, theme: [demografie]}\n", "chapters[1]", "'theme'"),
        ("unit_term: {singular: Raum, plural_de: Räume}\n", "unit_term", "'plural_de'"),
        ("social_index: {file: x.yaml}\n", "social_index", "'file'"),
    ],
)
def test_a_misspelt_key_is_refused_with_the_allowed_ones(
    tmp_path: Path, content: str, where: str, bad: str
) -> None:
    (tmp_path / "bericht.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_folder_settings(tmp_path, ReportSettings(year=2017))
    assert "bericht.yaml" in exc.value.de and where in exc.value.de
    assert f"unbekannte Schlüssel {bad}" in exc.value.de and "erlaubt sind" in exc.value.de
    assert f"unknown keys {bad}" in exc.value.en


def test_chapters_from_bericht_yaml(tmp_path: Path) -> None:
    (tmp_path / "bericht.yaml").write_text(
        "chapters:\n  - {key: arbeit, title_de: Arbeit, themes: [arbeitsmarkt]}\n", encoding="utf-8"
    )
    settings = load_folder_settings(tmp_path, ReportSettings(year=2017))
    assert settings.chapters == (ChapterSpec("arbeit", "Arbeit", "Arbeit", themes=("arbeitsmarkt",)),)


def test_indicators_no_chapter_names_go_to_further_indicators(jena_db: str) -> None:
    only_labour = (ChapterSpec("arbeit", "Arbeit", "Labour", themes=("arbeitsmarkt",)),)
    with session_scope(make_engine(jena_db)) as s:
        full = collect(s, ReportSettings(year=2017, edition="internal"))
        data = collect(s, ReportSettings(year=2017, edition="internal", chapters=only_labour))
    keys = [c.spec.key for c in data.chapters]
    assert keys == ["arbeit", "weitere"]
    rest = {i.defn.key for i in data.chapters[1].indicators}
    every = {i.defn.key for c in full.chapters for i in c.indicators}
    labour = {i.defn.key for i in data.chapters[0].indicators}
    assert rest and not rest & labour
    assert rest | labour == every  # nothing with data is left out
    assert not data.chapters[1].missing  # catalogue indicators without data are not listed as missing
    assert "residents" in rest
    assert [c.spec.key for c in full.chapters][-1] != "weitere"  # the standard chapters take all Jena has


def test_report_without_year_takes_the_latest_released_year(
    report_setup: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from sozialmonitor.cli.main import app

    url, _ = report_setup
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["report", "--format", "html", "--db", url])
    assert result.exit_code == 0, result.output
    assert "Berichtsjahr / report year: 2017" in result.output
    assert (tmp_path / "bericht_2017" / "lebenslagenbericht_2017.html").is_file()
