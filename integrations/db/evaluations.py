"""Repositories for forum evaluations. Plain data in, plain data out."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy import CheckConstraint, Column, Index, Integer, Table, UniqueConstraint

from integrations.db.engine import Database
from integrations.db.metadata import metadata
from integrations.db.rows import from_row
from integrations.db.types import UtcDateTime
from integrations.db.types import String, Text


# --- tables ---
# Tables for forum evaluations: who is asked, and what they answered.
#
# ``evaluation_participants`` is one row per person per forum: the people invited (staff-listed
# attendees, reminder subscribers) and anyone who opened the survey themselves. Its random ``id``
# is what a signed web link carries, so links hold no personal data; ``invited_at`` and
# ``reminded_at`` are claimed with a conditional update, so one replica sends each message.
# ``evaluation_responses`` is one row per person per forum, updated in place on every edit.

PARTICIPANT_CHANNELS = ("teams", "email")
PARTICIPANT_SOURCES = ("staff", "subscriber", "self")
RESPONSE_CHANNELS = ("teams", "web")

evaluation_participants = Table(
    "evaluation_participants",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("forum_id", String(64), nullable=False),
    # A Teams user id (conversation_refs.user_id) or, for email invitations, the address.
    Column("respondent", String(320), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("source", String(16), nullable=False),
    Column("invited_at", UtcDateTime, nullable=True),
    Column("reminded_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("forum_id", "respondent", name="uq_evaluation_participants_forum_id"),
    CheckConstraint("channel IN ('teams', 'email')", name="channel"),
    CheckConstraint("source IN ('staff', 'subscriber', 'self')", name="source"),
)

evaluation_responses = Table(
    "evaluation_responses",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("forum_id", String(64), nullable=False),
    Column("respondent", String(320), nullable=False),
    # Where the latest version was given: the Teams card or the web form.
    Column("channel", String(16), nullable=False),
    # Every answer is optional: a partial response is kept as it is.
    Column("phase", String(16), nullable=True),
    Column("overall", Integer, nullable=True),
    Column("ratings", Text, nullable=False),          # JSON {agenda item id: 1..5}
    Column("most_useful", Text, nullable=True),       # free text, redacted before storage
    Column("could_be_better", Text, nullable=True),
    Column("topics", Text, nullable=False),           # JSON [next forum's agenda item ids]
    Column("topics_other", Text, nullable=True),
    Column("edits", Integer, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("forum_id", "respondent", name="uq_evaluation_responses_forum_id"),
    CheckConstraint("overall IS NULL OR (overall BETWEEN 1 AND 5)", name="overall"),
    CheckConstraint("channel IN ('teams', 'web')", name="channel"),
    Index("ix_evaluation_responses_forum_updated", "forum_id", "updated_at"),
)


# --- repositories ---
# A participant's source ranks: a staff listing outranks a subscription, which outranks
# someone who opened the survey themselves (only listed and subscribed people are invited).
_SOURCE_RANK = {"self": 0, "subscriber": 1, "staff": 2}


@dataclass(frozen=True)
class Participant:
    id: str                      # carried by the person's signed web link
    forum_id: str
    respondent: str              # Teams user id, or an email address
    channel: str                 # teams | email
    source: str                  # staff | subscriber | self
    invited_at: Optional[datetime]
    reminded_at: Optional[datetime]
    created_at: datetime


@dataclass(frozen=True)
class StoredResponse:
    id: str
    forum_id: str
    respondent: str
    channel: str                 # teams | web: where the latest version came from
    phase: Optional[str]
    overall: Optional[int]
    ratings: dict                # {agenda item id: 1..5}
    most_useful: Optional[str]
    could_be_better: Optional[str]
    topics: tuple[str, ...]
    topics_other: Optional[str]
    edits: int
    created_at: datetime
    updated_at: datetime


def _participant(row) -> Participant:
    return from_row(Participant, row)


def _response(row) -> StoredResponse:
    return StoredResponse(
        id=row.id, forum_id=row.forum_id, respondent=row.respondent, channel=row.channel, phase=row.phase,
        overall=row.overall, ratings=json.loads(row.ratings), most_useful=row.most_useful,
        could_be_better=row.could_be_better, topics=tuple(json.loads(row.topics)), topics_other=row.topics_other,
        edits=row.edits, created_at=row.created_at, updated_at=row.updated_at,
    )


class EvaluationParticipants:
    def __init__(self, database: Database):
        self._db = database

    async def ensure(self, *, forum_id: str, respondent: str, channel: str, source: str, now: datetime) -> Participant:
        """The person's row for this forum, created if new; a higher-ranked source replaces a lower one."""
        table = evaluation_participants
        async with self._db.engine.begin() as conn:
            row = (await conn.execute(
                select(table).where(table.c.forum_id == forum_id, table.c.respondent == respondent)
            )).first()
            if row is None:
                try:
                    async with conn.begin_nested():
                        await conn.execute(insert(table).values(
                            id=secrets.token_hex(16), forum_id=forum_id, respondent=respondent, channel=channel,
                            source=source, created_at=now,
                        ))
                except IntegrityError:
                    pass  # created meanwhile by another request: read it below
            elif _SOURCE_RANK[source] > _SOURCE_RANK[row.source]:
                await conn.execute(update(table).where(table.c.id == row.id).values(source=source))
            row = (await conn.execute(
                select(table).where(table.c.forum_id == forum_id, table.c.respondent == respondent)
            )).first()
        return _participant(row)

    async def get(self, participant_id: str) -> Optional[Participant]:
        async with self._db.engine.connect() as conn:
            row = (await conn.execute(
                select(evaluation_participants).where(evaluation_participants.c.id == participant_id)
            )).first()
        return _participant(row) if row else None

    async def find(self, forum_id: str, respondent: str) -> Optional[Participant]:
        table = evaluation_participants
        async with self._db.engine.connect() as conn:
            row = (await conn.execute(
                select(table).where(table.c.forum_id == forum_id, table.c.respondent == respondent)
            )).first()
        return _participant(row) if row else None

    async def for_forum(self, forum_id: str) -> list[Participant]:
        table = evaluation_participants
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(
                select(table).where(table.c.forum_id == forum_id).order_by(table.c.created_at, table.c.id)
            )
            return [_participant(row) for row in rows]

    async def claim_invitation(self, participant_id: str, now: datetime) -> bool:
        """True for exactly one caller: the one that sends this person's invitation."""
        return await self._claim("invited_at", participant_id, now)

    async def claim_reminder(self, participant_id: str, now: datetime) -> bool:
        return await self._claim("reminded_at", participant_id, now)

    async def release_invitation(self, participant_id: str) -> None:
        """Undo a claim whose message could not be handed over, so the next round tries again."""
        await self._release("invited_at", participant_id)

    async def release_reminder(self, participant_id: str) -> None:
        await self._release("reminded_at", participant_id)

    async def _claim(self, column: str, participant_id: str, now: datetime) -> bool:
        table = evaluation_participants
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(table).where(table.c.id == participant_id, table.c[column].is_(None)).values({column: now})
            )
            return result.rowcount == 1

    async def _release(self, column: str, participant_id: str) -> None:
        table = evaluation_participants
        async with self._db.engine.begin() as conn:
            await conn.execute(update(table).where(table.c.id == participant_id).values({column: None}))


class EvaluationResponses:
    def __init__(self, database: Database):
        self._db = database

    async def get(self, forum_id: str, respondent: str) -> Optional[StoredResponse]:
        table = evaluation_responses
        async with self._db.engine.connect() as conn:
            row = (await conn.execute(
                select(table).where(table.c.forum_id == forum_id, table.c.respondent == respondent)
            )).first()
        return _response(row) if row else None

    async def save(
        self,
        *,
        forum_id: str,
        respondent: str,
        channel: str,
        phase: Optional[str],
        overall: Optional[int],
        ratings: dict,
        most_useful: Optional[str],
        could_be_better: Optional[str],
        topics: tuple[str, ...] | list[str],
        topics_other: Optional[str],
        now: datetime,
    ) -> tuple[StoredResponse, bool]:
        """Stores the person's answers, replacing any earlier version; (response, True if it is new)."""
        table = evaluation_responses
        values = dict(
            channel=channel, phase=phase, overall=overall, ratings=json.dumps(ratings, sort_keys=True),
            most_useful=most_useful, could_be_better=could_be_better, topics=json.dumps(list(topics)),
            topics_other=topics_other, updated_at=now,
        )
        where = (table.c.forum_id == forum_id, table.c.respondent == respondent)
        created = False
        async with self._db.engine.begin() as conn:
            result = await conn.execute(update(table).where(*where).values(edits=table.c.edits + 1, **values))
            if result.rowcount == 0:
                try:
                    async with conn.begin_nested():
                        await conn.execute(insert(table).values(
                            id=secrets.token_hex(16), forum_id=forum_id, respondent=respondent, created_at=now,
                            edits=0, **values,
                        ))
                    created = True
                except IntegrityError:
                    # The same person submitted twice at once (two tabs): the later write wins.
                    await conn.execute(update(table).where(*where).values(edits=table.c.edits + 1, **values))
            row = (await conn.execute(select(table).where(*where))).first()
        return _response(row), created

    async def for_forum(self, forum_id: str) -> list[StoredResponse]:
        table = evaluation_responses
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(
                select(table).where(table.c.forum_id == forum_id).order_by(table.c.created_at, table.c.id)
            )
            return [_response(row) for row in rows]

    async def respondents(self, forum_id: str) -> set[str]:
        table = evaluation_responses
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(select(table.c.respondent).where(table.c.forum_id == forum_id))
            return {row.respondent for row in rows}
