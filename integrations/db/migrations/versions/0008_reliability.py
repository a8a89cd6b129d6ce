"""reliability: poison mail kept aside for staff, with the reason, after bounded tries

Revision ID: 0008_reliability
Revises: 0001_foundation
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

from integrations.db.types import UtcDateTime

revision = "0008_reliability"
down_revision = "0001_foundation"
branch_labels = ("reliability",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_quarantine",
        sa.Column("raw_hash", sa.String(80), nullable=False),
        sa.Column("tries", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=True),
        sa.Column("first_failed_at", UtcDateTime, nullable=False),
        sa.Column("last_failed_at", UtcDateTime, nullable=False),
        sa.Column("quarantined_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("raw_hash", name="pk_mail_quarantine"),
    )


def downgrade() -> None:
    op.drop_table("mail_quarantine")
