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


RELEASED_YEARS = (2007, 2008, 2010, 2012, 2015, 2016, 2017)
"""Years the released test database publishes (the years the web and report tests look at; 2015 for the
dynamics of the social index 2017)."""
UNPUBLISHED = "share_foreigners"
"""Left unpublished in the released test database: internal only."""


@pytest.fixture(scope="session")
def released_db(jena_db: str, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> str:
    """URL of the Jena demo with every indicator but one published and ``RELEASED_YEARS`` released.

    Releasing runs the protection and the audit (about 10 s a year), so the file is made once per test run
    and shared by the xdist workers (a file lock; read-only use: copy it before writing).
    """
    import fcntl
    import shutil

    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.indicators.catalogue import load_catalogue
    from sozialmonitor.publication.release import release_year
    from sozialmonitor.web.service import set_published

    base = tmp_path_factory.getbasetemp()
    root = base.parent if worker_id != "main" else base
    target = root / "jena_released.sqlite"
    with open(root / "jena_released.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            part = root / "jena_released.part"
            shutil.copy(jena_db.removeprefix("sqlite:///"), part)
            eng = make_engine(f"sqlite:///{part}")
            with session_scope(eng) as s:
                keys = [k for k in load_catalogue().indicators if k != UNPUBLISHED]
                set_published(s, keys, True, "test")
            for year in RELEASED_YEARS:
                with session_scope(eng) as s:
                    release_year(s, year, "test")
            eng.dispose()
            part.rename(target)
    return f"sqlite:///{target}"


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
