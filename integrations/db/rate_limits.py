"""The per-user incoming message limit, counted in the shared database so every replica holds one limit.

One row per message: accepted ones count towards the limit, refused ones only remember that the
person was told to slow down. Accepting is one statement (insert if fewer than ``limit`` accepted
rows in the window); only a refusal costs a second one. Two messages from one person landing on two
replicas in the same instant can both be accepted as the last one allowed: the limit is there to
stop a chat flooding the assistant, and one extra message does not defeat that.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Boolean, Column, Index, Integer, Table, delete, func, insert, literal, select, true, false

from integrations.db.engine import Database
from integrations.db.metadata import metadata
from integrations.db.types import UtcDateTime
from integrations.db.types import String

rate_limit_hits = Table(
    "rate_limit_hits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject", String(320), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("accepted", Boolean, nullable=False),
    Index("ix_rate_limit_hits_subject_at", "subject", "at"),
)


@dataclass(frozen=True)
class Hit:
    allowed: bool
    # True for the first refused message since the last accepted one: only that one gets a reply.
    first_refusal: bool = False


class RateLimits:
    def __init__(self, database: Database):
        self._db = database

    async def hit(self, subject: str, now: datetime, *, limit: int, window: timedelta) -> Hit:
        h = rate_limit_hits
        recent = (
            select(func.count()).select_from(h)
            .where(h.c.subject == subject, h.c.accepted.is_(True), h.c.at > now - window)
            .scalar_subquery()
        )
        accept = insert(h).from_select(
            ["subject", "at", "accepted"],
            select(literal(subject), literal(now, UtcDateTime()), true()).where(recent < limit),
        ).returning(h.c.id)
        async with self._db.begin() as conn:
            if (await conn.execute(accept)).first() is not None:
                return Hit(True)
            # "Since the last accepted message" goes by the order rows were written, not by their times:
            # replicas' clocks differ by a few milliseconds, enough to reorder messages sent in quick turn.
            last_accepted = (
                select(func.coalesce(func.max(h.c.id), 0))
                .where(h.c.subject == subject, h.c.accepted.is_(True)).scalar_subquery()
            )
            told = select(h.c.id).where(h.c.subject == subject, h.c.accepted.is_(False), h.c.id > last_accepted)
            refuse = insert(h).from_select(
                ["subject", "at", "accepted"],
                select(literal(subject), literal(now, UtcDateTime()), false()).where(~told.exists()),
            ).returning(h.c.id)
            first = (await conn.execute(refuse)).first() is not None
        return Hit(False, first_refusal=first)

    async def purge(self, before: datetime) -> int:
        """Forgets messages older than any window still being counted."""
        async with self._db.begin() as conn:
            result = await conn.execute(delete(rate_limit_hits).where(rate_limit_hits.c.at < before))
            return result.rowcount or 0
