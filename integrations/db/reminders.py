"""Repositories for reminders and proactive delivery. Plain data in, plain data out.

Claiming is the heart of "exactly once": a row moves pending -> claimed in one UPDATE whose
candidate rows are locked with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite runs one
writer at a time, so the single statement is already atomic there). A claim carries a lease
(``claimed_by``/``claimed_until``): a process that dies leaves rows whose lease runs out,
and another process takes them over.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Optional, Sequence

from sqlalchemy import and_, case, func, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy import Boolean, Column, Date, Double, ForeignKey, Index, Integer, Table

from integrations.db.host import ConversationReferences, StoredReference
from integrations.db.host import conversation_refs
from integrations.db.engine import Database
from integrations.db.metadata import metadata
from integrations.db.rows import get_row, from_row
from integrations.db.types import UtcDateTime
from integrations.db.types import String, Text


# --- tables ---
# Tables for reminders: subscriptions, tribunal cases, category announcements and the outbound queue.
#
# Delivery is driven entirely by rows: ``reminders`` are announcements to every subscriber of a
# category (fanned out when due), ``outbound_messages`` are single messages to one user with a
# unique idempotency key, and ``delivery_attempts`` records every HTTP attempt's outcome.

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


# --- repositories ---
# Bulk inserts go in chunks that stay well under both drivers' bound-parameter limits.
_CHUNK = 400
_FINISHED = ("sent", "missed", "unreachable", "opted_out", "failed", "refused", "cancelled", "undeliverable")


def withdraw_statement(*, source: Optional[str] = None, keys: Iterable[str] = (), keep_keys: Iterable[str] = (),
                       now: datetime):
    """Cancels messages not yet claimed: by key, or every one from a source except ``keep_keys``."""
    om = outbound_messages
    keys, keep = list(keys), list(keep_keys)
    condition = [om.c.status == "pending"]
    if source is not None:
        condition.append(om.c.source == source)
    if keys:
        condition.append(om.c.idempotency_key.in_(keys))
    if keep:
        condition.append(om.c.idempotency_key.not_in(keep))
    return update(om).where(*condition).values(status="cancelled", finished_at=now)


def _insert_ignoring_duplicates(database: Database, table, conflict_columns: Sequence[str]):
    if database.is_sqlite:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    return dialect_insert(table), conflict_columns


def _card_out(text: Optional[str]) -> Optional[dict]:
    return json.loads(text) if text else None


# -- recipients ---------------------------------------------------------------------------------


class Recipients(ConversationReferences):
    """Conversation references, plus one-query lookup of a batch (a scheduler claims fifty at a time)."""

    async def get_many(self, user_ids: Iterable[str]) -> dict[str, StoredReference]:
        ids = sorted(set(user_ids))
        found: dict[str, StoredReference] = {}
        refs = conversation_refs
        async with self._db.engine.connect() as conn:
            for start in range(0, len(ids), _CHUNK):
                rows = await conn.execute(select(refs).where(refs.c.user_id.in_(ids[start:start + _CHUNK])))
                for row in rows:
                    found[row.user_id] = StoredReference(
                        user_id=row.user_id, channel_id=row.channel_id, conversation_id=row.conversation_id,
                        service_url=row.service_url, tenant_id=row.tenant_id, user_name=row.user_name,
                        aad_object_id=row.aad_object_id, reference=json.loads(row.reference),
                        unreachable=bool(row.unreachable),
                    )
        return found


# -- subscriptions ------------------------------------------------------------------------------


class Subscriptions:
    def __init__(self, database: Database):
        self._db = database

    async def set(self, user_id: str, categories: Iterable[str], active: bool, now: datetime) -> None:
        categories = sorted(set(categories))
        if not categories:
            return
        t = reminder_subscriptions
        async with self._db.engine.begin() as conn:
            for category in categories:
                result = await conn.execute(
                    update(t).where(t.c.user_id == user_id, t.c.category == category)
                    .values(active=active, updated_at=now)
                )
                if result.rowcount == 0:
                    try:
                        async with conn.begin_nested():
                            await conn.execute(
                                insert(t).values(user_id=user_id, category=category, active=active, updated_at=now)
                            )
                    except IntegrityError:
                        await conn.execute(
                            update(t).where(t.c.user_id == user_id, t.c.category == category)
                            .values(active=active, updated_at=now)
                        )

    async def active_categories(self, user_id: str) -> frozenset[str]:
        t = reminder_subscriptions
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(select(t.c.category).where(t.c.user_id == user_id, t.c.active.is_(True)))
            return frozenset(row.category for row in rows)

    async def active_for(self, user_ids: Iterable[str]) -> dict[str, frozenset[str]]:
        """{user_id: categories they currently receive}, for a batch of recipients."""
        ids = sorted(set(user_ids))
        found: dict[str, set[str]] = {}
        t = reminder_subscriptions
        async with self._db.engine.connect() as conn:
            for start in range(0, len(ids), _CHUNK):
                rows = await conn.execute(
                    select(t.c.user_id, t.c.category)
                    .where(t.c.user_id.in_(ids[start:start + _CHUNK]), t.c.active.is_(True))
                )
                for row in rows:
                    found.setdefault(row.user_id, set()).add(row.category)
        return {user: frozenset(found.get(user, ())) for user in ids}

    async def reachable_subscribers(self, category: str) -> list[str]:
        """Users subscribed to a category whom the bot can still reach in Teams."""
        t, refs = reminder_subscriptions, conversation_refs
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(
                select(t.c.user_id)
                .select_from(t.join(refs, refs.c.user_id == t.c.user_id))
                .where(t.c.category == category, t.c.active.is_(True), refs.c.unreachable == 0)
                .order_by(t.c.user_id)
            )
            return [row.user_id for row in rows]

    async def count_reachable(self, category: str) -> int:
        t, refs = reminder_subscriptions, conversation_refs
        async with self._db.engine.connect() as conn:
            return int(await conn.scalar(
                select(func.count())
                .select_from(t.join(refs, refs.c.user_id == t.c.user_id))
                .where(t.c.category == category, t.c.active.is_(True), refs.c.unreachable == 0)
            ) or 0)


class ReminderPrompts:
    """Remembers who has been asked about reminders, so each user is asked once."""

    def __init__(self, database: Database):
        self._db = database

    async def first_time(self, user_id: str, now: datetime) -> bool:
        async with self._db.engine.begin() as conn:
            try:
                async with conn.begin_nested():
                    await conn.execute(insert(reminder_prompts).values(user_id=user_id, asked_at=now))
                return True
            except IntegrityError:
                return False


# -- tribunal cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TribunalCase:
    id: str
    user_id: str
    reference: str
    final_ehcp_issued: Optional[dt.date]
    hearing_on: Optional[dt.date]
    status: str
    created_at: datetime
    updated_at: datetime


def _case_from_row(row) -> TribunalCase:
    return from_row(TribunalCase, row)


class TribunalCases:
    def __init__(self, database: Database):
        self._db = database

    async def add(self, *, user_id: str, reference: str, final_ehcp_issued: Optional[dt.date],
                  hearing_on: Optional[dt.date], now: datetime) -> TribunalCase:
        case_id = str(uuid.uuid4())
        async with self._db.engine.begin() as conn:
            await conn.execute(insert(tribunal_cases).values(
                id=case_id, user_id=user_id, reference=reference, final_ehcp_issued=final_ehcp_issued,
                hearing_on=hearing_on, status="open", created_at=now, updated_at=now,
            ))
        return TribunalCase(case_id, user_id, reference, final_ehcp_issued, hearing_on, "open", now, now)

    async def get(self, case_id: str, user_id: str) -> Optional[TribunalCase]:
        t = tribunal_cases
        async with self._db.engine.connect() as conn:
            row = (await conn.execute(select(t).where(t.c.id == case_id, t.c.user_id == user_id))).first()
        return _case_from_row(row) if row else None

    async def open_cases(self, user_id: str) -> list[TribunalCase]:
        t = tribunal_cases
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(
                select(t).where(t.c.user_id == user_id, t.c.status == "open").order_by(t.c.created_at, t.c.id)
            )
            return [_case_from_row(row) for row in rows]

    async def update_dates(self, case_id: str, user_id: str, *, final_ehcp_issued: Optional[dt.date],
                           hearing_on: Optional[dt.date], now: datetime) -> Optional[TribunalCase]:
        t = tribunal_cases
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(t).where(t.c.id == case_id, t.c.user_id == user_id, t.c.status == "open")
                .values(final_ehcp_issued=final_ehcp_issued, hearing_on=hearing_on, updated_at=now)
            )
            if result.rowcount != 1:
                return None
        return await self.get(case_id, user_id)

    async def close(self, case_id: str, user_id: str, now: datetime) -> Optional[TribunalCase]:
        t = tribunal_cases
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(t).where(t.c.id == case_id, t.c.user_id == user_id, t.c.status == "open")
                .values(status="closed", updated_at=now)
            )
            if result.rowcount != 1:
                return None
        return await self.get(case_id, user_id)


# -- announcements to a category ------------------------------------------------------------------


@dataclass(frozen=True)
class NewAnnouncement:
    key: str
    category: str
    kind: str                 # deadline | broadcast
    source: str               # e.g. "deadline:npq-senco-applications-close", "broadcast"
    text: str
    due_at: datetime
    expires_at: Optional[datetime] = None
    card: Optional[dict] = None
    created_by: Optional[str] = None


@dataclass(frozen=True)
class Announcement:
    id: str
    key: str
    category: str
    kind: str
    source: str
    text: str
    card: Optional[dict]
    due_at: datetime
    expires_at: Optional[datetime]
    status: str
    recipients: Optional[int]

    # The scheduler's due() reads every row through these two names.
    @property
    def not_before(self) -> datetime:
        return self.due_at


def _announcement_from_row(row) -> Announcement:
    return from_row(Announcement, row, card=_card_out(row.card))


class Announcements:
    def __init__(self, database: Database):
        self._db = database

    async def add(self, item: NewAnnouncement, now: datetime) -> bool:
        """False when an announcement with this key exists already (the key makes adding idempotent)."""
        stmt, conflict = _insert_ignoring_duplicates(self._db, reminders, ["key"])
        values = dict(
            id=str(uuid.uuid4()), key=item.key, category=item.category, kind=item.kind, source=item.source,
            text=item.text, card=json.dumps(item.card) if item.card else None, due_at=item.due_at,
            expires_at=item.expires_at, status="pending", created_by=item.created_by, created_at=now,
        )
        async with self._db.engine.begin() as conn:
            result = await conn.execute(stmt.values(**values).on_conflict_do_nothing(index_elements=conflict))
            return result.rowcount == 1

    async def get_by_key(self, key: str) -> Optional[Announcement]:
        row = await get_row(self._db, reminders, key=key)
        return _announcement_from_row(row) if row else None

    async def all(self, *, kind: Optional[str] = None) -> list[Announcement]:
        query = select(reminders).order_by(reminders.c.due_at, reminders.c.key)
        if kind:
            query = query.where(reminders.c.kind == kind)
        async with self._db.engine.connect() as conn:
            return [_announcement_from_row(row) for row in await conn.execute(query)]

    async def claim_due(self, worker: str, now: datetime, lease: timedelta) -> Optional[Announcement]:
        r = reminders
        candidate = (
            select(r.c.id)
            .where(r.c.due_at <= now, or_(r.c.status == "pending",
                                          and_(r.c.status == "expanding", r.c.claimed_until < now)))
            .order_by(r.c.due_at, r.c.id)
            .limit(1)
        )
        if not self._db.is_sqlite:
            candidate = candidate.with_for_update(skip_locked=True)
        stmt = (
            update(r).where(r.c.id.in_(candidate.scalar_subquery()))
            .values(status="expanding", claimed_by=worker, claimed_until=now + lease)
            .returning(*r.c)
        )
        async with self._db.engine.begin() as conn:
            row = (await conn.execute(stmt)).first()
        return _announcement_from_row(row) if row else None

    async def finish(self, announcement_id: str, worker: str, *, status: str, now: datetime,
                     recipients: Optional[int] = None) -> bool:
        r = reminders
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(r).where(r.c.id == announcement_id, r.c.claimed_by == worker, r.c.status == "expanding")
                .values(status=status, recipients=recipients, finished_at=now, claimed_until=None)
            )
            return result.rowcount == 1

    async def renew(self, worker: str, until: datetime) -> int:
        r = reminders
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(r).where(r.c.claimed_by == worker, r.c.status == "expanding").values(claimed_until=until)
            )
            return result.rowcount

    async def cancel_pending(self, *, kind: str, keep_keys: Iterable[str], now: datetime) -> int:
        """Cancels pending announcements of a kind whose key is no longer wanted (a deadline moved or went)."""
        r = reminders
        keep = list(set(keep_keys))
        condition = [r.c.kind == kind, r.c.status == "pending"]
        if keep:
            condition.append(r.c.key.not_in(keep))
        async with self._db.engine.begin() as conn:
            result = await conn.execute(update(r).where(*condition).values(status="cancelled", finished_at=now))
            return result.rowcount

    async def counts(self) -> dict[str, int]:
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(select(reminders.c.status, func.count()).group_by(reminders.c.status))
            return {status: int(n) for status, n in rows}


# -- the outbound queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewMessage:
    idempotency_key: str
    user_id: str
    text: str
    not_before: datetime
    kind: str = "notice"
    card: Optional[dict] = None
    expires_at: Optional[datetime] = None
    category: Optional[str] = None
    source: Optional[str] = None
    reminder_id: Optional[str] = None


@dataclass(frozen=True)
class OutboundMessage:
    id: int
    idempotency_key: str
    user_id: str
    kind: str
    category: Optional[str]
    source: Optional[str]
    reminder_id: Optional[str]
    text: str
    card: Optional[dict]
    not_before: datetime
    expires_at: Optional[datetime]
    status: str
    claims: int
    claimed_by: Optional[str] = None
    claimed_until: Optional[datetime] = None
    late: bool = False
    activity_id: Optional[str] = None
    detail: Optional[str] = None
    finished_at: Optional[datetime] = None


@dataclass(frozen=True)
class AttemptRecord:
    attempt: int
    at: datetime
    outcome: str
    http_status: Optional[int] = None
    wait_seconds: Optional[float] = None
    detail: Optional[str] = None


@dataclass(frozen=True)
class StoredAttempt:
    message_id: int
    attempt: int
    worker: str
    at: datetime
    outcome: str
    http_status: Optional[int]
    wait_seconds: Optional[float]
    detail: Optional[str]


def _message_from_row(row) -> OutboundMessage:
    return from_row(OutboundMessage, row, card=_card_out(row.card), late=bool(row.late))


def _message_values(item: NewMessage, now: datetime) -> dict:
    return dict(
        idempotency_key=item.idempotency_key, user_id=item.user_id, kind=item.kind, category=item.category,
        source=item.source, reminder_id=item.reminder_id, text=item.text,
        card=json.dumps(item.card) if item.card else None, not_before=item.not_before,
        expires_at=item.expires_at, status="pending", claims=0, late=False, created_at=now,
    )


class Outbox:
    def __init__(self, database: Database):
        self._db = database

    async def add(self, item: NewMessage, now: datetime) -> bool:
        """False when a message with this idempotency key exists already: it is never queued twice."""
        return await self.add_many([item], now) == 1

    async def add_many(self, items: Sequence[NewMessage], now: datetime) -> int:
        """Queues messages, skipping keys already queued; returns how many were new."""
        added = 0
        stmt, conflict = _insert_ignoring_duplicates(self._db, outbound_messages, ["idempotency_key"])
        for start in range(0, len(items), _CHUNK):
            chunk = [_message_values(item, now) for item in items[start:start + _CHUNK]]
            async with self._db.engine.begin() as conn:
                # Parameters passed separately (executemany) keep the statement's compiled form cached;
                # SQLAlchemy still sends them as multi-row INSERTs. A .values(chunk) statement is
                # compiled afresh every time, about 0.3 s per 400 rows.
                result = await conn.execute(
                    stmt.on_conflict_do_nothing(index_elements=conflict).returning(outbound_messages.c.id),
                    chunk,
                )
                added += len(result.fetchall())
        return added

    async def claim(self, worker: str, now: datetime, lease: timedelta, limit: int) -> list[OutboundMessage]:
        """Takes up to ``limit`` messages whose time has come and that nobody holds a live lease on."""
        om = outbound_messages
        candidates = (
            select(om.c.id)
            .where(
                om.c.status.in_(("pending", "claimed")),
                om.c.not_before <= now,
                or_(om.c.status == "pending", om.c.claimed_until < now),
            )
            .order_by(om.c.not_before, om.c.id)
            .limit(limit)
        )
        if not self._db.is_sqlite:
            candidates = candidates.with_for_update(skip_locked=True)
        stmt = (
            update(om).where(om.c.id.in_(candidates.scalar_subquery()))
            .values(status="claimed", claimed_by=worker, claimed_until=now + lease, claims=om.c.claims + 1)
            .returning(*om.c)
        )
        async with self._db.engine.begin() as conn:
            rows = (await conn.execute(stmt)).fetchall()
        return sorted((_message_from_row(row) for row in rows), key=lambda m: (m.not_before, m.id))

    async def renew(self, worker: str, until: datetime) -> int:
        om = outbound_messages
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(om).where(om.c.claimed_by == worker, om.c.status == "claimed").values(claimed_until=until)
            )
            return result.rowcount

    async def finish(self, message_id: int, worker: str, *, status: str, now: datetime, late: bool = False,
                     activity_id: Optional[str] = None, detail: Optional[str] = None,
                     attempts: Sequence[AttemptRecord] = ()) -> bool:
        """Records the outcome; False if this worker no longer held the claim (its lease had run out)."""
        if status not in _FINISHED:
            raise ValueError(f"not a final status: {status}")
        om = outbound_messages
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(om).where(om.c.id == message_id, om.c.claimed_by == worker, om.c.status == "claimed")
                .values(status=status, finished_at=now, claimed_until=None, late=late,
                        activity_id=activity_id, detail=(detail or None) and detail[:200])
            )
            if attempts:
                await conn.execute(insert(delivery_attempts), [
                    dict(message_id=message_id, attempt=a.attempt, worker=worker, at=a.at, outcome=a.outcome,
                         http_status=a.http_status, wait_seconds=a.wait_seconds,
                         detail=(a.detail or None) and a.detail[:200])
                    for a in attempts
                ])
            return result.rowcount == 1

    async def release(self, worker: str, message_ids: Iterable[int]) -> int:
        """Hands back claimed messages this worker will not send (shutting down), for others to take now."""
        ids = list(message_ids)
        if not ids:
            return 0
        om = outbound_messages
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(om).where(om.c.id.in_(ids), om.c.claimed_by == worker, om.c.status == "claimed")
                .values(status="pending", claimed_by=None, claimed_until=None, claims=om.c.claims - 1)
            )
            return result.rowcount

    async def cancel(self, *, source: Optional[str] = None, keys: Iterable[str] = (),
                     keep_keys: Iterable[str] = (), now: datetime) -> int:
        """Cancels messages not yet claimed: by key, or every one from a source except ``keep_keys``."""
        keys = list(keys)
        if source is None and not keys:
            return 0
        async with self._db.engine.begin() as conn:
            result = await conn.execute(withdraw_statement(source=source, keys=keys, keep_keys=keep_keys, now=now))
            return result.rowcount

    async def get(self, idempotency_key: str) -> Optional[OutboundMessage]:
        async with self._db.engine.connect() as conn:
            row = (await conn.execute(
                select(outbound_messages).where(outbound_messages.c.idempotency_key == idempotency_key)
            )).first()
        return _message_from_row(row) if row else None

    async def find(self, *, source: Optional[str] = None, user_id: Optional[str] = None,
                   status: Optional[str] = None) -> list[OutboundMessage]:
        om = outbound_messages
        query = select(om).order_by(om.c.not_before, om.c.id)
        if source is not None:
            query = query.where(om.c.source == source)
        if user_id is not None:
            query = query.where(om.c.user_id == user_id)
        if status is not None:
            query = query.where(om.c.status == status)
        async with self._db.engine.connect() as conn:
            return [_message_from_row(row) for row in await conn.execute(query)]

    async def attempts(self, message_id: int) -> list[StoredAttempt]:
        da = delivery_attempts
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(select(da).where(da.c.message_id == message_id).order_by(da.c.id))
            return [StoredAttempt(r.message_id, r.attempt, r.worker, r.at, r.outcome, r.http_status,
                                  r.wait_seconds, r.detail) for r in rows]

    async def counts(self) -> dict[str, int]:
        om = outbound_messages
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(select(om.c.status, func.count()).group_by(om.c.status))
            return {status: int(n) for status, n in rows}

    async def next_due(self) -> Optional[datetime]:
        om = outbound_messages
        async with self._db.engine.connect() as conn:
            return await conn.scalar(select(func.min(om.c.not_before)).where(om.c.status == "pending"))

    async def scrub_text(self, finished_before: datetime) -> int:
        """Blanks the text of messages finished long ago; the row (and its key) stays, so nothing resends."""
        om = outbound_messages
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(om).where(om.c.finished_at < finished_before, om.c.text != "")
                .values(text="", card=None)
            )
            return result.rowcount


# -- shared pacing ---------------------------------------------------------------------------------


@dataclass
class SharedSlots:
    """Send slots reserved from one row per scope, so several processes share one rate.

    ``reserve(scope, span, now)`` moves the scope's clock forward by ``span`` seconds from
    max(its value, now) and returns where the reserved stretch starts.
    """

    database: Database

    async def reserve(self, scope: str, span: float, now: float) -> float:
        t = send_rate_slots
        bumped = case((t.c.next_at > literal(now), t.c.next_at), else_=literal(now)) + literal(span)
        stmt = update(t).where(t.c.scope == scope).values(next_at=bumped).returning(t.c.next_at)
        for _ in range(2):
            async with self._db_begin() as conn:
                row = (await conn.execute(stmt)).first()
                if row is not None:
                    return float(row.next_at) - span
            insert_stmt, conflict = _insert_ignoring_duplicates(self.database, t, ["scope"])
            async with self._db_begin() as conn:
                await conn.execute(insert_stmt.values(scope=scope, next_at=now).on_conflict_do_nothing(
                    index_elements=conflict))
        raise RuntimeError(f"could not reserve send slots for {scope}")

    def _db_begin(self):
        # Turn replies reserve slots too: queue on the process's SQLite write lock, not the busy handler.
        return self.database.begin()
