"""Repositories for the host's own tables. Plain data in, plain data out."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy import Column, Integer, Table

from integrations.db.engine import Database
from integrations.db.metadata import metadata
from integrations.db.rows import from_row
from integrations.db.types import UtcDateTime
from integrations.db.types import String, Text


# --- tables ---
# Tables the host needs on every turn: bot state, conversation references, processed activities.

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


# --- repositories ---
class EtagConflict(Exception):
    """A write carried an e-tag that no longer matches the stored document."""


class StateDocuments:
    """Key/value documents with optimistic concurrency, as the Bot Framework's Storage contract wants.

    ``etag`` semantics: None or "*" overwrites; any other value must equal the stored e-tag.
    """

    def __init__(self, database: Database):
        self._db = database

    async def read(self, keys: list[str]) -> dict[str, tuple[str, str]]:
        """{key: (etag, document)} for the keys that exist."""
        if not keys:
            return {}
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(
                select(bot_state.c.key, bot_state.c.etag, bot_state.c.document).where(bot_state.c.key.in_(keys))
            )
            return {row.key: (row.etag, row.document) for row in rows}

    async def write(self, key: str, document: str, etag: str | None, now: datetime) -> str:
        """Stores the document and returns its new e-tag; raises EtagConflict on a stale e-tag."""
        new_etag = uuid.uuid4().hex
        async with self._db.begin() as conn:
            if etag not in (None, "*"):
                result = await conn.execute(
                    update(bot_state)
                    .where(bot_state.c.key == key, bot_state.c.etag == etag)
                    .values(etag=new_etag, document=document, updated_at=now)
                )
                if result.rowcount == 1:
                    return new_etag
                exists = await conn.scalar(select(bot_state.c.key).where(bot_state.c.key == key))
                if exists is not None:
                    raise EtagConflict(key)
                # The document was deleted meanwhile: an e-tag cannot match nothing.
                raise EtagConflict(key)
            result = await conn.execute(
                update(bot_state)
                .where(bot_state.c.key == key)
                .values(etag=new_etag, document=document, updated_at=now)
            )
            if result.rowcount == 0:
                try:
                    async with conn.begin_nested():
                        await conn.execute(
                            insert(bot_state).values(key=key, etag=new_etag, document=document, updated_at=now)
                        )
                except IntegrityError:
                    # Another writer created it between our update and insert; unconditional write wins.
                    await conn.execute(
                        update(bot_state)
                        .where(bot_state.c.key == key)
                        .values(etag=new_etag, document=document, updated_at=now)
                    )
        return new_etag

    async def delete(self, keys: list[str]) -> None:
        if not keys:
            return
        async with self._db.begin() as conn:
            await conn.execute(delete(bot_state).where(bot_state.c.key.in_(keys)))


@dataclass(frozen=True)
class StoredReference:
    user_id: str
    channel_id: str
    conversation_id: str
    service_url: str
    tenant_id: str | None
    user_name: str | None
    aad_object_id: str | None
    reference: dict
    unreachable: bool


class ConversationReferences:
    def __init__(self, database: Database):
        self._db = database

    async def save(
        self,
        *,
        user_id: str,
        channel_id: str,
        conversation_id: str,
        service_url: str,
        tenant_id: str | None,
        user_name: str | None,
        aad_object_id: str | None,
        reference: dict,
        now: datetime,
    ) -> None:
        values = dict(
            channel_id=channel_id,
            conversation_id=conversation_id,
            service_url=service_url,
            tenant_id=tenant_id,
            user_name=user_name,
            aad_object_id=aad_object_id,
            reference=json.dumps(reference),
            unreachable=0,
            updated_at=now,
        )
        async with self._db.begin() as conn:
            result = await conn.execute(
                update(conversation_refs).where(conversation_refs.c.user_id == user_id).values(**values)
            )
            if result.rowcount == 0:
                try:
                    async with conn.begin_nested():
                        await conn.execute(insert(conversation_refs).values(user_id=user_id, **values))
                except IntegrityError:
                    await conn.execute(
                        update(conversation_refs).where(conversation_refs.c.user_id == user_id).values(**values)
                    )

    async def get(self, user_id: str) -> StoredReference | None:
        async with self._db.engine.connect() as conn:
            row = (
                await conn.execute(select(conversation_refs).where(conversation_refs.c.user_id == user_id))
            ).first()
        return _reference_from_row(row) if row else None

    async def reachable(self, user_ids: list[str]) -> set[str]:
        """Which of these people have a stored conversation not marked unreachable, in one query per 500."""
        found: set[str] = set()
        async with self._db.engine.connect() as conn:
            for start in range(0, len(user_ids), 500):
                chunk = user_ids[start:start + 500]
                rows = await conn.execute(select(conversation_refs.c.user_id).where(
                    conversation_refs.c.user_id.in_(chunk), conversation_refs.c.unreachable == 0))
                found.update(row.user_id for row in rows)
        return found

    async def all(self) -> list[StoredReference]:
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(select(conversation_refs).order_by(conversation_refs.c.user_id))
            return [_reference_from_row(row) for row in rows]

    async def mark_unreachable(self, user_id: str, now: datetime) -> None:
        async with self._db.begin() as conn:
            await conn.execute(
                update(conversation_refs)
                .where(conversation_refs.c.user_id == user_id)
                .values(unreachable=1, updated_at=now)
            )

    async def delete(self, user_id: str) -> None:
        async with self._db.begin() as conn:
            await conn.execute(delete(conversation_refs).where(conversation_refs.c.user_id == user_id))


def _reference_from_row(row) -> StoredReference:
    return from_row(StoredReference, row, reference=json.loads(row.reference), unreachable=bool(row.unreachable))


class ProcessedActivities:
    """Remembers activity ids so a Teams retry of a slow turn is acknowledged, not processed twice."""

    def __init__(self, database: Database):
        self._db = database

    async def claim(self, activity_key: str, now: datetime, ttl: timedelta) -> bool:
        """True if this call is the first to see the activity (within its time-to-live)."""
        async with self._db.begin() as conn:
            try:
                async with conn.begin_nested():
                    await conn.execute(
                        insert(processed_activities).values(
                            activity_key=activity_key, processed_at=now, expires_at=now + ttl
                        )
                    )
                return True
            except IntegrityError:
                # Seen before; an expired record is a new delivery, so take it over.
                result = await conn.execute(
                    update(processed_activities)
                    .where(
                        processed_activities.c.activity_key == activity_key,
                        processed_activities.c.expires_at <= now,
                    )
                    .values(processed_at=now, expires_at=now + ttl)
                )
                return result.rowcount == 1

    async def release(self, activity_key: str) -> None:
        """Forget a claim whose turn failed, so Teams' retry is processed."""
        async with self._db.begin() as conn:
            await conn.execute(delete(processed_activities).where(processed_activities.c.activity_key == activity_key))

    async def purge_expired(self, now: datetime) -> int:
        async with self._db.begin() as conn:
            result = await conn.execute(delete(processed_activities).where(processed_activities.c.expires_at <= now))
            return result.rowcount
