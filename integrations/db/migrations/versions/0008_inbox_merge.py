"""inbox merge: who merged which group into which, and when

Revision ID: 0008_inbox_merge
Revises: 0001_foundation
Create Date: 2026-12-05

A table of its own rather than columns on inbox_clusters: a branch from the foundation cannot alter a
table another branch creates without making that branch's revision stop being a head.
"""
import sqlalchemy as sa
from alembic import op

from integrations.db.types import UtcDateTime

revision = "0008_inbox_merge"
down_revision = "0001_foundation"
branch_labels = ("inbox_merge",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_merges",
        sa.Column("source_id", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(32), nullable=False),
        sa.Column("merged_by", sa.String(256), nullable=False),
        sa.Column("merged_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("source_id", name="pk_inbox_merges"),
    )
    op.create_index("ix_inbox_merges_target_id", "inbox_merges", ["target_id"])


def downgrade() -> None:
    op.drop_index("ix_inbox_merges_target_id", table_name="inbox_merges")
    op.drop_table("inbox_merges")
