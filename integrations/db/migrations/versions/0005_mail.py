"""mail: processed messages, reply outbox, per-sender reply window, mailbox cursors

Revision ID: 0005_mail
Revises: 0001_foundation
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

from integrations.db.types import UtcDateTime

revision = "0005_mail"
down_revision = "0001_foundation"
branch_labels = ("mail",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_processed",
        sa.Column("message_key", sa.String(80), nullable=False),
        sa.Column("processed_at", UtcDateTime, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("query_id", sa.String(32), nullable=True),
        sa.Column("logged_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("message_key", name="pk_mail_processed"),
    )
    op.create_index("ix_mail_processed_logged_at", "mail_processed", ["logged_at"])
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("message_key", sa.String(80), nullable=False),
        sa.Column("reply_message_id", sa.String(255), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_attempt_at", UtcDateTime, nullable=True),
        sa.Column("last_error", sa.String(64), nullable=True),
        sa.Column("sent_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_mail_outbox"),
        sa.UniqueConstraint("message_key", name="uq_mail_outbox_message_key"),
    )
    op.create_index("ix_mail_outbox_created_at", "mail_outbox", ["created_at"])
    op.create_index("ix_mail_outbox_sent_at", "mail_outbox", ["sent_at"])
    op.create_table(
        "mail_senders",
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("window_started_at", UtcDateTime, nullable=False),
        sa.Column("replies", sa.Integer, nullable=False),
        sa.Column("last_reply_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("sender_hash", name="pk_mail_senders"),
    )
    op.create_table(
        "mail_cursors",
        sa.Column("mailbox", sa.String(255), nullable=False),
        sa.Column("position", sa.String(512), nullable=True),
        sa.Column("holder", sa.String(64), nullable=True),
        sa.Column("lease_until", UtcDateTime, nullable=True),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("mailbox", name="pk_mail_cursors"),
    )


def downgrade() -> None:
    op.drop_table("mail_cursors")
    op.drop_table("mail_senders")
    op.drop_index("ix_mail_outbox_sent_at", "mail_outbox")
    op.drop_index("ix_mail_outbox_created_at", "mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_index("ix_mail_processed_logged_at", "mail_processed")
    op.drop_table("mail_processed")
