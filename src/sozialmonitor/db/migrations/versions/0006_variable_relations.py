"""variable relations (additive groups) for disclosure control

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "variable_relation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("total", sa.String(length=100), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variable_relation")),
    )
    with op.batch_alter_table("variable_relation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_variable_relation_total"), ["total"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("variable_relation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_variable_relation_total"))
    op.drop_table("variable_relation")
