"""survey estimates

Revision ID: 0004
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_estimate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey", sa.String(length=200), nullable=False),
        sa.Column("variable_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("ref_date", sa.Date(), nullable=False),
        sa.Column("estimate", sa.Float(), nullable=True),
        sa.Column("se", sa.Float(), nullable=True),
        sa.Column("ci_low", sa.Float(), nullable=True),
        sa.Column("ci_high", sa.Float(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("n_eff", sa.Float(), nullable=True),
        sa.Column("cv", sa.Float(), nullable=True),
        sa.Column("publishable", sa.Boolean(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["import_run.id"], name=op.f("fk_survey_estimate_import_id_import_run")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["spatial_unit.id"], name=op.f("fk_survey_estimate_unit_id_spatial_unit")
        ),
        sa.ForeignKeyConstraint(
            ["variable_id"], ["variable.id"], name=op.f("fk_survey_estimate_variable_id_variable")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_estimate")),
    )
    with op.batch_alter_table("survey_estimate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_estimate_import_id"), ["import_id"], unique=False)
        batch_op.create_index("ix_survey_estimate_variable_date", ["variable_id", "ref_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("survey_estimate", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_estimate_variable_date")
        batch_op.drop_index(batch_op.f("ix_survey_estimate_import_id"))
    op.drop_table("survey_estimate")
