"""The end of a turn, in one transaction: the activity marked done, the state saved, the replies queued.

A crash before this commit leaves nothing that says the activity was handled, so Teams' retry is
processed; a crash after it leaves the replies in the outbox, where the retry (or the background
sender, once the grace has passed) finds those not yet delivered.
"""
from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Awaitable, Callable, Optional, Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from integrations.db.engine import Database
from integrations.db.host import EtagConflict, bot_state, processed_activities
from integrations.db.reminders import outbound_messages


# A write a turn makes along the way (the inbox's question log), held while a turn runs and done in the
# turn's commit: a turn cut off, or run again after a state conflict, leaves none of them behind.
TurnWork = Callable[[AsyncConnection], Awaitable[None]]
_held_work: contextvars.ContextVar[Optional[list]] = contextvars.ContextVar("held_turn_work", default=None)


def hold_turn_work() -> tuple[list, contextvars.Token]:
    work: list = []
    return work, _held_work.set(work)


def release_turn_work(token: contextvars.Token) -> None:
    _held_work.reset(token)


def defer_to_turn(work: TurnWork) -> bool:
    """Holds ``work`` for the commit of the turn running now; False (nothing held) outside a turn."""
    held = _held_work.get()
    if held is None:
        return False
    held.append(work)
    return True


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
        # Delivery records waiting for the next write: (ids, status, now, future), and the task writing them.
        self._marks: list[tuple[list[int], str, datetime, asyncio.Future]] = []
        self._marking: Optional[asyncio.Task] = None

    async def is_done(self, activity_key: str, now: datetime) -> bool:
        async with self._db.engine.connect() as conn:
            found = await conn.scalar(select(processed_activities.c.activity_key).where(
                processed_activities.c.activity_key == activity_key, processed_activities.c.expires_at > now))
        return found is not None

    async def commit(self, *, activity_key: Optional[str], now: datetime, ttl: timedelta,
                     writes: Sequence[StateWrite], replies: Sequence[HeldReply], grace: timedelta,
                     work: Sequence[TurnWork] = ()) -> list[int]:
        """Commits the turn (with the ``work`` it held); returns the outbox ids of its replies, in order.

        Raises AlreadyDone when the activity was committed by another delivery, EtagConflict when a
        state document changed since the turn read it (nothing is written in either case)."""
        source = turn_source(activity_key or uuid.uuid4().hex)
        async with self._db.begin() as conn:
            if activity_key is not None:
                await _mark_done(conn, activity_key, now, ttl)
            for write in writes:
                await _write_state(conn, write, now)
            for item in work:
                await item(conn)
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
        """Records replies as delivered (or refused for good); returns once that is committed.

        A reply Teams accepted but not yet recorded here is sent again if the process dies (nobody can
        know it arrived), so the record is written as soon as possible. On PostgreSQL that is a write of
        its own at once. On SQLite, whose writes queue on one lock, it is a group commit: the first record
        is written at once and those that come in while it is being written go together in the next
        write, so under load many turns' records cost one short transaction, not one each, and the
        queue for the lock is shorter for everyone."""
        if not ids:
            return
        if not self._db.is_sqlite:
            # One statement, so no transaction around it: the UPDATE alone, one round trip to the server.
            async with self._db.engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(_mark_statement(list(ids), status, now))
            return
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._marks.append((list(ids), status, now, done))
        if self._marking is None or self._marking.done() or self._marking.get_loop() is not loop:
            self._marking = loop.create_task(self._write_marks())
        # Shielded: a turn cancelled while waiting does not cancel the write its record is part of.
        await asyncio.shield(done)

    async def _write_marks(self) -> None:
        while self._marks:
            batch, self._marks = self._marks, []
            by_status: dict[str, tuple[list[int], datetime]] = {}
            for ids, status, now, _ in batch:
                listed, latest = by_status.get(status, ([], now))
                by_status[status] = (listed + ids, max(latest, now))
            try:
                await self._write_marks_now([(ids, status, now) for status, (ids, now) in by_status.items()])
            except BaseException as exc:
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(exc if isinstance(exc, Exception) else RuntimeError("cancelled"))
                if not isinstance(exc, Exception):
                    raise
                continue
            for *_, done in batch:
                if not done.done():
                    done.set_result(None)

    async def _write_marks_now(self, marks: Sequence[tuple[list[int], str, datetime]]) -> None:
        async with self._db.begin() as conn:
            for ids, status, now in marks:
                await conn.execute(_mark_statement(ids, status, now))

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


def _mark_statement(ids: list[int], status: str, now: datetime):
    return update(outbound_messages).where(
        outbound_messages.c.id.in_(ids), outbound_messages.c.status.in_(("pending", "claimed")),
    ).values(status=status, finished_at=now, claimed_until=None)


async def _mark_done(conn, activity_key: str, now: datetime, ttl: timedelta) -> None:
    # One statement: the mark, or, for an expired one (the same id long after its time-to-live, a new
    # delivery), its renewal; a live mark is left alone and nothing comes back.
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    pa = processed_activities
    statement = dialect_insert(pa).values(activity_key=activity_key, processed_at=now, expires_at=now + ttl)
    statement = statement.on_conflict_do_update(
        index_elements=[pa.c.activity_key],
        set_=dict(processed_at=statement.excluded.processed_at, expires_at=statement.excluded.expires_at),
        where=pa.c.expires_at <= now,
    ).returning(pa.c.activity_key)
    if (await conn.execute(statement)).first() is None:
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
