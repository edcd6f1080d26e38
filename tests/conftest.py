"""Shared fixtures: real databases (SQLite file and PostgreSQL server), the built Jena demo."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from sozialmonitor.db.engine import make_engine, upgrade

PG_URL = os.environ.get("SOZIALMONITOR_TEST_PG_URL", "")
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"


def _pg_available() -> bool:
    if not PG_URL:
        return False
    try:
        eng = create_engine(PG_URL)
        with eng.connect():
            pass
        eng.dispose()
        return True
    except Exception:
        return False


PG_OK = _pg_available()
REQUIRE_PG = os.environ.get("SOZIALMONITOR_REQUIRE_PG") == "1"


def _pg_database(name: str) -> str:
    """Create (or reset) a database of that name on the test server and return its URL."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return re.sub(r"/[^/]*$", f"/{name}", PG_URL)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path, worker_id: str) -> Iterator[Engine]:
    """An empty database at the current schema: an SQLite file, and the PostgreSQL test server."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.sqlite'}")
    else:
        if not PG_OK:
            if REQUIRE_PG:
                pytest.fail(f"PostgreSQL test server not reachable at {PG_URL!r} (make pg-start)")
            pytest.skip("PostgreSQL test server not running (make test starts it)")
        eng = make_engine(_pg_database(f"sozialmonitor_t_{worker_id}"))
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def jena_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of an SQLite database with the full Jena demo, built once per test session (read-only use!)."""
    from sozialmonitor.demo import JENA
    from sozialmonitor.demo.build import build_city

    path = tmp_path_factory.mktemp("jena") / "jena.sqlite"
    url = f"sqlite:///{path}"
    eng = make_engine(url)
    build_city(JENA, eng)
    eng.dispose()
    return url


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    """xdist worker name (gw0, gw1, …) or 'main' when not running in parallel."""
    wid = getattr(request.config, "workerinput", {}).get("workerid")
    return str(wid) if wid else "main"


@pytest.fixture
def engine_pg_url(worker_id: str) -> str:
    """URL of a fresh, empty PostgreSQL database (schema not yet created)."""
    if not PG_OK:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL test server not reachable at {PG_URL!r} (make pg-start)")
        pytest.skip("PostgreSQL test server not running (make test starts it)")
    return _pg_database(f"sozialmonitor_d_{worker_id}")
