"""The end of a turn, in one transaction: the activity marked done, the state saved, the replies queued.

A crash before this commit leaves nothing that says the activity was handled, so Teams' retry is
processed; a crash after it leaves the replies in the outbox, where the retry (or the background
sender, once the grace has passed) finds those not yet delivered.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional, Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from integrations.db.engine import Database
from integrations.db.host import EtagConflict, bot_state, processed_activities
from integrations.db.reminders import outbound_messages


class AlreadyDone(Exception):
    """Another delivery of the same activity committed first."""


@dataclass(frozen=True)
class StateWrite:
    key: str
    document: str
    etag: Optional[str]   # what the turn read; None or "*" overwrites
    new_etag: str


@dataclass(frozen=True)
class HeldReply:
    user_id: str
    text: str
    card: Optional[dict]


@dataclass(frozen=True)
class QueuedReply:
    id: int
    text: str
    card: Optional[dict]


def turn_source(activity_key: str) -> str:
    # The outbox's source column is short; a digest of the key finds a turn's replies again.
    return "turn:" + hashlib.sha256(activity_key.encode("utf-8", "replace")).hexdigest()[:48]


class TurnLedger:
    def __init__(self, database: Database):
        self._db = database

    async def is_done(self, activity_key: str, now: datetime) -> bool:
        async with self._db.engine.connect() as conn:
            found = await conn.scalar(select(processed_activities.c.activity_key).where(
                processed_activities.c.activity_key == activity_key, processed_activities.c.expires_at > now))
        return found is not None

    async def commit(self, *, activity_key: Optional[str], now: datetime, ttl: timedelta,
                     writes: Sequence[StateWrite], replies: Sequence[HeldReply], grace: timedelta) -> list[int]:
        """Commits the turn; returns the outbox ids of its replies, in order.

        Raises AlreadyDone when the activity was committed by another delivery, EtagConflict when a
        state document changed since the turn read it (nothing is written in either case)."""
        source = turn_source(activity_key or uuid.uuid4().hex)
        async with self._db.begin() as conn:
            if activity_key is not None:
                await _mark_done(conn, activity_key, now, ttl)
            for write in writes:
                await _write_state(conn, write, now)
            ids: list[int] = []
            for n, reply in enumerate(replies, 1):
                # Not due for the background sender until the grace has passed: the turn sends them itself.
                ids.append(await conn.scalar(insert(outbound_messages).values(
                    idempotency_key=f"{source}:{n}", user_id=reply.user_id[:256], kind="reply", source=source,
                    text=reply.text, card=json.dumps(reply.card) if reply.card else None,
                    not_before=now + grace, status="pending", claims=0, late=False, created_at=now,
                ).returning(outbound_messages.c.id)))
        return ids

    async def delivered(self, ids: Sequence[int], now: datetime, *, status: str = "sent") -> None:
        if not ids:
            return
        async with self._db.begin() as conn:
            await conn.execute(update(outbound_messages).where(
                outbound_messages.c.id.in_(list(ids)), outbound_messages.c.status.in_(("pending", "claimed")),
            ).values(status=status, finished_at=now, claimed_until=None))

    async def due_now(self, ids: Sequence[int], now: datetime) -> None:
        """Replies the turn could not deliver (throttled): the background sender takes them at once."""
        if not ids:
            return
        async with self._db.begin() as conn:
            await conn.execute(update(outbound_messages).where(
                outbound_messages.c.id.in_(list(ids)), outbound_messages.c.status == "pending",
            ).values(not_before=now))

    async def take_undelivered(self, activity_key: str, worker: str, now: datetime,
                               lease: timedelta) -> list[QueuedReply]:
        """A committed turn's replies not yet delivered, leased to this worker so nobody else sends them."""
        om = outbound_messages
        async with self._db.begin() as conn:
            rows = (await conn.execute(
                update(om).where(om.c.source == turn_source(activity_key), om.c.kind == "reply",
                                 (om.c.status == "pending") | ((om.c.status == "claimed") & (om.c.claimed_until < now)))
                .values(status="claimed", claimed_by=worker[:64], claimed_until=now + lease, claims=om.c.claims + 1)
                .returning(om.c.id, om.c.text, om.c.card)
            )).fetchall()
        return sorted((QueuedReply(row.id, row.text, json.loads(row.card) if row.card else None) for row in rows),
                      key=lambda r: r.id)


async def _mark_done(conn, activity_key: str, now: datetime, ttl: timedelta) -> None:
    try:
        async with conn.begin_nested():
            await conn.execute(insert(processed_activities).values(
                activity_key=activity_key, processed_at=now, expires_at=now + ttl))
        return
    except IntegrityError:
        pass
    # An expired record is a new delivery (the same id long after its time-to-live).
    result = await conn.execute(update(processed_activities).where(
        processed_activities.c.activity_key == activity_key, processed_activities.c.expires_at <= now,
    ).values(processed_at=now, expires_at=now + ttl))
    if result.rowcount != 1:
        raise AlreadyDone(activity_key)


async def _write_state(conn, write: StateWrite, now: datetime) -> None:
    values = dict(etag=write.new_etag, document=write.document, updated_at=now)
    if write.etag not in (None, "*"):
        result = await conn.execute(update(bot_state).where(
            bot_state.c.key == write.key, bot_state.c.etag == write.etag).values(**values))
        if result.rowcount != 1:
            raise EtagConflict(write.key)
        return
    result = await conn.execute(update(bot_state).where(bot_state.c.key == write.key).values(**values))
    if result.rowcount == 0:
        try:
            async with conn.begin_nested():
                await conn.execute(insert(bot_state).values(key=write.key, **values))
        except IntegrityError:
            await conn.execute(update(bot_state).where(bot_state.c.key == write.key).values(**values))
