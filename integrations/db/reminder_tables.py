"""Tables for reminders: subscriptions, tribunal cases, category announcements and the outbound queue.

Delivery is driven entirely by rows: ``reminders`` are announcements to every subscriber of a
category (fanned out when due), ``outbound_messages`` are single messages to one user with a
unique idempotency key, and ``delivery_attempts`` records every HTTP attempt's outcome.
"""
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from integrations.db.metadata import metadata
from integrations.db.types import UtcDateTime

reminder_subscriptions = Table(
    "reminder_subscriptions",
    metadata,
    Column("user_id", String(256), primary_key=True),
    Column("category", String(32), primary_key=True),
    Column("active", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_reminder_subscriptions_category", "category", "active"),
)

# A user appears here once they have been asked about reminders, so the question is asked once.
reminder_prompts = Table(
    "reminder_prompts",
    metadata,
    Column("user_id", String(256), primary_key=True),
    Column("asked_at", UtcDateTime, nullable=False),
)

tribunal_cases = Table(
    "tribunal_cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(256), nullable=False),
    # A label of the SENCO's choosing, redacted before storage: never a child's name.
    Column("reference", String(120), nullable=False),
    Column("final_ehcp_issued", Date, nullable=True),
    Column("hearing_on", Date, nullable=True),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_tribunal_cases_user_id", "user_id", "status"),
)

reminders = Table(
    "reminders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("category", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("source", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("card", Text, nullable=True),
    Column("due_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("status", String(16), nullable=False),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_until", UtcDateTime, nullable=True),
    Column("recipients", Integer, nullable=True),
    Column("created_by", String(256), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Index("ix_reminders_status", "status", "due_at"),
    Index("ix_reminders_source", "source"),
)

outbound_messages = Table(
    "outbound_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Same key = same message to the same person: the unique constraint makes "at most once" a database fact.
    Column("idempotency_key", String(512), nullable=False, unique=True),
    Column("user_id", String(256), nullable=False),
    Column("kind", String(64), nullable=False),
    # Set for reminders a user subscribed to: checked again at send time, so opting out always works.
    Column("category", String(32), nullable=True),
    Column("source", String(200), nullable=True),
    Column("reminder_id", String(36), nullable=True),
    Column("text", Text, nullable=False),
    Column("card", Text, nullable=True),
    Column("not_before", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("status", String(16), nullable=False),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_until", UtcDateTime, nullable=True),
    Column("claims", Integer, nullable=False, server_default="0"),
    Column("late", Boolean, nullable=False, server_default="0"),
    Column("activity_id", String(256), nullable=True),
    Column("detail", String(200), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Index("ix_outbound_messages_status", "status", "not_before"),
    Index("ix_outbound_messages_source", "source"),
    Index("ix_outbound_messages_claimed_by", "claimed_by"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", Integer, ForeignKey("outbound_messages.id", ondelete="CASCADE"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("worker", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("http_status", Integer, nullable=True),
    Column("outcome", String(32), nullable=False),
    Column("wait_seconds", Double, nullable=True),
    Column("detail", String(200), nullable=True),
    Index("ix_delivery_attempts_message_id", "message_id"),
)

# The shared pacing clock per tenant: processes reserve send slots from it so that together
# they stay under Teams' per-tenant ceiling. Seconds since the epoch, as a float.
send_rate_slots = Table(
    "send_rate_slots",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("next_at", Double, nullable=False),
)
