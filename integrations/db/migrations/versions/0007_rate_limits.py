"""rate limits: incoming messages per person, counted in the database all replicas share

Revision ID: 0007_rate_limits
Revises: 0001_foundation
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

from integrations.db.types import UtcDateTime

revision = "0007_rate_limits"
down_revision = "0001_foundation"
branch_labels = ("rate_limits",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_hits",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(320), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rate_limit_hits"),
    )
    op.create_index("ix_rate_limit_hits_subject_at", "rate_limit_hits", ["subject", "at"])


def downgrade() -> None:
    op.drop_index("ix_rate_limit_hits_subject_at", "rate_limit_hits")
    op.drop_table("rate_limit_hits")
