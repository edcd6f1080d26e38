"""strategy: Handlungsfelder, goals, target indicators, measures (notes, outputs), change history

Revision ID: 0005
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "strategy_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_key", sa.String(length=300), nullable=False),
        sa.Column("field", sa.String(length=50), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_change")),
    )
    with op.batch_alter_table("strategy_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strategy_change_changed_at"), ["changed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_strategy_change_entity_key"), ["entity_key"], unique=False)

    op.create_table(
        "strategy_info",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_info")),
    )
    op.create_table(
        "strategy_field",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("name_de", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_field")),
        sa.UniqueConstraint("key", name=op.f("uq_strategy_field_key")),
    )
    op.create_table(
        "strategy_goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("adopted", sa.Date(), nullable=True),
        sa.Column("decision", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["field_id"], ["strategy_field.id"], name=op.f("fk_strategy_goal_field_id_strategy_field")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_goal")),
        sa.UniqueConstraint("key", name=op.f("uq_strategy_goal_key")),
    )
    with op.batch_alter_table("strategy_goal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strategy_goal_field_id"), ["field_id"], unique=False)

    op.create_table(
        "strategy_measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("responsible", sa.String(length=300), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("target_group", sa.Text(), nullable=False),
        sa.Column("districts", sa.JSON(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("budget", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["strategy_goal.id"], name=op.f("fk_strategy_measure_goal_id_strategy_goal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_measure")),
        sa.UniqueConstraint("key", name=op.f("uq_strategy_measure_key")),
    )
    with op.batch_alter_table("strategy_measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strategy_measure_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "strategy_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("indicator", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("level", sa.String(length=50), nullable=False),
        sa.Column("unit_keys", sa.JSON(), nullable=False),
        sa.Column("selection", sa.String(length=20), nullable=False),
        sa.Column("city_level", sa.String(length=50), nullable=False),
        sa.Column("baseline_year", sa.Integer(), nullable=False),
        sa.Column("baseline_value", sa.Float(), nullable=True),
        sa.Column("target_year", sa.Integer(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=True),
        sa.Column("target_change", sa.Float(), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("quorum", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["strategy_goal.id"], name=op.f("fk_strategy_target_goal_id_strategy_goal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_target")),
        sa.UniqueConstraint("goal_id", "key", name="uq_strategy_target_goal_key"),
    )
    with op.batch_alter_table("strategy_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strategy_target_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "strategy_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["strategy_measure.id"], name=op.f("fk_strategy_note_measure_id_strategy_measure")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_note")),
    )
    with op.batch_alter_table("strategy_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strategy_note_measure_id"), ["measure_id"], unique=False)

    op.create_table(
        "strategy_output",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["strategy_measure.id"],
            name=op.f("fk_strategy_output_measure_id_strategy_measure"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_output")),
        sa.UniqueConstraint("measure_id", "year", "kind", name="uq_strategy_output_cell"),
    )
    with op.batch_alter_table("strategy_output", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strategy_output_measure_id"), ["measure_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("strategy_output", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_output_measure_id"))

    op.drop_table("strategy_output")
    with op.batch_alter_table("strategy_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_note_measure_id"))

    op.drop_table("strategy_note")
    with op.batch_alter_table("strategy_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_target_goal_id"))

    op.drop_table("strategy_target")
    with op.batch_alter_table("strategy_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_measure_goal_id"))

    op.drop_table("strategy_measure")
    with op.batch_alter_table("strategy_goal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_goal_field_id"))

    op.drop_table("strategy_goal")
    op.drop_table("strategy_field")
    op.drop_table("strategy_info")
    with op.batch_alter_table("strategy_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_change_entity_key"))
        batch_op.drop_index(batch_op.f("ix_strategy_change_changed_at"))

    op.drop_table("strategy_change")
