"""evaluations: participants (who is asked) and responses (one per person per forum)

Revision ID: 0006_evaluations
Revises: 0001_foundation
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from integrations.db.types import UtcDateTime

revision = "0006_evaluations"
down_revision = "0001_foundation"
branch_labels = ("evaluations",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluation_participants",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("forum_id", sa.String(64), nullable=False),
        sa.Column("respondent", sa.String(320), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("invited_at", UtcDateTime, nullable=True),
        sa.Column("reminded_at", UtcDateTime, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evaluation_participants"),
        sa.UniqueConstraint("forum_id", "respondent", name="uq_evaluation_participants_forum_id"),
        sa.CheckConstraint("channel IN ('teams', 'email')", name="ck_evaluation_participants_channel"),
        sa.CheckConstraint("source IN ('staff', 'subscriber', 'self')", name="ck_evaluation_participants_source"),
    )
    op.create_table(
        "evaluation_responses",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("forum_id", sa.String(64), nullable=False),
        sa.Column("respondent", sa.String(320), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("phase", sa.String(16), nullable=True),
        sa.Column("overall", sa.Integer, nullable=True),
        sa.Column("ratings", sa.Text, nullable=False),
        sa.Column("most_useful", sa.Text, nullable=True),
        sa.Column("could_be_better", sa.Text, nullable=True),
        sa.Column("topics", sa.Text, nullable=False),
        sa.Column("topics_other", sa.Text, nullable=True),
        sa.Column("edits", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evaluation_responses"),
        sa.UniqueConstraint("forum_id", "respondent", name="uq_evaluation_responses_forum_id"),
        sa.CheckConstraint("overall IS NULL OR (overall BETWEEN 1 AND 5)", name="ck_evaluation_responses_overall"),
        sa.CheckConstraint("channel IN ('teams', 'web')", name="ck_evaluation_responses_channel"),
    )
    op.create_index("ix_evaluation_responses_forum_updated", "evaluation_responses", ["forum_id", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_evaluation_responses_forum_updated", "evaluation_responses")
    op.drop_table("evaluation_responses")
    op.drop_table("evaluation_participants")
