"""report: qualitative interviews and their coded passages

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=200), nullable=False),
        sa.Column("group_name", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview")),
        sa.UniqueConstraint("document", name=op.f("uq_interview_document")),
    )
    op.create_table(
        "interview_passage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("subcode", sa.String(length=200), nullable=True),
        sa.Column("begin", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("for_report", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_interview_passage_interview_id_interview"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_passage")),
    )
    with op.batch_alter_table("interview_passage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interview_passage_interview_id"), ["interview_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("interview_passage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_passage_interview_id"))
    op.drop_table("interview_passage")
    op.drop_table("interview")
