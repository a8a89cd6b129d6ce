"""Tables for the review queue of drafts made by importing a forum deck.

``deck_imports`` is one row per import (which file, who, when, how many drafts). ``content_drafts``
is one row per draft: its kind (forum | event | deadline | faq), the draft itself as JSON as the
importer made it, the current JSON after staff edits, and who and when it was edited, accepted or
rejected. Rejected drafts stay, for the record. ``revision`` rises with every change, so two staff
pressing Accept on the same card cannot both apply it.
"""
from sqlalchemy import CheckConstraint, Column, Index, Integer, String, Table, Text

from integrations.db.metadata import metadata
from integrations.db.types import UtcDateTime

DRAFT_KINDS = ("forum", "event", "deadline", "faq")
DRAFT_STATUSES = ("pending", "accepted", "rejected")

deck_imports = Table(
    "deck_imports",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("file_name", String(300), nullable=False),
    Column("forum_id", String(64), nullable=False),
    Column("drafts", Integer, nullable=False),
    Column("imported_by", String(200), nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
)

content_drafts = Table(
    "content_drafts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("import_id", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("draft_key", String(200), nullable=False),        # the importer's id (e.g. induction-east-2025-05-06)
    Column("title", String(400), nullable=False),
    Column("original", Text, nullable=False),                # JSON, as imported
    Column("current", Text, nullable=False),                 # JSON, after edits
    Column("flags", Text, nullable=False),                   # JSON list of reasons to check
    Column("status", String(16), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("edited_by", String(200), nullable=True),
    Column("edited_at", UtcDateTime, nullable=True),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("decision_note", Text, nullable=True),
    Column("published_as", String(200), nullable=True),      # the id the accepted content went live under
    CheckConstraint("kind IN ('forum', 'event', 'deadline', 'faq')", name="kind"),
    CheckConstraint("status IN ('pending', 'accepted', 'rejected')", name="status"),
    Index("ix_content_drafts_status", "status", "created_at"),
    Index("ix_content_drafts_import_id", "import_id"),
)
