"""Bookings storage: every change to one event's bookings runs in one transaction that holds
that event's lock, so capacity checks and waitlist promotion never race.

How the lock is taken:
- PostgreSQL: ``SELECT … FOR UPDATE`` on the event's ``booking_events`` row. Other events'
  bookings proceed in parallel; READ COMMITTED lets each statement after the lock see the
  previous holder's committed rows.
- SQLite has one writer at a time anyway. ``Database.begin`` queues this process's writers on an
  asyncio lock; ``BEGIN IMMEDIATE`` then takes SQLite's write lock before the first read, because a
  deferred transaction that reads and then writes fails with "database is locked" (instead of
  waiting) when another process (the CLI, a second replica) wrote in between; busy_timeout makes
  other processes wait for it.

The booking rules themselves live in bot.bookings.service; this module only stores.
"""
from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import AsyncIterator, Iterable, Optional, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, Table, text

from integrations.db.engine import Database
from integrations.db.mail import mail_outbox
from integrations.db.reminders import _insert_ignoring_duplicates, _message_values, outbound_messages, \
    withdraw_statement
from integrations.db.metadata import metadata
from integrations.db.rows import get_row, from_row
from integrations.db.types import UtcDateTime
from integrations.db.types import String


# --- tables ---
# Tables for event bookings: the live state of each catalogue event, and the bookings.
#
# ``booking_events`` mirrors what bookings need from knowledge/data/events.yaml (capacity,
# status, a fingerprint of time and place) and is the row every booking change locks, so
# capacity is enforced under any concurrency. ``bookings.id`` is the joining order: the
# waitlist is promoted by it.

BOOKING_STATUSES = ("confirmed", "waitlisted", "cancelled")
ACTIVE_STATUSES = ("confirmed", "waitlisted")

booking_events = Table(
    "booking_events",
    metadata,
    Column("event_id", String(100), primary_key=True),
    Column("capacity", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    # Hash of what a calendar invite shows (title, times, place): a change means "send an update".
    Column("fingerprint", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

_ACTIVE = text("status IN ('confirmed', 'waitlisted')")

bookings = Table(
    "bookings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ref", String(32), nullable=False, unique=True),
    Column("event_id", String(100), ForeignKey("booking_events.event_id"), nullable=False),
    Column("user_id", String(256), nullable=False),
    Column("name", String(200), nullable=False),
    Column("school", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("status", String(16), nullable=False),
    # The invite's SEQUENCE: raised on every change the booker's calendar must hear about.
    Column("sequence", Integer, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("confirmed_at", UtcDateTime, nullable=True),
    Column("cancelled_at", UtcDateTime, nullable=True),
    Column("cancelled_by", String(16), nullable=True),
    CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name="status"),
    Index("ix_bookings_event_status", "event_id", "status", "id"),
    Index("ix_bookings_user_id", "user_id"),
    # One active booking per person per event; cancelled rows stay as history.
    Index(
        "uq_bookings_active_person", "event_id", "user_id", unique=True,
        sqlite_where=_ACTIVE, postgresql_where=_ACTIVE,
    ),
)


# --- repositories ---
class BookingConflict(Exception):
    """A booking change broke a uniqueness rule (one active booking per person and event): another
    process got there first."""


@dataclass(frozen=True)
class EventState:
    event_id: str
    capacity: int
    status: str
    fingerprint: str


@dataclass(frozen=True)
class Booking:
    id: int                 # joining order
    ref: str                # public reference (links, calendar UID)
    event_id: str
    user_id: str
    name: str
    school: str
    email: str
    status: str             # confirmed | waitlisted | cancelled
    sequence: int           # calendar SEQUENCE last sent (or to send)
    created_at: datetime
    confirmed_at: Optional[datetime]
    cancelled_at: Optional[datetime]
    cancelled_by: Optional[str]

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


@dataclass(frozen=True)
class EventCounts:
    confirmed: int = 0
    waitlisted: int = 0


class EventChange:
    """One transaction on one event's bookings, with the event locked. Obtained from
    ``BookingRepository.change``; every method runs inside that transaction.

    Taking the lock also reads the counts (and the caller's active booking, if asked), and the
    counts are kept up to date as this transaction changes them, so a booking is a handful of
    round trips (begin, lock and counts, insert, commit): they bound throughput on one popular event.
    """

    def __init__(self, conn: AsyncConnection, state: EventState, created: bool, *, confirmed: int,
                 waitlisted: int, mine: Optional[int], user_id: Optional[str], database=None):
        self._conn = conn
        self._db_like = database
        self.state = state
        self.created = created  # the event row was made by this change (first time it is seen)
        self.confirmed = confirmed
        self.waitlisted = waitlisted
        self._mine = mine
        self._user_id = user_id

    async def update_state(self, *, capacity: int, status: str, fingerprint: str, now: datetime) -> None:
        await self._conn.execute(
            update(booking_events)
            .where(booking_events.c.event_id == self.state.event_id)
            .values(capacity=capacity, status=status, fingerprint=fingerprint, updated_at=now)
        )
        self.state = EventState(self.state.event_id, capacity, status, fingerprint)

    async def active_booking(self, user_id: str) -> Optional[Booking]:
        if user_id == self._user_id:
            return await self._by_id(self._mine) if self._mine is not None else None
        row = (await self._conn.execute(
            select(bookings).where(
                bookings.c.event_id == self.state.event_id,
                bookings.c.user_id == user_id,
                bookings.c.status.in_(ACTIVE_STATUSES),
            )
        )).first()
        return _booking(row) if row else None

    async def get(self, ref: str) -> Optional[Booking]:
        row = (await self._conn.execute(
            select(bookings).where(bookings.c.ref == ref, bookings.c.event_id == self.state.event_id)
        )).first()
        return _booking(row) if row else None

    async def add(self, *, ref: str, user_id: str, name: str, school: str, email: str, status: str,
                  now: datetime) -> Booking:
        values = dict(
            ref=ref, event_id=self.state.event_id, user_id=user_id, name=name, school=school, email=email,
            status=status, sequence=0, created_at=now, confirmed_at=now if status == "confirmed" else None,
        )
        row = (await self._conn.execute(bookings.insert().values(**values).returning(*bookings.c))).one()
        self._count(status, +1)
        return _booking(row)

    async def follow_up(self, *, notices: Sequence, emails: Sequence[tuple[str, str, bytes]], now: datetime) -> None:
        """Queues what follows a change in the same transaction: Teams notices (reminders) in the delivery
        outbox and emails (key, Message-ID, message) in the mail outbox. A repeat of a key is ignored."""
        if notices:
            stmt, conflict = _insert_ignoring_duplicates(self._db_like, outbound_messages, ["idempotency_key"])
            await self._conn.execute(stmt.on_conflict_do_nothing(index_elements=conflict),
                                     [_message_values(item, now) for item in notices])
        for key, message_id, content in emails:
            stmt, conflict = _insert_ignoring_duplicates(self._db_like, mail_outbox, ["message_key"])
            await self._conn.execute(stmt.values(id=uuid.uuid4().hex, message_key=key, reply_message_id=message_id,
                                                 content=content, created_at=now, attempts=0)
                                     .on_conflict_do_nothing(index_elements=conflict))

    async def withdraw_notices(self, *, source: str, keep_keys: Sequence[str], now: datetime) -> None:
        """Withdraws a source's queued notices not yet being sent, but ``keep_keys``, in this transaction."""
        await self._conn.execute(withdraw_statement(source=source, keep_keys=keep_keys, now=now))

    async def waitlist(self, limit: Optional[int] = None) -> list[Booking]:
        """Waitlisted bookings in joining order."""
        query = (select(bookings)
                 .where(bookings.c.event_id == self.state.event_id, bookings.c.status == "waitlisted")
                 .order_by(bookings.c.id))
        if limit is not None:
            query = query.limit(limit)
        return [_booking(row) for row in await self._conn.execute(query)]

    async def waitlist_position(self, booking: Booking) -> int:
        return await self._conn.scalar(
            select(func.count()).select_from(bookings).where(
                bookings.c.event_id == self.state.event_id,
                bookings.c.status == "waitlisted",
                bookings.c.id <= booking.id,
            )
        )

    async def active(self) -> list[Booking]:
        rows = await self._conn.execute(
            select(bookings)
            .where(bookings.c.event_id == self.state.event_id, bookings.c.status.in_(ACTIVE_STATUSES))
            .order_by(bookings.c.id)
        )
        return [_booking(row) for row in rows]

    async def confirm(self, booking: Booking, now: datetime) -> Booking:
        row = (await self._conn.execute(
            update(bookings).where(bookings.c.id == booking.id)
            .values(status="confirmed", confirmed_at=now).returning(*bookings.c)
        )).one()
        self._count(booking.status, -1)
        self._count("confirmed", +1)
        return _booking(row)

    async def cancel(self, booking: Booking, now: datetime, by: str, *, bump_sequence: bool) -> Booking:
        values = dict(status="cancelled", cancelled_at=now, cancelled_by=by)
        if bump_sequence:
            values["sequence"] = bookings.c.sequence + 1
        row = (await self._conn.execute(
            update(bookings).where(bookings.c.id == booking.id).values(**values).returning(*bookings.c)
        )).one()
        self._count(booking.status, -1)
        return _booking(row)

    async def bump_sequences(self, booking_ids: Iterable[int]) -> None:
        ids = list(booking_ids)
        if ids:
            await self._conn.execute(
                update(bookings).where(bookings.c.id.in_(ids)).values(sequence=bookings.c.sequence + 1)
            )

    def _count(self, status: str, delta: int) -> None:
        if status == "confirmed":
            self.confirmed += delta
        elif status == "waitlisted":
            self.waitlisted += delta

    async def _by_id(self, booking_id: int) -> Booking:
        row = (await self._conn.execute(select(bookings).where(bookings.c.id == booking_id))).one()
        return _booking(row)


class BookingRepository:
    def __init__(self, database: Database):
        self._db = database

    @asynccontextmanager
    async def change(self, event_id: str, initial: EventState, now: datetime,
                     for_user: Optional[str] = None) -> AsyncIterator[EventChange]:
        """A transaction holding the event's lock; ``initial`` creates the event row if it is new.
        ``for_user`` prefetches that person's active booking with the lock.

        Commits when the block ends normally, rolls back if it raises. Never call anything that
        writes to the database from inside the block (the SQLite write lock is not re-entrant).
        """
        try:
            async with self._db.begin() as conn:
                if self._db.is_sqlite:
                    # The first statement of the transaction, so the write lock is taken before any read.
                    await conn.exec_driver_sql("BEGIN IMMEDIATE")
                locked = await self._lock_event(conn, event_id, for_user)
                created = False
                if locked is None:
                    insert = (sqlite.insert if self._db.is_sqlite else postgresql.insert)(booking_events)
                    result = await conn.execute(
                        insert.values(event_id=event_id, capacity=initial.capacity, status=initial.status,
                                      fingerprint=initial.fingerprint, updated_at=now)
                        .on_conflict_do_nothing(index_elements=["event_id"])
                    )
                    created = result.rowcount == 1
                    locked = await self._lock_event(conn, event_id, for_user)
                state, confirmed, waitlisted, mine = locked
                yield EventChange(conn, state, created, confirmed=confirmed, waitlisted=waitlisted, mine=mine,
                                  user_id=for_user, database=self._db)
        except IntegrityError as exc:
            # The service decides what a lost race means; it never sees the driver's exception.
            raise BookingConflict(event_id) from exc

    async def _lock_event(self, conn: AsyncConnection, event_id: str, for_user: Optional[str]):
        """(state, confirmed, waitlisted, caller's active booking id) with the event row locked; None if absent."""
        def counted(status: str):
            return (select(func.count()).select_from(bookings)
                    .where(bookings.c.event_id == event_id, bookings.c.status == status)
                    .scalar_subquery())

        mine = (select(bookings.c.id)
                .where(bookings.c.event_id == event_id, bookings.c.user_id == for_user,
                       bookings.c.status.in_(ACTIVE_STATUSES))
                .limit(1).scalar_subquery())
        figures = (counted("confirmed").label("n_confirmed"), counted("waitlisted").label("n_waitlisted"),
                   mine.label("mine"))
        event_query = select(booking_events).where(booking_events.c.event_id == event_id)
        if self._db.is_sqlite:
            # BEGIN IMMEDIATE already holds the write lock, so one statement reads a settled state.
            row = (await conn.execute(event_query.add_columns(*figures))).first()
            if row is None:
                return None
            figures_row = row
        else:
            # The counts need their own statement: one that waited for the row lock would have
            # counted with the snapshot it took before waiting (READ COMMITTED re-checks only the
            # locked row), missing the bookings the previous holder just committed.
            row = (await conn.execute(event_query.with_for_update())).first()
            if row is None:
                return None
            figures_row = (await conn.execute(select(*figures))).one()
        state = EventState(row.event_id, row.capacity, row.status, row.fingerprint)
        return state, figures_row.n_confirmed, figures_row.n_waitlisted, figures_row.mine

    # -- reads (no lock: a snapshot is enough) --------------------------------------------------

    async def get(self, ref: str) -> Optional[Booking]:
        row = await get_row(self._db, bookings, ref=ref)
        return _booking(row) if row else None

    async def email_sent(self, key: str, now: datetime) -> None:
        """A queued follow-up email went out: recorded, and its stored copy (name, address) blanked."""
        async with self._db.begin() as conn:
            await conn.execute(update(mail_outbox).where(mail_outbox.c.message_key == key,
                                                         mail_outbox.c.sent_at.is_(None))
                               .values(sent_at=now, content=None, last_error=None))

    async def for_user(self, user_id: str, *, active_only: bool = True) -> list[Booking]:
        query = select(bookings).where(bookings.c.user_id == user_id)
        if active_only:
            query = query.where(bookings.c.status.in_(ACTIVE_STATUSES))
        async with self._db.engine.connect() as conn:
            return [_booking(row) for row in await conn.execute(query.order_by(bookings.c.id))]

    async def for_event(self, event_id: str) -> list[Booking]:
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(select(bookings).where(bookings.c.event_id == event_id).order_by(bookings.c.id))
            return [_booking(row) for row in rows]

    async def waitlist_positions(self, booking_ids: Iterable[int]) -> dict[int, int]:
        """{booking id: place in its event's waitlist} for waitlisted bookings."""
        ids = set(booking_ids)
        if not ids:
            return {}
        async with self._db.engine.connect() as conn:
            events = {row.event_id for row in await conn.execute(
                select(bookings.c.event_id).where(bookings.c.id.in_(ids)))}
            rows = await conn.execute(
                select(bookings.c.id, bookings.c.event_id)
                .where(bookings.c.event_id.in_(events), bookings.c.status == "waitlisted")
                .order_by(bookings.c.id)
            )
            positions: dict[int, int] = {}
            seen: dict[str, int] = {}
            for row in rows:
                seen[row.event_id] = seen.get(row.event_id, 0) + 1
                if row.id in ids:
                    positions[row.id] = seen[row.event_id]
            return positions

    async def counts(self) -> dict[str, EventCounts]:
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(
                select(bookings.c.event_id, bookings.c.status, func.count())
                .where(bookings.c.status.in_(ACTIVE_STATUSES))
                .group_by(bookings.c.event_id, bookings.c.status)
            )
            totals: dict[str, dict[str, int]] = {}
            for event_id, status, count in rows:
                totals.setdefault(event_id, {})[status] = count
        return {event_id: EventCounts(**values) for event_id, values in totals.items()}

    async def states(self) -> dict[str, EventState]:
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(select(booking_events))
            return {row.event_id: EventState(row.event_id, row.capacity, row.status, row.fingerprint) for row in rows}


def _booking(row) -> Booking:
    return from_row(Booking, row)
