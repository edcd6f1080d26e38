"""Store: SQLAlchemy models, engine/session helpers and Alembic migrations."""
