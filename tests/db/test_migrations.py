"""The Alembic migrations produce exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from sozialmonitor.db.engine import current_revision, upgrade
from sozialmonitor.db.models import Base


def test_upgrade_reaches_head_and_matches_models(engine: Engine) -> None:
    assert current_revision(engine) == "0001"
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)
    assert {"observation", "spatial_unit", "import_run", "variable"} <= set(inspect(engine).get_table_names())
