"""The report chapter with stored survey estimates (estimate, CI, n, the too-uncertain mark)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sozialmonitor.db.engine import make_engine, session_scope, upgrade
from sozialmonitor.indicators.survey_store import publish_estimates
from sozialmonitor.report.build import build_report
from sozialmonitor.report.html import render_html
from sozialmonitor.report.settings import ReportSettings


@pytest.fixture(scope="module")
def survey_db(released_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("report-survey") / "jena.sqlite"
    shutil.copy(Path(released_db.removeprefix("sqlite:///")), path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    est = pd.DataFrame(
        [
            ["11", "survey_worries", 31.4, 2.0, 27.5, 35.4, 380, 350.0, 0.064, True],
            ["12", "survey_worries", 45.0, 16.0, 17.0, 76.0, 18, 16.0, 0.36, False],
            ["16053000", "survey_worries", 29.8, 0.9, 28.0, 31.6, 2100, 1900.0, 0.03, True],
        ],
        columns=[
            "unit_key",
            "indicator",
            "estimate",
            "se",
            "ci_low",
            "ci_high",
            "n",
            "n_eff",
            "cv",
            "publishable",
        ],
    )
    with session_scope(engine) as s:
        publish_estimates(
            s,
            est,
            survey="Haushaltebefragung 2017",
            level_key="ortsteil",
            ref_date=dt.date(2017, 6, 30),
            indicators=[{"key": "survey_worries", "name_de": "Anteil mit finanziellen Sorgen", "unit": "%"}],
            file_name="befragung.csv",
            file_hash="h",
            extra_units={"16053000": "stadt"},
        )
    engine.dispose()
    return url


def _html(url: str, year: int) -> str:
    engine = make_engine(url)
    with session_scope(engine) as s:
        report = build_report(s, ReportSettings(year=year), today=dt.date(2024, 3, 1))
    engine.dispose()
    return render_html(report)


def test_report_has_the_survey_chapter_with_ci_and_mark(survey_db: str) -> None:
    html = _html(survey_db, 2017)
    assert "Ergebnisse der Haushaltebefragung" in html
    assert 'id="tab-befragung-1"' in html
    assert "Anteil mit finanziellen Sorgen (%) – Haushaltebefragung 2017" in html
    table = html[html.index('id="tab-befragung-1"') :]
    table = table[: table.index("</table>")]
    assert '<th scope="row">Jena</th>' in table  # the city first
    assert "31,4" in table and "27,5 – 35,4" in table and ">380<" in table
    assert "⚠ zu unsicher – nicht interpretiert" in table
    assert "werden in diesem Bericht nicht interpretiert" in html
