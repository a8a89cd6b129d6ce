"""The email assistant's storage: the processed-message log, the reply outbox, the per-sender reply
window and the mailbox cursor with its single-reader lease. Plain data in, plain data out.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy import Column, Integer, LargeBinary, Table

from integrations.db.engine import Database
from integrations.db.rows import first_row, get_row
from integrations.db.metadata import metadata
from integrations.db.types import UtcDateTime
from integrations.db.types import String


# --- tables ---
# Tables of the email assistant: which incoming messages were handled, the replies waiting to be
# sent (the outbox), how many auto-replies each sender had lately, and where the mailbox was read up to.
#
# No message text or address is stored here except inside an outbox reply until it is sent; senders
# are kept as a hash so the reply window works without a list of addresses.

# One row per incoming message (keyed by a hash of its Message-ID): written in the same transaction
# as its outbox reply, so a message is decided once whatever crashes afterwards.
mail_processed = Table(
    "mail_processed",
    metadata,
    Column("message_key", String(80), primary_key=True),
    Column("processed_at", UtcDateTime, nullable=False),
    Column("decision", String(16), nullable=False),          # answer|suggest|acknowledge|log|ignore
    Column("reason", String(32), nullable=True),             # why there was no reply (loop guard, window)
    Column("query_id", String(32), nullable=True),           # the inbox query it was logged as
    Column("logged_at", UtcDateTime, nullable=True, index=True),
)

# Replies to send: the whole MIME message with its final Message-ID, blanked once sent.
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("message_key", String(80), nullable=False, unique=True),
    Column("reply_message_id", String(255), nullable=False),
    Column("content", LargeBinary, nullable=True),
    Column("created_at", UtcDateTime, nullable=False, index=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_attempt_at", UtcDateTime, nullable=True),
    Column("last_error", String(64), nullable=True),
    Column("sent_at", UtcDateTime, nullable=True, index=True),
)

# The auto-reply window per sender (a keyed hash of the address, never the address).
mail_senders = Table(
    "mail_senders",
    metadata,
    Column("sender_hash", String(64), primary_key=True),
    Column("window_started_at", UtcDateTime, nullable=False),
    Column("replies", Integer, nullable=False),
    Column("last_reply_at", UtcDateTime, nullable=False),
)

# Where each mailbox was read up to (an opaque position: for IMAP "UIDVALIDITY:UID"), and which worker
# holds it: one worker reads a mailbox at a time, whichever replica that is.
# Messages that failed every time they were handled: kept whole for staff, with the reason, so one bad
# message never holds up the mail behind it.
mail_quarantine = Table(
    "mail_quarantine",
    metadata,
    Column("raw_hash", String(80), primary_key=True),
    Column("tries", Integer, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("raw", LargeBinary, nullable=True),
    Column("first_failed_at", UtcDateTime, nullable=False),
    Column("last_failed_at", UtcDateTime, nullable=False),
    Column("quarantined_at", UtcDateTime, nullable=True),
)

mail_cursors = Table(
    "mail_cursors",
    metadata,
    Column("mailbox", String(255), primary_key=True),
    Column("position", String(512), nullable=True),
    Column("holder", String(64), nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)


# --- repositories ---
@dataclass(frozen=True)
class ProcessedMail:
    message_key: str
    processed_at: datetime
    decision: str
    reason: Optional[str]
    query_id: Optional[str]
    logged_at: Optional[datetime]


@dataclass(frozen=True)
class PlannedReply:
    """A rendered reply, kept only if the sender's window allows it (or the answer is confident)."""

    reply_message_id: str
    content: bytes
    confident: bool
    decision: str                 # answer|suggest|acknowledge


@dataclass(frozen=True)
class Decided:
    created: bool                 # False: the message had been decided before (a redelivery)
    decision: str
    reason: Optional[str]
    outbox_id: Optional[str]
    processed: ProcessedMail


@dataclass(frozen=True)
class OutboxItem:
    id: str
    message_key: str
    reply_message_id: str
    content: bytes
    attempts: int
    last_attempt_at: Optional[datetime]


@dataclass(frozen=True)
class Cursor:
    mailbox: str
    position: Optional[str]       # None: never read yet


@dataclass(frozen=True)
class ReplyWindow:
    length: timedelta
    max_replies: int
    # Auto-replies to everyone together in the last hour: forged senders cannot turn the mailbox into a
    # mail cannon. 0 = no ceiling.
    max_per_hour: int = 0


@dataclass(frozen=True)
class QuarantinedMail:
    raw_hash: str
    tries: int
    reason: str
    raw: bytes
    quarantined_at: datetime


class MailRepository:
    def __init__(self, database: Database):
        self._db = database

    # -- processing -----------------------------------------------------------------------------

    async def processed(self, message_key: str) -> Optional[ProcessedMail]:
        row = await get_row(self._db, mail_processed, message_key=message_key)
        return _processed(row) if row else None

    async def decide(
        self,
        *,
        message_key: str,
        sender_hash: Optional[str],
        reply: Optional[PlannedReply],
        no_reply_reason: Optional[str],
        window: ReplyWindow,
        now: datetime,
    ) -> Decided:
        """Records the message as processed and, in the same transaction, queues its reply when the
        sender's window allows one: either both are stored or neither, so nothing is sent twice or lost."""
        async with self._db.engine.begin() as conn:
            existing = (await conn.execute(
                select(mail_processed).where(mail_processed.c.message_key == message_key)
            )).first()
            if existing is not None:
                return Decided(False, existing.decision, existing.reason, None, _processed(existing))
            decision, reason = "log", no_reply_reason
            if reply is not None and sender_hash is not None and window.max_per_hour and \
                    await conn.scalar(select(func.count()).select_from(mail_outbox).where(
                        mail_outbox.c.created_at > now - timedelta(hours=1))) >= window.max_per_hour:
                reason = "global-ceiling"
            elif reply is not None and sender_hash is not None:
                if await _take_window(conn, sender_hash, reply.confident, window, now):
                    decision, reason = reply.decision, None
                else:
                    reason = "reply-window"
            elif reply is None and no_reply_reason is None:
                reason = "nothing-to-send"
            values = dict(message_key=message_key, processed_at=now, decision=decision, reason=reason)
            try:
                async with conn.begin_nested():
                    await conn.execute(insert(mail_processed).values(**values))
            except IntegrityError:
                # Another worker decided it between our read and insert; its decision stands.
                raise Redelivered() from None
            outbox_id = None
            if decision != "log":
                outbox_id = uuid.uuid4().hex
                await conn.execute(insert(mail_outbox).values(
                    id=outbox_id, message_key=message_key, reply_message_id=reply.reply_message_id,
                    content=reply.content, created_at=now, attempts=0,
                ))
        return Decided(True, decision, reason, outbox_id, ProcessedMail(message_key, now, decision, reason, None, None))

    async def mark_logged(self, message_key: str, query_id: Optional[str], now: datetime) -> None:
        async with self._db.engine.begin() as conn:
            await conn.execute(
                update(mail_processed)
                .where(mail_processed.c.message_key == message_key)
                .values(query_id=(query_id or None) and str(query_id)[:32], logged_at=now)
            )

    # -- outbox ---------------------------------------------------------------------------------

    async def unsent(self, limit: int = 100) -> list[OutboxItem]:
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(
                select(mail_outbox)
                .where(mail_outbox.c.sent_at.is_(None))
                .order_by(mail_outbox.c.created_at, mail_outbox.c.id)
                .limit(limit)
            )
            return [OutboxItem(r.id, r.message_key, r.reply_message_id, bytes(r.content or b""), r.attempts,
                               r.last_attempt_at) for r in rows]

    async def mark_sent(self, outbox_id: str, now: datetime) -> bool:
        """Records the send and blanks the stored reply (it carries the recipient and the subject)."""
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(mail_outbox)
                .where(mail_outbox.c.id == outbox_id, mail_outbox.c.sent_at.is_(None))
                .values(sent_at=now, content=None, last_error=None)
            )
            return result.rowcount == 1

    async def note_failure(self, outbox_id: str, error: str, now: datetime) -> None:
        async with self._db.engine.begin() as conn:
            await conn.execute(
                update(mail_outbox)
                .where(mail_outbox.c.id == outbox_id)
                .values(attempts=mail_outbox.c.attempts + 1, last_attempt_at=now, last_error=error[:64])
            )

    async def purge_sent(self, before: datetime) -> int:
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                delete(mail_outbox).where(mail_outbox.c.sent_at.is_not(None), mail_outbox.c.sent_at < before)
            )
            return result.rowcount

    # -- poison mail ----------------------------------------------------------------------------

    async def failed(self, raw_hash: str, raw: bytes, reason: str, now: datetime, max_tries: int) -> bool:
        """Counts a failed try at a message; True once it has failed ``max_tries`` times (quarantined)."""
        q = mail_quarantine
        async with self._db.engine.begin() as conn:
            result = await conn.execute(update(q).where(q.c.raw_hash == raw_hash).values(
                tries=q.c.tries + 1, reason=reason[:200], last_failed_at=now).returning(q.c.tries))
            tries = result.scalar()
            if tries is None:
                try:
                    async with conn.begin_nested():
                        await conn.execute(insert(q).values(raw_hash=raw_hash, tries=1, reason=reason[:200], raw=raw,
                                                            first_failed_at=now, last_failed_at=now))
                    tries = 1
                except IntegrityError:
                    tries = max_tries
            if tries >= max_tries:
                await conn.execute(update(q).where(q.c.raw_hash == raw_hash, q.c.quarantined_at.is_(None))
                                   .values(quarantined_at=now))
                return True
            return False

    async def is_quarantined(self, raw_hash: str) -> bool:
        async with self._db.engine.connect() as conn:
            return await conn.scalar(select(mail_quarantine.c.raw_hash).where(
                mail_quarantine.c.raw_hash == raw_hash, mail_quarantine.c.quarantined_at.is_not(None))) is not None

    async def quarantined(self) -> list[QuarantinedMail]:
        q = mail_quarantine
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(select(q).where(q.c.quarantined_at.is_not(None)).order_by(q.c.quarantined_at))
            return [QuarantinedMail(r.raw_hash, r.tries, r.reason, bytes(r.raw or b""), r.quarantined_at)
                    for r in rows]

    # -- cursor and lease -----------------------------------------------------------------------

    async def holder_of(self, mailbox: str) -> Optional[str]:
        async with self._db.engine.connect() as conn:
            return await conn.scalar(select(mail_cursors.c.holder).where(mail_cursors.c.mailbox == mailbox))

    async def take_over(self, mailbox: str, old_holder: str, holder: str, now: datetime, lease: timedelta) -> bool:
        """Takes the lease from a holder known to be dead, if it still holds it."""
        async with self._db.engine.begin() as conn:
            result = await conn.execute(update(mail_cursors).where(
                mail_cursors.c.mailbox == mailbox, mail_cursors.c.holder == old_holder,
            ).values(holder=holder, lease_until=now + lease, updated_at=now))
            return result.rowcount == 1

    async def acquire(self, mailbox: str, holder: str, now: datetime, lease: timedelta) -> Optional[Cursor]:
        """The mailbox's cursor if this worker holds (or now takes) the reading lease, else None."""
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(mail_cursors)
                .where(
                    mail_cursors.c.mailbox == mailbox,
                    or_(mail_cursors.c.holder == holder, mail_cursors.c.holder.is_(None),
                        mail_cursors.c.lease_until.is_(None), mail_cursors.c.lease_until <= now),
                )
                .values(holder=holder, lease_until=now + lease, updated_at=now)
            )
            if result.rowcount == 0:
                exists = await conn.scalar(select(mail_cursors.c.mailbox).where(mail_cursors.c.mailbox == mailbox))
                if exists is not None:
                    return None
                try:
                    async with conn.begin_nested():
                        await conn.execute(insert(mail_cursors).values(
                            mailbox=mailbox, position=None, holder=holder,
                            lease_until=now + lease, updated_at=now,
                        ))
                except IntegrityError:
                    return None
            row = await first_row(conn, mail_cursors, mailbox=mailbox)
            return Cursor(row.mailbox, row.position)

    async def release(self, mailbox: str, holder: str) -> None:
        async with self._db.engine.begin() as conn:
            await conn.execute(
                update(mail_cursors)
                .where(mail_cursors.c.mailbox == mailbox, mail_cursors.c.holder == holder)
                .values(holder=None, lease_until=None)
            )

    async def advance(self, mailbox: str, holder: str, position: str, now: datetime) -> bool:
        """Stores how far the mailbox was read; False if this worker no longer holds the lease."""
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(mail_cursors)
                .where(mail_cursors.c.mailbox == mailbox, mail_cursors.c.holder == holder)
                .values(position=position, updated_at=now)
            )
            return result.rowcount == 1

    # -- figures ----------------------------------------------------------------------------------

    async def counts(self) -> dict[str, int]:
        async with self._db.engine.connect() as conn:
            processed = await conn.scalar(select(func.count()).select_from(mail_processed))
            logged = await conn.scalar(
                select(func.count()).select_from(mail_processed).where(mail_processed.c.logged_at.is_not(None)))
            queued = await conn.scalar(select(func.count()).select_from(mail_outbox))
            sent = await conn.scalar(
                select(func.count()).select_from(mail_outbox).where(mail_outbox.c.sent_at.is_not(None)))
        return {"processed": processed or 0, "logged": logged or 0, "queued": queued or 0, "sent": sent or 0}


class Redelivered(Exception):
    """Two workers raced on one message; the loser treats it as already processed."""


async def _take_window(conn, sender_hash: str, confident: bool, window: ReplyWindow, now: datetime) -> bool:
    """One auto-reply per sender per window; confident answers may go beyond that, up to a hard cap."""
    row = await first_row(conn, mail_senders, sender_hash=sender_hash)
    if row is None:
        try:
            async with conn.begin_nested():
                await conn.execute(insert(mail_senders).values(
                    sender_hash=sender_hash, window_started_at=now, replies=1, last_reply_at=now))
            return True
        except IntegrityError:
            row = await first_row(conn, mail_senders, sender_hash=sender_hash)
    if row.window_started_at <= now - window.length:
        result = await conn.execute(
            update(mail_senders)
            .where(mail_senders.c.sender_hash == sender_hash, mail_senders.c.window_started_at == row.window_started_at)
            .values(window_started_at=now, replies=1, last_reply_at=now)
        )
        return result.rowcount == 1
    if not confident or row.replies >= window.max_replies:
        return False
    result = await conn.execute(
        update(mail_senders)
        .where(and_(mail_senders.c.sender_hash == sender_hash, mail_senders.c.replies == row.replies))
        .values(replies=row.replies + 1, last_reply_at=now)
    )
    return result.rowcount == 1


def _processed(row) -> ProcessedMail:
    return ProcessedMail(row.message_key, row.processed_at, row.decision, row.reason, row.query_id, row.logged_at)
