"""Engine and session helpers, and schema upgrades through Alembic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Select, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from sozialmonitor.config import database_url

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any exception."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def refresh_statistics(session: Session) -> None:
    """After a bulk write, let the query planner see the new table sizes.

    SQLite keeps no statistics unless asked (without them it reads a year of one level through every
    unit's whole series: 0,3 s instead of 0,07 s for a Berlin-size year); the sampled ``ANALYZE`` takes a
    few milliseconds. PostgreSQL's autovacuum analyses by itself.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA analysis_limit=1000"))
        session.execute(text("ANALYZE"))


def read_frame(
    session: Session, stmt: Select[Any], columns: list[str], dates: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Rows of ``stmt`` as a data frame, fast for large reads (hundreds of thousands of rows).

    Pending changes of the session are flushed first; the rows are taken from the driver as they are
    (building SQLAlchemy rows costs more than reading them). Select date columns through
    ``type_coerce(column, String)``: the driver then returns them as text (SQLite) or dates (PostgreSQL),
    and ``dates`` lists the columns to convert to ``datetime.date`` once per distinct value instead of
    once per row.
    """
    session.flush()
    result = session.connection().execute(stmt)
    try:
        rows = result.cursor.fetchall() if result.cursor is not None else []
    finally:
        result.close()
    frame = pd.DataFrame(rows, columns=columns)
    for column in dates:
        codes, uniques = pd.factorize(frame[column])
        as_date = [d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)[:10]) for d in uniques]
        frame[column] = np.asarray([*as_date, None], dtype=object)[codes]  # code −1 (none) → None
    return frame


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to the given (default: current) schema revision."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
