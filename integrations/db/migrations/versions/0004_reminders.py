"""reminders: subscriptions, tribunal cases, announcements, outbound queue, attempts, rate slots

Revision ID: 0004_reminders
Revises: 0001_foundation
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from integrations.db.types import UtcDateTime

revision = "0004_reminders"
down_revision = "0001_foundation"
branch_labels = ("reminders",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_subscriptions",
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "category", name="pk_reminder_subscriptions"),
    )
    op.create_index("ix_reminder_subscriptions_category", "reminder_subscriptions", ["category", "active"])

    op.create_table(
        "reminder_prompts",
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("asked_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_reminder_prompts"),
    )

    op.create_table(
        "tribunal_cases",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("reference", sa.String(120), nullable=False),
        sa.Column("final_ehcp_issued", sa.Date, nullable=True),
        sa.Column("hearing_on", sa.Date, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tribunal_cases"),
    )
    op.create_index("ix_tribunal_cases_user_id", "tribunal_cases", ["user_id", "status"])

    op.create_table(
        "reminders",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("card", sa.Text, nullable=True),
        sa.Column("due_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", UtcDateTime, nullable=True),
        sa.Column("recipients", sa.Integer, nullable=True),
        sa.Column("created_by", sa.String(256), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("finished_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reminders"),
        sa.UniqueConstraint("key", name="uq_reminders_key"),
    )
    op.create_index("ix_reminders_status", "reminders", ["status", "due_at"])
    op.create_index("ix_reminders_source", "reminders", ["source"])

    op.create_table(
        "outbound_messages",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("idempotency_key", sa.String(512), nullable=False),
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("category", sa.String(32), nullable=True),
        sa.Column("source", sa.String(200), nullable=True),
        sa.Column("reminder_id", sa.String(36), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("card", sa.Text, nullable=True),
        sa.Column("not_before", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", UtcDateTime, nullable=True),
        sa.Column("claims", sa.Integer, nullable=False, server_default="0"),
        sa.Column("late", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("activity_id", sa.String(256), nullable=True),
        sa.Column("detail", sa.String(200), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("finished_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbound_messages"),
        sa.UniqueConstraint("idempotency_key", name="uq_outbound_messages_idempotency_key"),
    )
    op.create_index("ix_outbound_messages_status", "outbound_messages", ["status", "not_before"])
    op.create_index("ix_outbound_messages_source", "outbound_messages", ["source"])
    op.create_index("ix_outbound_messages_claimed_by", "outbound_messages", ["claimed_by"])

    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("message_id", sa.Integer, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("http_status", sa.Integer, nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("wait_seconds", sa.Double, nullable=True),
        sa.Column("detail", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_attempts"),
        sa.ForeignKeyConstraint(
            ["message_id"], ["outbound_messages.id"],
            name="fk_delivery_attempts_message_id_outbound_messages", ondelete="CASCADE",
        ),
    )
    op.create_index("ix_delivery_attempts_message_id", "delivery_attempts", ["message_id"])

    op.create_table(
        "send_rate_slots",
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("next_at", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint("scope", name="pk_send_rate_slots"),
    )


def downgrade() -> None:
    op.drop_table("send_rate_slots")
    op.drop_index("ix_delivery_attempts_message_id", "delivery_attempts")
    op.drop_table("delivery_attempts")
    op.drop_index("ix_outbound_messages_claimed_by", "outbound_messages")
    op.drop_index("ix_outbound_messages_source", "outbound_messages")
    op.drop_index("ix_outbound_messages_status", "outbound_messages")
    op.drop_table("outbound_messages")
    op.drop_index("ix_reminders_source", "reminders")
    op.drop_index("ix_reminders_status", "reminders")
    op.drop_table("reminders")
    op.drop_index("ix_tribunal_cases_user_id", "tribunal_cases")
    op.drop_table("tribunal_cases")
    op.drop_table("reminder_prompts")
    op.drop_index("ix_reminder_subscriptions_category", "reminder_subscriptions")
    op.drop_table("reminder_subscriptions")
