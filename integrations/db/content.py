"""Repository of the shared content store (tables in content_tables.py). Plain data in and out.

A change is one transaction: the item row, its revision (before and after) and the version number
move together, so a replica that sees the new version also sees the change. The version row is
locked first (UPDATE … on PostgreSQL, BEGIN IMMEDIATE-like write lock on SQLite), so concurrent
changes are applied one after another and none is lost.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Optional

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from integrations.db.content_tables import content_items, content_revisions, content_version
from integrations.db.engine import Database


@dataclass(frozen=True)
class StoredItem:
    kind: str
    key: str
    doc: dict
    revision: int
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class Revision:
    id: int
    kind: str
    key: str
    action: str
    doc: Optional[dict]
    previous: Optional[dict]
    changed_by: str
    changed_at: datetime
    why: str


class StaleContent(RuntimeError):
    """The item changed since the caller read it (optimistic check on edit/withdraw)."""


def _dump(doc: Optional[dict]) -> Optional[str]:
    return None if doc is None else json.dumps(doc, ensure_ascii=False, sort_keys=False, default=str)


def _load(text: Optional[str]) -> Optional[dict]:
    return None if text is None else json.loads(text)


def _revision(row) -> Revision:
    return Revision(row.id, row.kind, row.key, row.action, _load(row.doc), _load(row.previous), row.changed_by,
                    row.changed_at, row.why)


class ContentRepository:
    def __init__(self, database: Database):
        self._db = database
        self._has_version_row = False

    @property
    def database(self) -> Database:
        return self._db

    async def version(self) -> int:
        async with self._db.engine.connect() as conn:
            value = (await conn.execute(select(content_version.c.version).where(content_version.c.id == 1))).scalar()
        return int(value or 0)

    async def snapshot(self) -> tuple[int, list[StoredItem]]:
        """The version and every live item, read together (one transaction)."""
        async with self._db.engine.connect() as conn:
            async with conn.begin():
                version = (await conn.execute(
                    select(content_version.c.version).where(content_version.c.id == 1))).scalar() or 0
                rows = (await conn.execute(select(content_items).order_by(
                    content_items.c.kind, content_items.c.revision, content_items.c.key))).all()
        return int(version), [StoredItem(r.kind, r.key, _load(r.doc), r.revision, r.updated_at, r.updated_by)
                              for r in rows]

    async def get(self, kind: str, key: str) -> Optional[StoredItem]:
        async with self._db.engine.connect() as conn:
            row = (await conn.execute(select(content_items).where(
                content_items.c.kind == kind, content_items.c.key == key))).first()
        return StoredItem(row.kind, row.key, _load(row.doc), row.revision, row.updated_at, row.updated_by) \
            if row else None

    async def change(self, changes: Iterable[tuple[str, str, Optional[dict], str]], *, by: str, why: str,
                     now: datetime, expect: Optional[dict[tuple[str, str], Optional[int]]] = None) -> list[Revision]:
        """Applies (kind, key, doc or None to withdraw, action) changes in one transaction.

        ``expect``: (kind, key) -> the revision the caller based its change on (None: must not exist);
        StaleContent if another change got there first.
        """
        made: list[Revision] = []
        await self._ensure_version_row(now)
        async with self._db.begin() as conn:
            # Taking the version row first serialises writers (the row lock on PostgreSQL).
            await conn.execute(update(content_version).where(content_version.c.id == 1)
                               .values(version=content_version.c.version + 1, changed_at=now))
            for kind, key, doc, action in changes:
                row = (await conn.execute(select(content_items).where(
                    content_items.c.kind == kind, content_items.c.key == key))).first()
                if expect is not None and (kind, key) in expect:
                    wanted = expect[(kind, key)]
                    if (row.revision if row else None) != wanted:
                        raise StaleContent(f"{kind} {key} changed since it was read")
                previous = _load(row.doc) if row else None
                result = await conn.execute(insert(content_revisions).values(
                    kind=kind, key=key, action=action, doc=_dump(doc), previous=_dump(previous), changed_by=by,
                    changed_at=now, why=why))
                revision_id = result.inserted_primary_key[0]
                if doc is None:
                    await conn.execute(delete(content_items).where(
                        content_items.c.kind == kind, content_items.c.key == key))
                elif row is None:
                    await conn.execute(insert(content_items).values(
                        kind=kind, key=key, doc=_dump(doc), revision=revision_id, updated_at=now, updated_by=by))
                else:
                    await conn.execute(update(content_items).where(
                        content_items.c.kind == kind, content_items.c.key == key).values(
                        doc=_dump(doc), revision=revision_id, updated_at=now, updated_by=by))
                made.append(Revision(revision_id, kind, key, action, doc, previous, by, now, why))
        return made

    async def _ensure_version_row(self, now: datetime) -> None:
        """The migration inserts the version row; a database emptied table by table (tests) gets it back here,
        once, whichever of several concurrent first writers gets there first."""
        if self._has_version_row:
            return
        async with self._db.engine.connect() as conn:
            exists = (await conn.execute(select(content_version.c.id).where(content_version.c.id == 1))).first()
        if not exists:
            try:
                async with self._db.begin() as conn:
                    await conn.execute(insert(content_version).values(id=1, version=0, changed_at=now))
            except IntegrityError:
                pass    # another writer inserted it first
        self._has_version_row = True

    async def history(self, *, kind: Optional[str] = None, key: Optional[str] = None,
                      limit: int = 50) -> list[Revision]:
        query = select(content_revisions).order_by(content_revisions.c.id.desc()).limit(limit)
        if kind:
            query = query.where(content_revisions.c.kind == kind)
        if key:
            query = query.where(content_revisions.c.key == key)
        async with self._db.engine.connect() as conn:
            return [_revision(r) for r in (await conn.execute(query)).all()]

    async def revision(self, revision_id: int) -> Optional[Revision]:
        async with self._db.engine.connect() as conn:
            row = (await conn.execute(select(content_revisions).where(content_revisions.c.id == revision_id))).first()
        return _revision(row) if row else None

    async def count(self) -> int:
        async with self._db.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(content_items))).scalar() or 0)
