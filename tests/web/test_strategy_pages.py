"""Strategy pages: overview, goal page, editing a target (roles, CSRF, history), browser + axe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sozialmonitor.db.engine import session_scope
from sozialmonitor.strategy.store import history_frame
from sozialmonitor.web.strategy_view import parse_number

from .conftest import PLANNER, VIEWER, csrf_of, make_app, prepare_db, sign_in
from .test_browser import axe, browser, page, shot  # noqa: F401  (fixtures reused)
from .test_browser import sign_in as browser_sign_in

GOAL = "kj-1"
TARGET = "share_children_single_parents"
EDIT = f"/strategie/ziel/{GOAL}/zielindikator/{TARGET}"


@pytest.fixture(scope="module")
def strategy_app(released_db: str, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """Own database copy: these tests change targets."""
    return make_app(prepare_db(released_db, tmp_path_factory.mktemp("strategy") / "strategy.sqlite"))


def _client(app: FastAPI, user: tuple[str, str] | None) -> Iterator[TestClient]:
    with TestClient(app) as c:
        if user:
            sign_in(c, user)
        yield c


@pytest.fixture
def anon(strategy_app: FastAPI) -> Iterator[TestClient]:
    yield from _client(strategy_app, None)


@pytest.fixture
def planner_s(strategy_app: FastAPI) -> Iterator[TestClient]:
    yield from _client(strategy_app, PLANNER)


@pytest.fixture
def viewer_s(strategy_app: FastAPI) -> Iterator[TestClient]:
    yield from _client(strategy_app, VIEWER)


def test_overview_renders_fields_goals_and_status_de_en(client: TestClient) -> None:
    r = client.get("/strategie")
    assert r.status_code == 200
    html = r.text
    assert 'href="/strategie" aria-current="page"' in html  # main navigation
    for name in ("Steuerung, Planung und Information", "Wohnen in Jena", "Gesundheit"):
        assert name in html
    assert 'href="/strategie/ziel/kj-1"' in html
    # status as symbol and text, not colour only; the numbers behind it
    assert "status-off_track" in html and "nicht auf Kurs" in html and "✖" in html
    assert "status-achieved" in html and "erreicht" in html
    assert "Basis 2012" in html and "Ziel 2020" in html
    assert "geheimhaltungsgeschützten" in html  # public note
    assert "/strategie/historie" not in html  # history is internal
    en = client.get("/strategie?lang=en").text
    assert '<html lang="en">' in en
    assert "off track" in en and "Baseline 2012" in en


def test_goal_page_shows_targets_chart_table_and_measures(client: TestClient) -> None:
    r = client.get(f"/strategie/ziel/{GOAL}")
    assert r.status_code == 200
    html = r.text
    assert 'role="img"' in html and "<desc>" in html  # the strategy package's SVG chart
    assert "Werte: Anteil Kinder" in html  # table alternative
    assert "Prognose (80-%-Intervall)" in html and "Begründung" in html
    assert "Netzwerk Frühe Hilfen" in html and "laufend" in html and "Jugendamt" in html
    assert "Je Einheit" in html  # district target: one row per unit
    assert "<form" not in html.split("<main", 1)[1]  # no editing without sign-in
    en = client.get(f"/strategie/ziel/{GOAL}?lang=en").text
    assert "Target indicators" in en and "running" in en and 'lang="de"' in en  # chart text stays German
    assert client.get("/strategie/ziel/gibt-es-nicht").status_code == 404


def test_history_page_needs_sign_in(anon: TestClient, viewer_s: TestClient) -> None:
    assert anon.get("/strategie/historie").status_code == 401
    r = viewer_s.get("/strategie/historie")
    assert r.status_code == 200 and "strategie.yaml" in r.text


def test_viewer_cannot_edit(viewer_s: TestClient, anon: TestClient) -> None:
    page_html = viewer_s.get(f"/strategie/ziel/{GOAL}").text
    assert EDIT not in page_html  # no form for viewers
    token = csrf_of(page_html)  # the sign-out form's token
    r = viewer_s.post(EDIT, data={"csrf_token": token, "target_value": "23", "target_year": "2020"})
    assert r.status_code == 403
    assert anon.post(EDIT, data={"target_value": "23"}).status_code == 401


def test_missing_or_wrong_csrf_is_rejected(planner_s: TestClient, strategy_app: FastAPI) -> None:
    before = _history_len(strategy_app)
    assert planner_s.post(EDIT, data={"target_value": "23", "target_year": "2020"}).status_code == 403
    r = planner_s.post(EDIT, data={"csrf_token": "falsch", "target_value": "23", "target_year": "2020"})
    assert r.status_code == 403
    assert _history_len(strategy_app) == before


def _history_len(app: FastAPI) -> int:
    with session_scope(app.state.engine) as s:
        return len(history_frame(s))


def _target_status(html: str) -> str:
    part = html.split(f'id="target-{TARGET}"', 1)[1]
    return part.split('class="target-status">', 1)[1].split("</td>", 1)[0]


def test_planner_changes_a_target_status_recomputed_and_history(
    planner_s: TestClient, strategy_app: FastAPI
) -> None:
    html = planner_s.get(f"/strategie/ziel/{GOAL}").text
    assert "nicht auf Kurs" in _target_status(html)
    r = planner_s.post(
        EDIT,
        data={"csrf_token": csrf_of(html), "target_value": "23,0", "target_year": "2020", "comment": "Test"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith(f"/strategie/ziel/{GOAL}?msg=saved")
    after = planner_s.get(r.headers["location"]).text
    assert "status-achieved" in _target_status(after)
    hist = after.split('id="history"', 1)[1]
    assert "planerin" in hist and "target_value" in hist and "21" in hist and "23" in hist
    # invalid input: shown on the page, nothing stored
    bad = planner_s.post(
        EDIT, data={"csrf_token": csrf_of(after), "target_value": "viel", "target_year": "2020"}
    )
    assert bad.status_code == 422 and "Keine Zahl" in bad.text
    with session_scope(strategy_app.state.engine) as s:
        last = history_frame(s, f"{GOAL}/{TARGET}").iloc[0]
    assert (last["changed_by"], last["field"], last["new_value"], last["comment"]) == (
        "planerin",
        "target_value",
        "23",
        "Test",
    )


def test_parse_number() -> None:
    assert parse_number("21,5", "de") == 21.5
    assert parse_number("1.234,5", "de") == 1234.5
    assert parse_number("21.5", "de") == 21.5
    assert parse_number("1,234.5", "en") == 1234.5
    assert parse_number(" ", "de") is None


# -- browser (Playwright, real Chromium; fixtures and live server of test_browser) -------------------------


def test_browser_planner_changes_a_target_and_sees_status_and_history(page: Any) -> None:  # noqa: F811
    browser_sign_in(page)
    page.click("nav a[href='/strategie']")
    page.wait_for_url("**/strategie")
    assert page.locator(f"tr[data-goal='{GOAL}']").count() == 1
    problems = {"strategie": axe(page)}
    shot(page, "strategie")
    page.click(f"tr[data-goal='{GOAL}'] a")
    page.wait_for_url(f"**/strategie/ziel/{GOAL}")
    status = page.locator(f"#target-{TARGET} .target-status")
    assert "nicht auf Kurs" in status.text_content()
    problems["ziel"] = axe(page)
    page.fill(f"#e-{TARGET}-value", "23,0")
    page.fill(f"#e-{TARGET}-comment", "Browsertest")
    page.click(f"#target-{TARGET} form button[type=submit]")
    page.wait_for_url("**msg=saved**")
    page.locator("#saved").wait_for()
    assert "erreicht" in status.text_content() and "nicht" not in status.text_content()
    first = page.locator("#history tbody tr").first.text_content()
    assert "planerin" in first and "target_value" in first and "21" in first and "23" in first
    assert "Browsertest" in first
    shot(page, "strategie-ziel-geaendert")
    problems["ziel-geaendert"] = axe(page)
    page.goto("/strategie/historie")
    problems["historie"] = axe(page)
    page.goto("/strategie/ziel/oek-1?lang=en")
    problems["goal-en"] = axe(page)
    assert not {k: v for k, v in problems.items() if v}, problems
    assert not [e for e in page.errors if "404" not in e], page.errors  # (favicon)
