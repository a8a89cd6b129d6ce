"""Tables for forum evaluations: who is asked, and what they answered.

``evaluation_participants`` is one row per person per forum: the people invited (staff-listed
attendees, reminder subscribers) and anyone who opened the survey themselves. Its random ``id``
is what a signed web link carries, so links hold no personal data; ``invited_at`` and
``reminded_at`` are claimed with a conditional update, so one replica sends each message.
``evaluation_responses`` is one row per person per forum, updated in place on every edit.
"""
from sqlalchemy import CheckConstraint, Column, Index, Integer, String, Table, Text, UniqueConstraint

from integrations.db.metadata import metadata
from integrations.db.types import UtcDateTime

PARTICIPANT_CHANNELS = ("teams", "email")
PARTICIPANT_SOURCES = ("staff", "subscriber", "self")
RESPONSE_CHANNELS = ("teams", "web")

evaluation_participants = Table(
    "evaluation_participants",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("forum_id", String(64), nullable=False),
    # A Teams user id (conversation_refs.user_id) or, for email invitations, the address.
    Column("respondent", String(320), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("source", String(16), nullable=False),
    Column("invited_at", UtcDateTime, nullable=True),
    Column("reminded_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("forum_id", "respondent", name="uq_evaluation_participants_forum_id"),
    CheckConstraint("channel IN ('teams', 'email')", name="channel"),
    CheckConstraint("source IN ('staff', 'subscriber', 'self')", name="source"),
)

evaluation_responses = Table(
    "evaluation_responses",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("forum_id", String(64), nullable=False),
    Column("respondent", String(320), nullable=False),
    # Where the latest version was given: the Teams card or the web form.
    Column("channel", String(16), nullable=False),
    # Every answer is optional: a partial response is kept as it is.
    Column("phase", String(16), nullable=True),
    Column("overall", Integer, nullable=True),
    Column("ratings", Text, nullable=False),          # JSON {agenda item id: 1..5}
    Column("most_useful", Text, nullable=True),       # free text, redacted before storage
    Column("could_be_better", Text, nullable=True),
    Column("topics", Text, nullable=False),           # JSON [next forum's agenda item ids]
    Column("topics_other", Text, nullable=True),
    Column("edits", Integer, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("forum_id", "respondent", name="uq_evaluation_responses_forum_id"),
    CheckConstraint("overall IS NULL OR (overall BETWEEN 1 AND 5)", name="overall"),
    CheckConstraint("channel IN ('teams', 'web')", name="channel"),
    Index("ix_evaluation_responses_forum_updated", "forum_id", "updated_at"),
)
