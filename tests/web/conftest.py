"""Fixtures of the web tests: the Jena demo with web users and published indicators, app, clients, server."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sozialmonitor.db.engine import make_engine, session_scope, upgrade
from sozialmonitor.web.app import create_app
from sozialmonitor.web.auth import add_user
from sozialmonitor.web.settings import WebSettings

PLANNER = ("planerin", "sehr-geheimes-passwort")
VIEWER = ("leser", "auch-ein-passwort-1")
UNPUBLISHED = "share_foreigners"
"""Left unpublished in the test databases: internal only (the released_db fixture of tests/conftest.py
publishes every other indicator)."""
SECRET = "test-secret-key-with-more-than-32-characters"


def prepare_db(source_url: str, target: Path) -> str:
    """Copy the released Jena demo (every indicator but one published, test years released), add a
    planner and a viewer."""
    shutil.copy(source_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    eng = make_engine(url)
    upgrade(eng)
    with session_scope(eng) as s:
        add_user(s, *PLANNER, role="planner")
        add_user(s, *VIEWER, role="viewer")
    eng.dispose()
    return url


def make_app(url: str) -> FastAPI:
    settings = WebSettings(db_url=url, secret_key=SECRET, dev=False, cookie_secure=False)
    return create_app(settings)


@pytest.fixture(scope="session")
def web_db(released_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Read-only use: the Jena demo prepared for the web app."""
    return prepare_db(released_db, tmp_path_factory.mktemp("web") / "web.sqlite")


@pytest.fixture(scope="session")
def app(web_db: str) -> FastAPI:
    return make_app(web_db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A public (not signed-in) client."""
    with TestClient(app) as c:
        yield c


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def sign_in(c: TestClient, user: tuple[str, str]) -> None:
    token = csrf_of(c.get("/anmelden").text)
    r = c.post(
        "/anmelden",
        data={"username": user[0], "password": user[1], "csrf_token": token, "next": "/verwaltung"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


@pytest.fixture
def planner(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        sign_in(c, PLANNER)
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, app: FastAPI) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("web server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(released_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real uvicorn server (own database copy: browser tests import and undo) on a free port."""
    url = prepare_db(released_db, tmp_path_factory.mktemp("live") / "live.sqlite")
    with LiveServer(make_app(url)) as server:
        yield server
