"""publication: variable kind, releases, protected public cells, city settings

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from sozialmonitor.indicators.kinds import kind_from_unit

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("variable", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=10), server_default="count", nullable=False))
    # databases made before kinds existed: a one-time guess from the unit text (counts by default)
    conn = op.get_bind()
    variable = sa.table(
        "variable", sa.column("id", sa.Integer), sa.column("unit", sa.String), sa.column("kind")
    )
    for vid, unit in conn.execute(sa.select(variable.c.id, variable.c.unit)).all():
        kind = kind_from_unit(unit)
        if kind != "count":
            conn.execute(variable.update().where(variable.c.id == vid).values(kind=kind))
    op.create_table(
        "release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=True),
        sa.Column("released_at", sa.DateTime(), nullable=False),
        sa.Column("released_by", sa.String(length=100), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("audit", sa.JSON(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release")),
    )
    with op.batch_alter_table("release", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_release_year"), ["year"], unique=False)
    op.create_table(
        "public_cell",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=50), nullable=False),
        sa.Column("unit_key", sa.String(length=50), nullable=False),
        sa.Column("variable", sa.String(length=100), nullable=False),
        sa.Column("ref_date", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"], ["release.id"], name=op.f("fk_public_cell_release_id_release"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_cell")),
    )
    with op.batch_alter_table("public_cell", schema=None) as batch_op:
        batch_op.create_index("ix_public_cell_release_level", ["release_id", "level"], unique=False)
    op.create_table(
        "city_setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_city_setting")),
    )


def downgrade() -> None:
    op.drop_table("city_setting")
    with op.batch_alter_table("public_cell", schema=None) as batch_op:
        batch_op.drop_index("ix_public_cell_release_level")
    op.drop_table("public_cell")
    with op.batch_alter_table("release", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_year"))
    op.drop_table("release")
    with op.batch_alter_table("variable", schema=None) as batch_op:
        batch_op.drop_column("kind")
