"""The shared content store: forums, events, deadlines, FAQ entries and glossary terms, with history.

Each item is one document (the YAML mapping of its catalogue, as JSON), so the catalogue modules'
own parsers validate it and `sencobot kb export` writes the YAML back unchanged in shape.
"""
from sqlalchemy import Column, Integer, Table

from integrations.db.metadata import metadata
from integrations.db.types import UtcDateTime
from integrations.db.types import String, Text

# The live state: one row per item; a withdrawn item has no row (its history keeps it).
content_items = Table(
    "content_items",
    metadata,
    Column("kind", String(16), primary_key=True),        # forum | event | deadline | faq | glossary
    Column("key", String(160), primary_key=True),        # the item's id (a glossary term's text)
    Column("doc", Text, nullable=False),                 # JSON of the YAML mapping
    Column("revision", Integer, nullable=False),         # content_revisions.id of the change that wrote it
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(200), nullable=False),
)

# Every change, with the document before and after: history, undo, and who/when/why.
content_revisions = Table(
    "content_revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False, index=True),
    Column("key", String(160), nullable=False, index=True),
    Column("action", String(16), nullable=False),        # add | edit | withdraw | revert | import
    Column("doc", Text, nullable=True),                  # after (null: withdrawn)
    Column("previous", Text, nullable=True),             # before (null: did not exist)
    Column("changed_by", String(200), nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    Column("why", Text, nullable=False),
)

# One row: bumped by every change, so each replica polls one number to know its index is stale.
content_version = Table(
    "content_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("changed_at", UtcDateTime, nullable=True),
)
