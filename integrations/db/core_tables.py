"""Tables the host needs on every turn: bot state, conversation references, processed activities."""
from sqlalchemy import Column, Integer, String, Table, Text

from integrations.db.metadata import metadata
from integrations.db.types import UtcDateTime

bot_state = Table(
    "bot_state",
    metadata,
    Column("key", String(512), primary_key=True),
    Column("etag", String(64), nullable=False),
    Column("document", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# One row per user: proactive messages (reminders, answers from staff) need the latest reference.
conversation_refs = Table(
    "conversation_refs",
    metadata,
    Column("user_id", String(256), primary_key=True),
    Column("channel_id", String(64), nullable=False),
    Column("conversation_id", String(512), nullable=False),
    Column("service_url", String(512), nullable=False),
    Column("tenant_id", String(128), nullable=True),
    Column("user_name", String(256), nullable=True),
    Column("aad_object_id", String(128), nullable=True),
    Column("reference", Text, nullable=False),
    Column("unreachable", Integer, nullable=False, server_default="0"),
    Column("updated_at", UtcDateTime, nullable=False),
)

processed_activities = Table(
    "processed_activities",
    metadata,
    Column("activity_key", String(600), primary_key=True),
    Column("processed_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
)
