"""The Alembic migrations produce exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from typer.testing import CliRunner

from sozialmonitor.cli.main import app
from sozialmonitor.db.engine import current_revision, make_engine, upgrade
from sozialmonitor.db.models import Base


def test_upgrade_reaches_the_single_head_and_matches_models(engine: Engine) -> None:
    from alembic.script import ScriptDirectory

    from sozialmonitor.db.engine import alembic_config

    heads = ScriptDirectory.from_config(alembic_config(engine)).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    assert current_revision(engine) == heads[0]
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)
    assert {"observation", "spatial_unit", "import_run", "variable"} <= set(inspect(engine).get_table_names())


def test_db_upgrade_brings_an_older_database_with_data_to_the_current_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    old = make_engine(url)
    upgrade(old, "0001")
    with old.begin() as c:
        c.execute(text("INSERT INTO spatial_level VALUES (1, 'stadt', 'Stadt', 'City', 1)"))
        c.execute(
            text(
                "INSERT INTO spatial_unit (id, level_id, key, name, valid_from) "
                "VALUES (1, 1, '1', 'X', '1900-01-01')"
            )
        )
        c.execute(
            text(
                "INSERT INTO variable (id, key, name_de, name_en, unit) "
                "VALUES (1, 'residents_main', 'E', 'R', 'Anzahl')"
            )
        )
        c.execute(
            text(
                "INSERT INTO observation (unit_id, variable_id, ref_date, value, status) "
                "VALUES (1, 1, '2017-12-31', 108722, 'ok')"
            )
        )
    old.dispose()
    result = CliRunner().invoke(app, ["db", "upgrade", "--db", url])
    assert result.exit_code == 0
    eng = make_engine(url)
    assert "survey_estimate" in set(inspect(eng).get_table_names())
    with eng.connect() as c:
        assert c.execute(text("SELECT value FROM observation")).scalar() == 108722
    eng.dispose()
