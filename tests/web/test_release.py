"""An import is internal until a planner releases its year: API, pages and the browser release workflow."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from sozialmonitor.db.engine import make_engine, session_scope
from sozialmonitor.indicators.store import import_observations, observations_frame

from .conftest import PLANNER, LiveServer, make_app, prepare_db, sign_in
from .test_browser import ARTIFACTS, axe, browser  # noqa: F401 - the browser fixture

IND = "unemployment_share_sgb2"


def _import_2018(url: str) -> None:
    """A complete new year: the 2017 statistical-district figures again, dated 2018, as one import."""
    eng = make_engine(url)
    with session_scope(eng) as s:
        obs = observations_frame(s, level_key="statbez")
        obs = obs[[d.year == 2017 for d in obs["ref_date"]]]
        obs = obs.assign(ref_date=[dt.date(2018, d.month, d.day) for d in obs["ref_date"]])
        import_observations(
            s,
            obs[["unit_key", "ref_date", "variable", "value", "status"]],
            level_key="statbez",
            file_name="jena_2018.csv",
            file_hash="2018",
        )
    eng.dispose()


@pytest.fixture(scope="module")
def with_2018(released_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = prepare_db(released_db, tmp_path_factory.mktemp("release") / "r.sqlite")
    _import_2018(url)
    return url


def test_a_new_year_is_internal_until_released(with_2018: str, tmp_path: Path) -> None:
    shutil.copy(with_2018.removeprefix("sqlite:///"), tmp_path / "r.sqlite")
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    app = make_app(url)
    params = {"indicator": IND, "level": "statbez"}
    with TestClient(app) as public, TestClient(app) as internal:
        sign_in(internal, PLANNER)
        assert 2018 in internal.get("/api/v1/atlas", params=params).json()["years"]
        atlas = public.get("/api/v1/atlas", params=params).json()
        assert atlas["year"] == 2017 and 2018 not in atlas["years"]
        assert public.get("/api/v1/atlas", params={**params, "year": 2018}).status_code == 404
        assert "2017" in public.get("/atlas").text and "Stand der Daten: 2017" in public.get("/").text
        ts = public.get("/api/v1/timeseries", params={**params, "unit": "11"}).json()
        assert max(p["year"] for p in ts["series"]) == 2017
        # a planner releases 2018 in the browser's form (a background job), then the public sees it
        page = internal.get("/verwaltung/freigabe")
        assert page.status_code == 200 and 'data-year="2018"' in page.text
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        r = internal.post(
            "/verwaltung/freigabe", data={"year": "2018", "csrf_token": token}, follow_redirects=False
        )
        assert r.status_code == 303
        job = int(r.headers["location"].split("job=")[1])
        state = _wait(internal, job)
        assert state["state"] == "done", state
        atlas = public.get("/api/v1/atlas", params=params).json()
        assert atlas["year"] == 2018
        assert "Stand der Daten: 2018" in public.get("/").text
        # withdrawn: the year leaves the portal at once, the record stays
        page = internal.get("/verwaltung/freigabe")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        internal.post("/verwaltung/freigabe/zurueckziehen", data={"year": "2018", "csrf_token": token})
        assert public.get("/api/v1/atlas", params=params).json()["year"] == 2017
    eng = make_engine(url)
    with eng.connect() as c:
        rows = c.execute(text("select year, released_by, withdrawn_by from release where year = 2018")).all()
    eng.dispose()
    assert rows == [(2018, PLANNER[0], PLANNER[0])]


def _wait(client: TestClient, job: int, seconds: float = 300) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = client.get(f"/verwaltung/freigabe/auftrag/{job}").json()
        if state["state"] != "running":
            return dict(state)
        time.sleep(0.5)
    raise AssertionError("release job did not finish")


def test_viewers_and_the_public_cannot_release(with_2018: str) -> None:
    app = make_app(with_2018)
    with TestClient(app) as public:
        assert public.post("/verwaltung/freigabe", data={"year": "2018"}).status_code in (401, 403)
        r = public.get("/verwaltung/freigabe", follow_redirects=False)
        assert r.status_code == 303 and "/anmelden" in r.headers["location"]


@pytest.fixture(scope="module")
def release_server(with_2018: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    target = tmp_path_factory.mktemp("release-live") / "live.sqlite"
    shutil.copy(with_2018.removeprefix("sqlite:///"), target)
    with LiveServer(make_app(f"sqlite:///{target}")) as server:
        yield server


def test_browser_release_by_keyboard_with_progress(browser: Any, release_server: LiveServer) -> None:  # noqa: F811
    context = browser.new_context(base_url=release_server.url, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(120000)
    public = browser.new_context(base_url=release_server.url, locale="de-DE").new_page()
    public.goto("/")
    assert "Stand der Daten: 2017" in public.text_content("#data-state")
    page.goto("/anmelden")
    page.fill("#l-user", PLANNER[0])
    page.fill("#l-pass", PLANNER[1])
    page.keyboard.press("Enter")
    page.wait_for_url("**/verwaltung")
    page.goto("/verwaltung/freigabe")
    assert axe(page) == []
    button = page.locator("tr[data-year='2018'] button", has_text="Freigeben")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/verwaltung/freigabe?job=*")
    page.locator("#job[data-state='done']").wait_for()
    assert "Abgeschlossen" in page.text_content("#job-status")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "freigabe.png"), full_page=True)
    assert "freigegeben" in page.text_content("tr[data-year='2018']")
    assert axe(page) == []
    public.goto("/")
    assert "Stand der Daten: 2018" in public.text_content("#data-state")
    context.close()
