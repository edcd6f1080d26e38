"""variable upper bound (plausibility check at import)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("variable", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_value", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("variable", schema=None) as batch_op:
        batch_op.drop_column("max_value")
