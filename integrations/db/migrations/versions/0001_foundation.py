"""foundation: bot state, conversation references, processed activities

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from integrations.db.types import UtcDateTime

revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bot_state",
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("etag", sa.String(64), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_bot_state"),
    )
    op.create_table(
        "conversation_refs",
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(512), nullable=False),
        sa.Column("service_url", sa.String(512), nullable=False),
        sa.Column("tenant_id", sa.String(128), nullable=True),
        sa.Column("user_name", sa.String(256), nullable=True),
        sa.Column("aad_object_id", sa.String(128), nullable=True),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("unreachable", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_conversation_refs"),
    )
    op.create_table(
        "processed_activities",
        sa.Column("activity_key", sa.String(600), nullable=False),
        sa.Column("processed_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("activity_key", name="pk_processed_activities"),
    )
    op.create_index("ix_processed_activities_expires_at", "processed_activities", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_processed_activities_expires_at", "processed_activities")
    op.drop_table("processed_activities")
    op.drop_table("conversation_refs")
    op.drop_table("bot_state")
