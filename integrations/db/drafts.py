"""The review queue of drafts imported from forum decks: tables and repository.

``deck_imports`` is one row per import (which file, who, when, how many drafts). ``content_drafts``
is one row per draft: its kind (forum | event | deadline | faq), the draft itself as JSON as the
importer made it, the current JSON after staff edits, and who and when it was edited, accepted or
rejected. Rejected drafts stay, for the record. ``revision`` rises with every change, so two staff
pressing Accept on the same card cannot both apply it.

Plain data in, plain data out; JSON stays in here.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, Index, Integer, Table, func, insert, select, update

from integrations.db.engine import Database
from integrations.db.metadata import metadata
from integrations.db.types import UtcDateTime
from integrations.db.types import String, Text

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


@dataclass(frozen=True)
class NewDraft:
    kind: str
    key: str
    title: str
    data: dict
    flags: tuple[str, ...]


@dataclass(frozen=True)
class StoredDraft:
    id: str
    import_id: str
    kind: str
    key: str
    title: str
    original: dict
    data: dict                      # the current version, after any edits
    flags: tuple[str, ...]
    status: str                     # pending | accepted | rejected
    revision: int
    created_at: datetime
    edited_by: Optional[str]
    edited_at: Optional[datetime]
    decided_by: Optional[str]
    decided_at: Optional[datetime]
    decision_note: Optional[str]
    published_as: Optional[str]


@dataclass(frozen=True)
class DeckImport:
    id: str
    file_name: str
    forum_id: str
    drafts: int
    imported_by: str
    imported_at: datetime


def _draft(row) -> StoredDraft:
    return StoredDraft(
        id=row.id, import_id=row.import_id, kind=row.kind, key=row.draft_key, title=row.title,
        original=json.loads(row.original), data=json.loads(row.current), flags=tuple(json.loads(row.flags)),
        status=row.status, revision=row.revision, created_at=row.created_at, edited_by=row.edited_by,
        edited_at=row.edited_at, decided_by=row.decided_by, decided_at=row.decided_at,
        decision_note=row.decision_note, published_as=row.published_as)


def _id() -> str:
    return secrets.token_hex(6)


class DraftRepository:
    def __init__(self, database: Database):
        self._db = database

    async def add_import(self, *, file_name: str, forum_id: str, drafts: list[NewDraft], by: str,
                         now: datetime) -> DeckImport:
        """One import and all its drafts, in one transaction: a failure leaves the queue as it was."""
        record = DeckImport(_id(), file_name, forum_id, len(drafts), by, now)
        async with self._db.begin() as conn:
            await conn.execute(insert(deck_imports).values(
                id=record.id, file_name=file_name, forum_id=forum_id, drafts=len(drafts), imported_by=by,
                imported_at=now))
            if drafts:
                await conn.execute(insert(content_drafts), [
                    {"id": _id(), "import_id": record.id, "kind": d.kind, "draft_key": d.key,
                     "title": d.title[:400], "original": json.dumps(d.data, ensure_ascii=False),
                     "current": json.dumps(d.data, ensure_ascii=False), "flags": json.dumps(list(d.flags)),
                     "status": "pending", "revision": 1, "created_at": now}
                    for d in drafts])
        return record

    async def list(self, *, status: Optional[str] = "pending", kind: Optional[str] = None) -> list[StoredDraft]:
        query = select(content_drafts)
        if status:
            query = query.where(content_drafts.c.status == status)
        if kind:
            query = query.where(content_drafts.c.kind == kind)
        query = query.order_by(content_drafts.c.created_at, content_drafts.c.import_id, content_drafts.c.kind,
                               content_drafts.c.draft_key)
        async with self._db.engine.connect() as conn:
            return [_draft(row) for row in (await conn.execute(query)).all()]

    async def get(self, draft_id: str) -> Optional[StoredDraft]:
        async with self._db.engine.connect() as conn:
            row = (await conn.execute(select(content_drafts).where(content_drafts.c.id == draft_id))).first()
        return _draft(row) if row else None

    async def count(self) -> int:
        async with self._db.engine.connect() as conn:
            return (await conn.execute(select(func.count()).select_from(content_drafts))).scalar_one()

    async def edit(self, draft_id: str, data: dict, *, revision: int, by: str, now: datetime) -> bool:
        """Saves an edited version if nobody changed the draft since ``revision`` and it is still pending."""
        values = {"current": json.dumps(data, ensure_ascii=False), "revision": revision + 1, "edited_by": by,
                  "edited_at": now}
        title = str(data.get("title") or data.get("question") or "")[:400]
        if title:
            values["title"] = title
        async with self._db.begin() as conn:
            result = await conn.execute(update(content_drafts).where(
                content_drafts.c.id == draft_id, content_drafts.c.revision == revision,
                content_drafts.c.status == "pending",
            ).values(**values))
        return result.rowcount == 1

    async def decide(self, draft_id: str, status: str, *, revision: int, by: str, now: datetime,
                     note: Optional[str] = None, published_as: Optional[str] = None) -> bool:
        """Marks a pending draft accepted or rejected; False when it was decided or changed meanwhile."""
        async with self._db.begin() as conn:
            result = await conn.execute(update(content_drafts).where(
                content_drafts.c.id == draft_id, content_drafts.c.revision == revision,
                content_drafts.c.status == "pending",
            ).values(status=status, revision=revision + 1, decided_by=by, decided_at=now, decision_note=note,
                     published_as=published_as))
        return result.rowcount == 1

    async def get_import(self, import_id: str) -> Optional[DeckImport]:
        async with self._db.engine.connect() as conn:
            r = (await conn.execute(select(deck_imports).where(deck_imports.c.id == import_id))).first()
        return DeckImport(r.id, r.file_name, r.forum_id, r.drafts, r.imported_by, r.imported_at) if r else None

    async def imports(self) -> list[DeckImport]:
        async with self._db.engine.connect() as conn:
            rows = (await conn.execute(select(deck_imports).order_by(deck_imports.c.imported_at))).all()
        return [DeckImport(r.id, r.file_name, r.forum_id, r.drafts, r.imported_by, r.imported_at) for r in rows]
