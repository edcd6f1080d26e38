"""Survey analysis page (/befragung) and stored survey estimates in the district profile."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sozialmonitor.db.engine import make_engine, session_scope
from sozialmonitor.fmt import number
from sozialmonitor.geo.units import units_frame
from sozialmonitor.indicators.survey_store import publish_estimates
from sozialmonitor.survey.design import survey_design
from sozialmonitor.survey.synthetic import synthetic_survey
from sozialmonitor.survey.tables import decimals_for, estimate_table
from sozialmonitor.web.service import set_published

from .conftest import PLANNER, VIEWER, csrf_of, make_app, prepare_db, sign_in
from .test_browser import axe, browser, page  # noqa: F401  (fixtures)
from .test_browser import sign_in as browser_sign_in


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    frame = synthetic_survey(n_population=20_000, n_sample=3_000, seed=5).respondents
    path = tmp_path_factory.mktemp("survey") / "antworten.csv"
    frame.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    return path, frame


@pytest.fixture
def viewer(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        sign_in(c, VIEWER)
        yield c


def _post(c: TestClient, path: Path | None, name: str = "antworten.csv", **fields: str) -> Any:
    token = csrf_of(c.get("/befragung").text)
    files = {"file": (name, path.read_bytes() if path else b"", "text/csv")}
    return c.post("/befragung", data={"csrf_token": token, **fields}, files=files)


DESIGN = {"weights": "design_weight", "strata": "planning_area"}


def test_sign_in_is_required(client: TestClient) -> None:
    r = client.get("/befragung", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/anmelden")
    assert client.post("/befragung", data={"csrf_token": "x"}).status_code == 401
    assert 'href="/befragung"' not in client.get("/").text


def test_upload_estimates_like_the_survey_package(
    viewer: TestClient, answers: tuple[Path, pd.DataFrame]
) -> None:
    path, frame = answers
    assert 'href="/befragung"' in viewer.get("/").text
    r = _post(
        viewer,
        path,
        variable="life_satisfaction",
        statistic="mean",
        domain="planning_area",
        format="html",
        **DESIGN,
    )
    assert r.status_code == 200, r.text
    expected = estimate_table(
        survey_design(frame, strata="planning_area", weights="design_weight"),
        "life_satisfaction",
        "mean",
        "planning_area",
    )
    dec = decimals_for(expected["estimate"])
    total = expected.iloc[0]
    html = r.text
    assert f'<td class="num">{number(float(total["estimate"]), dec, "de")}</td>' in html
    assert number(float(total["ci_low"]), dec, "de") in html and number(float(total["se"]), dec, "de") in html
    assert "Nord" in html and "Lobeda" in html
    assert "Zu unsicher" in html  # the rule is always explained
    # a small domain is marked as too uncertain (not by colour alone)
    r2 = _post(viewer, path, variable="financial_worries", statistic="mean", domain="age_group")
    small = estimate_table(survey_design(frame), "financial_worries", "mean", "age_group")
    assert r2.status_code == 200
    if (~small["publishable"]).any():
        assert "⚠ zu unsicher – nicht veröffentlichbar" in r2.text


def test_csv_and_xlsx_download(viewer: TestClient, answers: tuple[Path, pd.DataFrame]) -> None:
    path, frame = answers
    r = _post(viewer, path, variable="financial_worries", statistic="proportion", format="csv", **DESIGN)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Domäne", "Merkmal", "Schätzwert", "Standardfehler"]
    expected = estimate_table(
        survey_design(frame, strata="planning_area", weights="design_weight"),
        "financial_worries",
        "proportion",
    )
    assert len(rows) == 1 + len(expected)
    got = float(rows[1][2].replace(",", "."))
    assert got == pytest.approx(float(expected.iloc[0]["estimate"]), rel=1e-9)
    assert "," in rows[1][2] and rows[1][-1] in ("ja", "nein")
    x = _post(viewer, path, variable="financial_worries", statistic="proportion", format="xlsx", **DESIGN)
    assert x.status_code == 200 and x.content[:2] == b"PK"
    back = pd.read_excel(io.BytesIO(x.content))
    assert back.loc[0, "Schätzwert"] == pytest.approx(float(expected.iloc[0]["estimate"]))


def test_errors_are_shown_bilingual(
    viewer: TestClient, answers: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    path, _ = answers
    r = _post(viewer, path, variable="gibt_es_nicht", statistic="mean")
    assert r.status_code == 422
    assert "Die Variable &#39;gibt_es_nicht&#39;" in r.text and "is not in the file" in r.text
    bad = tmp_path / "kaputt.xlsx"
    bad.write_bytes(b"this is not a spreadsheet")
    r = _post(viewer, bad, name="kaputt.xlsx", variable="x")
    assert r.status_code == 422 and "konnte nicht gelesen werden" in r.text and "could not be read" in r.text
    r = _post(viewer, path, name="antworten.pdf", variable="x")
    assert r.status_code == 422 and "Unbekanntes Dateiformat" in r.text
    token = csrf_of(viewer.get("/befragung").text)
    assert viewer.post("/befragung", data={"csrf_token": token + "x", "variable": "a"}).status_code == 403


def test_survey_page_passes_axe(page: Any, answers: tuple[Path, pd.DataFrame]) -> None:  # noqa: F811
    path, _ = answers
    browser_sign_in(page)
    page.goto("/befragung")
    assert not axe(page)
    page.set_input_files("#s-file", str(path))
    page.fill("#s-variable", "life_satisfaction")
    page.fill("#s-domain", "planning_area")
    page.fill("#s-weights", "design_weight")
    page.click("button[value=html]")
    page.wait_for_selector("#survey-result")
    assert not axe(page)


# --- stored survey estimates in the profile ------------------------------------------------------------

OK_IND, UNSURE_IND = "survey_life_satisfaction", "survey_small_group"


@pytest.fixture(scope="module")
def survey_app(released_db: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[FastAPI, str, str]:
    url = prepare_db(released_db, tmp_path_factory.mktemp("websurvey") / "s.sqlite")
    eng = make_engine(url)
    with session_scope(eng) as s:
        units = units_frame(s)
        ortsteil = "11"
        child = units[(units["level"] == "statbez") & (units["parent_key"] == ortsteil)]["unit_key"].iloc[0]
        est = pd.DataFrame(
            [
                [ortsteil, OK_IND, 71.23, 1.1, 69.04, 73.42, 412, 380.5, 0.015, True],
                [ortsteil, UNSURE_IND, 12.5, 6.0, 3.1, 38.7, 21, 19.0, 0.48, False],
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
        publish_estimates(
            s,
            est,
            survey="Befragung 2017",
            level_key="ortsteil",
            ref_date=dt.date(2017, 6, 30),
            indicators=[
                {"key": OK_IND, "name_de": "Lebenszufriedenheit", "unit": "Punkte"},
                {"key": UNSURE_IND, "name_de": "Kleine Gruppe", "unit": "%"},
            ],
            file_name="befragung.csv",
            file_hash="h",
        )
        set_published(s, [OK_IND, UNSURE_IND], True, "test")
    eng.dispose()
    return make_app(url), ortsteil, str(child)


def test_profile_shows_survey_estimates_with_ci(survey_app: tuple[FastAPI, str, str]) -> None:
    app, ortsteil, child = survey_app
    with TestClient(app) as internal:
        sign_in(internal, PLANNER)
        html = internal.get(f"/profil/ortsteil/{ortsteil}").text
        assert 'id="h-survey"' in html and "Lebenszufriedenheit" in html
        assert "71,2" in html and "69,0 – 73,4" in html and ">412<" in html
        assert "Kleine Gruppe" in html and "⚠ zu unsicher – nicht veröffentlichbar" in html
        # a statistical district shows its Ortsteil's estimates, saying so
        sub = internal.get(f"/profil/statbez/{child}").text
        assert "69,0 – 73,4" in sub and "übergeordnete Gebiet" in sub
    with TestClient(app) as public:
        html = public.get(f"/profil/ortsteil/{ortsteil}").text
        assert "69,0 – 73,4" in html
        assert "Kleine Gruppe" not in html and "zu unsicher –" not in html


def test_profile_without_survey_is_unchanged(client: TestClient) -> None:
    assert 'id="h-survey"' not in client.get("/profil/ortsteil/11").text


def test_spss_file_and_missing_file(
    viewer: TestClient, answers: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    import pyreadstat

    _, frame = answers
    sav = tmp_path / "antworten.sav"
    pyreadstat.write_sav(frame[["planning_area", "life_satisfaction", "design_weight"]], str(sav))
    r = _post(
        viewer, sav, name="antworten.sav", variable="life_satisfaction", weights="design_weight", format="csv"
    )
    assert r.status_code == 200, r.text
    expected = estimate_table(survey_design(frame, weights="design_weight"), "life_satisfaction")
    got = float(r.content.decode("utf-8-sig").splitlines()[1].split(";")[2].replace(",", "."))
    assert got == pytest.approx(float(expected.iloc[0]["estimate"]))
    token = csrf_of(viewer.get("/befragung").text)
    r = viewer.post("/befragung", data={"csrf_token": token, "variable": "a"})
    assert r.status_code == 422 and "Bitte wählen Sie eine Datei aus." in r.text
