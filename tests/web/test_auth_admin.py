"""Sign-in, roles, CSRF, session cookie; import, undo and publish through the browser forms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sozialmonitor.cli.main import app as cli
from sozialmonitor.errors import ConfigError, ImportValidationError
from sozialmonitor.ingest import mapping_from_dict, read_table
from sozialmonitor.web.settings import WebSettings

from .conftest import PLANNER, SECRET, UNPUBLISHED, VIEWER, csrf_of, make_app, prepare_db, sign_in

MAPPING = """layout: wide
unit_column: statbez_id
date_column: jahr
reference_day: "12-31"
source: Test
name_column: statbez_name
variables:
  Einwohner (Hauptwohnung) insgesamt: residents_main
"""
HEAD = "statbez_id,statbez_name,jahr,Einwohner (Hauptwohnung) insgesamt\n"
GOOD = HEAD + "11,Ammerbach Ort,2018,470\n12,Beutenberg,2018,2700\n"
BAD = HEAD + "11,Ammerbach Ort,2018,vierhundert\n"


@pytest.fixture(scope="module")
def writable_app(released_db: str, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return make_app(prepare_db(released_db, tmp_path_factory.mktemp("admin") / "admin.sqlite"))


@pytest.fixture
def planner_w(writable_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(writable_app) as c:
        sign_in(c, PLANNER)
        yield c


def _upload(c: TestClient, body: str, name: str = "einwohner.csv") -> tuple[int, str]:
    token = csrf_of(c.get("/verwaltung").text)
    r = c.post(
        "/verwaltung/import",
        data={"csrf_token": token, "level": "statbez"},
        files={
            "file": (name, body.encode(), "text/csv"),
            "mapping": ("m.yaml", MAPPING.encode(), "text/yaml"),
        },
    )
    return r.status_code, r.text


def test_sign_in_sets_a_safe_session_cookie(writable_app: FastAPI) -> None:
    with TestClient(writable_app) as c:
        token = csrf_of(c.get("/anmelden").text)
        r = c.post(
            "/anmelden",
            data={"username": PLANNER[0], "password": PLANNER[1], "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
    app2 = _secure_app(str(writable_app.state.settings.db_url))
    with TestClient(app2, base_url="https://testserver") as c:
        token = csrf_of(c.get("/anmelden").text)
        r = c.post(
            "/anmelden",
            data={"username": PLANNER[0], "password": PLANNER[1], "csrf_token": token},
            follow_redirects=False,
        )
        assert "secure" in r.headers["set-cookie"].lower()


def _secure_app(url: str) -> FastAPI:
    from sozialmonitor.web.app import create_app

    return create_app(WebSettings(db_url=url, secret_key=SECRET, dev=False, cookie_secure=True))


def test_wrong_password_and_missing_csrf_are_refused(writable_app: FastAPI) -> None:
    with TestClient(writable_app) as c:
        token = csrf_of(c.get("/anmelden").text)
        r = c.post(
            "/anmelden", data={"username": PLANNER[0], "password": "falsch-falsch", "csrf_token": token}
        )
        assert r.status_code == 401 and "Benutzername oder Passwort ist falsch" in r.text
        r = c.post("/anmelden", data={"username": PLANNER[0], "password": PLANNER[1]})
        assert r.status_code == 403
        r = c.post("/anmelden", data={"username": PLANNER[0], "password": PLANNER[1], "csrf_token": "x" * 43})
        assert r.status_code == 403
        assert c.get("/verwaltung", follow_redirects=False).status_code == 303


def test_roles_viewer_cannot_import_or_publish(writable_app: FastAPI) -> None:
    with TestClient(writable_app) as c:
        sign_in(c, VIEWER)
        html = c.get("/verwaltung").text
        assert "Importe" in html and 'action="/verwaltung/import"' not in html
        token = csrf_of(html)
        r = c.post("/katalog/veroeffentlichung", data={"csrf_token": token, "indicator": "residents"})
        assert r.status_code == 403
        r = c.post("/verwaltung/importe/1/rueckgaengig", data={"csrf_token": token})
        assert r.status_code == 403
    with TestClient(writable_app) as anon:
        assert anon.post("/verwaltung/import", data={}).status_code == 401


def test_bad_import_shows_the_cli_messages(planner_w: TestClient, tmp_path: Path) -> None:
    status, html = _upload(planner_w, BAD)
    assert status == 422
    path = tmp_path / "einwohner.csv"
    path.write_text(BAD, encoding="utf-8")
    import yaml

    with pytest.raises(ImportValidationError) as exc:
        read_table(path, mapping_from_dict(yaml.safe_load(MAPPING)))
    import html as html_lib

    for line in exc.value.de.splitlines()[1:]:
        assert line in html_lib.unescape(html)
    assert "vierhundert" in html


def test_import_list_show_and_undo(planner_w: TestClient) -> None:
    status, html = _upload(planner_w, GOOD)
    assert status == 200 and "Import abgeschlossen" in html and "2 neu" in html
    imports = planner_w.get("/api/v1/imports").json()
    new = imports[0]
    assert new["file_name"] == "einwohner.csv" and new["inserted"] == 2
    detail = planner_w.get(f"/verwaltung/importe/{new['id']}").text
    assert "Ammerbach Ort" in detail and "residents_main" in detail
    ts = planner_w.get(
        "/api/v1/timeseries", params={"indicator": "residents", "level": "statbez", "unit": "11"}
    )
    assert ts.json()["series"][-1]["year"] == 2018
    token = csrf_of(planner_w.get("/verwaltung").text)
    assert planner_w.post(f"/verwaltung/importe/{new['id']}/rueckgaengig", data={}).status_code == 403
    r = planner_w.post(f"/verwaltung/importe/{new['id']}/rueckgaengig", data={"csrf_token": token})
    assert r.status_code == 200 and f"Import {new['id']} wurde rückgängig gemacht" in r.text
    ts = planner_w.get(
        "/api/v1/timeseries", params={"indicator": "residents", "level": "statbez", "unit": "11"}
    )
    assert ts.json()["series"][-1]["year"] == 2017
    again = planner_w.post(f"/verwaltung/importe/{new['id']}/rueckgaengig", data={"csrf_token": token})
    assert again.status_code == 409 and "bereits rückgängig" in again.text


def test_planner_publishes_explicitly(writable_app: FastAPI, planner_w: TestClient) -> None:
    with TestClient(writable_app) as public:
        assert public.get(f"/api/v1/atlas?indicator={UNPUBLISHED}&level=statbez").status_code == 404
        token = csrf_of(planner_w.get("/katalog").text)
        r = planner_w.post(
            "/katalog/veroeffentlichung",
            data={"csrf_token": token, "indicator": UNPUBLISHED, "action": "publish"},
        )
        assert r.status_code == 200
        # published after the release: public at once (its variables were released with the year)
        assert UNPUBLISHED in {i["key"] for i in public.get("/api/v1/indicators").json()}
        planner_w.post(
            "/katalog/veroeffentlichung",
            data={"csrf_token": token, "indicator": UNPUBLISHED, "action": "unpublish"},
        )
        assert public.get(f"/api/v1/atlas?indicator={UNPUBLISHED}&level=statbez").status_code == 404
        assert UNPUBLISHED not in {i["key"] for i in public.get("/api/v1/indicators").json()}


def test_settings_refuse_a_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOZIALMONITOR_SECRET_KEY", raising=False)
    monkeypatch.delenv("SOZIALMONITOR_DEV", raising=False)
    with pytest.raises(ConfigError, match="SOZIALMONITOR_SECRET_KEY"):
        WebSettings.from_env("sqlite://")
    monkeypatch.setenv("SOZIALMONITOR_SECRET_KEY", "kurz")
    with pytest.raises(ConfigError, match="zu kurz"):
        WebSettings.from_env("sqlite://")
    monkeypatch.setenv("SOZIALMONITOR_SECRET_KEY", SECRET)
    s = WebSettings.from_env("sqlite://")
    assert s.cookie_secure and not s.dev
    monkeypatch.delenv("SOZIALMONITOR_SECRET_KEY")
    monkeypatch.setenv("SOZIALMONITOR_DEV", "1")
    dev = WebSettings.from_env("sqlite://")
    assert dev.dev and not dev.cookie_secure


def test_cli_user_add_and_publish(released_db: str, tmp_path: Path) -> None:
    url = prepare_db(released_db, tmp_path / "cli.sqlite")
    runner = CliRunner()
    r = runner.invoke(
        cli, ["user", "add", "admin1", "--role", "admin", "--db", url], input="passwort-123456\n" * 2
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["user", "add", "x", "--role", "chef", "--db", url], input="passwort-123456\n" * 2)
    assert r.exit_code == 1
    r = runner.invoke(cli, ["publish", UNPUBLISHED, "--withdraw", "--db", url])
    assert r.exit_code == 0 and "zurückgezogen" in r.output
    with TestClient(make_app(url)) as c:
        sign_in(c, ("admin1", "passwort-123456"))
        assert "admin1" in c.get("/verwaltung").text
    r = runner.invoke(cli, ["serve", "--help"])
    assert r.exit_code == 0 and "--port" in r.output
