"""Storage of the FAQ collation inbox. Plain data in, frozen dataclasses out.

State changes that touch a cluster and its questions happen in one transaction,
and each is conditional on the current status, so two staff pressing buttons at
once cannot both win (the loser gets None/False and is told).
"""
from __future__ import annotations

import json
import uuid
from types import SimpleNamespace
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Optional, Sequence

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy import Boolean, Column, Float, ForeignKey, Integer, Table

from integrations.db.engine import Database
from integrations.db.metadata import metadata
from integrations.db.rows import first_row, get_row, rows_by_id_prefix, from_row
from integrations.db.types import UtcDateTime
from integrations.db.types import String, Text
from integrations.db.turns import defer_to_turn


# --- tables ---
# Tables of the FAQ collation inbox: the query log, clusters of similar questions,
# entries published from answered clusters, and digest runs.
#
# Only redacted text is ever stored here.

# A group of similar open questions that staff answer once for every asker.
inbox_clusters = Table(
    "inbox_clusters",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("question", Text, nullable=False),          # the representative (redacted) wording
    Column("status", String(16), nullable=False, index=True),  # open|answered|published|dismissed|merged
    Column("answer", Text, nullable=True),
    Column("answered_by", String(256), nullable=True),
    Column("answered_at", UtcDateTime, nullable=True),
    Column("faq_id", String(128), nullable=True),
    Column("merged_into", String(32), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

inbox_queries = Table(
    "inbox_queries",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("asked_at", UtcDateTime, nullable=False, index=True),
    Column("channel", String(16), nullable=False),      # teams|email|console
    Column("asker_id", String(320), nullable=False, index=True),  # Teams user id or email address
    Column("asker_name", String(256), nullable=False, server_default=""),
    Column("text", Text, nullable=False),               # after redaction
    Column("outcome", String(16), nullable=False),      # answer|suggest|decline
    Column("faq_id", String(128), nullable=True),
    Column("confidence", Float, nullable=False),
    Column("helpful", Boolean, nullable=True),
    Column("status", String(16), nullable=False, index=True),  # new|answered|published|duplicate|dismissed
    Column("needs_answer", Boolean, nullable=False, server_default="0"),
    Column("cluster_id", String(32), ForeignKey("inbox_clusters.id"), nullable=True, index=True),
    # Email askers: the original Message-ID and (redacted) subject, to thread the staff answer.
    Column("message_id", String(998), nullable=True),
    Column("subject", String(998), nullable=True),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column("digested_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Knowledge entries made from answered clusters; loaded into the answerer at start-up.
inbox_published = Table(
    "inbox_published",
    metadata,
    Column("faq_id", String(128), primary_key=True),
    Column("cluster_id", String(32), ForeignKey("inbox_clusters.id"), nullable=True),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("alternatives", Text, nullable=False),       # JSON list of strings
    Column("tags", Text, nullable=False),               # JSON list of strings
    Column("session", String(256), nullable=False),
    Column("presenter", String(256), nullable=True),
    Column("forum", String(64), nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
    Column("published_by", String(256), nullable=False),
)

# One row per digest period: whoever inserts the row sends that period's digest.
# Who merged a group into another, and when (0008_inbox_merge).
inbox_merges = Table(
    "inbox_merges",
    metadata,
    Column("source_id", String(32), primary_key=True),
    Column("target_id", String(32), nullable=False, index=True),
    Column("merged_by", String(256), nullable=False),
    Column("merged_at", UtcDateTime, nullable=False),
)

inbox_digests = Table(
    "inbox_digests",
    metadata,
    Column("slot", String(40), primary_key=True),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("question_count", Integer, nullable=False, server_default="0"),
)


# --- repositories ---
QUERY_STATUSES = ("new", "answered", "published", "duplicate", "dismissed")
CLUSTER_STATUSES = ("open", "answered", "published", "dismissed", "merged")


@dataclass(frozen=True)
class NewQuery:
    asked_at: datetime
    channel: str
    asker_id: str
    asker_name: str
    text: str
    outcome: str
    faq_id: Optional[str]
    confidence: float
    needs_answer: bool
    message_id: Optional[str] = None
    subject: Optional[str] = None


@dataclass(frozen=True)
class Query:
    id: str
    asked_at: datetime
    channel: str
    asker_id: str
    asker_name: str
    text: str
    outcome: str
    faq_id: Optional[str]
    confidence: float
    helpful: Optional[bool]
    status: str
    needs_answer: bool
    cluster_id: Optional[str]
    message_id: Optional[str]
    subject: Optional[str]
    delivered_at: Optional[datetime]
    digested_at: Optional[datetime]


@dataclass(frozen=True)
class Cluster:
    id: str
    question: str
    status: str
    answer: Optional[str]
    answered_by: Optional[str]
    answered_at: Optional[datetime]
    faq_id: Optional[str]
    merged_into: Optional[str]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PublishedEntry:
    faq_id: str
    cluster_id: Optional[str]
    question: str
    answer: str
    alternatives: tuple[str, ...]
    tags: tuple[str, ...]
    session: str
    presenter: Optional[str]
    forum: str
    published_at: datetime
    published_by: str


def _new_id() -> str:
    return uuid.uuid4().hex


def _query(row) -> Query:
    return from_row(Query, row,
                    asker_name=row.asker_name or "",
                    confidence=float(row.confidence),
                    helpful=None if row.helpful is None else bool(row.helpful),
                    needs_answer=bool(row.needs_answer))


def _cluster(row) -> Cluster:
    return from_row(Cluster, row)


def _published(row) -> PublishedEntry:
    return from_row(PublishedEntry, row,
                    alternatives=tuple(json.loads(row.alternatives)),
                    tags=tuple(json.loads(row.tags)))


class InboxRepository:
    def __init__(self, database: Database):
        self._db = database

    # -- the query log ---------------------------------------------------------------------

    async def add_query(self, new: NewQuery) -> Query:
        """Logs a question. Inside a Teams turn the row is written in the turn's own commit (with the
        activity's done mark), so a turn run again after a crash or a state conflict logs it once."""
        values = dict(
            id=_new_id(),
            asked_at=new.asked_at,
            channel=new.channel,
            asker_id=new.asker_id,
            asker_name=new.asker_name,
            text=new.text,
            outcome=new.outcome,
            faq_id=new.faq_id,
            confidence=new.confidence,
            helpful=None,
            status="new",
            needs_answer=new.needs_answer,
            cluster_id=None,
            message_id=new.message_id,
            subject=new.subject,
            delivered_at=None,
            digested_at=None,
            updated_at=new.asked_at,
        )
        statement = insert(inbox_queries).values(**values)
        if defer_to_turn(lambda conn: conn.execute(statement)):
            return _query(SimpleNamespace(**values))
        # Database.begin: on SQLite this process's writers queue on a lock instead of SQLite's busy
        # handler, which sleeps up to 100 ms a round; every question asked passes here.
        async with self._db.begin() as conn:
            # RETURNING saves the read-back round trip on every logged question (both databases have it).
            row = (await conn.execute(statement.returning(*inbox_queries.c))).first()
        return _query(row)

    async def get_query(self, query_id: str) -> Optional[Query]:
        row = await get_row(self._db, inbox_queries, id=query_id)
        return _query(row) if row else None

    async def find_queries(self, id_prefix: str) -> list[Query]:
        """Queries whose id starts with the prefix (staff type short ids in the CLI)."""
        return [_query(row) for row in await rows_by_id_prefix(self._db, inbox_queries, id_prefix)]

    async def set_feedback(self, query_id: str, asker_id: str, helpful: bool, now: datetime) -> bool:
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(inbox_queries)
                .where(inbox_queries.c.id == query_id, inbox_queries.c.asker_id == asker_id)
                .values(helpful=helpful, updated_at=now)
            )
            return result.rowcount == 1

    async def flag_needs_answer(self, query_id: str, asker_id: str, now: datetime) -> Optional[Query]:
        """Marks the asker's own query as needing an answer; None when it is not theirs."""
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(inbox_queries)
                .where(inbox_queries.c.id == query_id, inbox_queries.c.asker_id == asker_id)
                .values(needs_answer=True, updated_at=now)
            )
            if result.rowcount != 1:
                return None
            row = await first_row(conn, inbox_queries, id=query_id)
        return _query(row)

    async def place_in_cluster(self, query_id: str, cluster_id: str, status: str, now: datetime) -> None:
        statement = (update(inbox_queries).where(inbox_queries.c.id == query_id)
                     .values(cluster_id=cluster_id, status=status, updated_at=now))
        # A question logged in a turn is placed in the same commit (add_query).
        if defer_to_turn(lambda conn: conn.execute(statement)):
            return
        async with self._db.engine.begin() as conn:
            await conn.execute(statement)

    async def set_query_status(self, query_ids: Sequence[str], status: str, now: datetime) -> None:
        if not query_ids:
            return
        async with self._db.engine.begin() as conn:
            await conn.execute(
                update(inbox_queries)
                .where(inbox_queries.c.id.in_(list(query_ids)))
                .values(status=status, updated_at=now)
            )

    async def list_queries(
        self,
        *,
        statuses: Optional[Iterable[str]] = None,
        needs_answer: Optional[bool] = None,
        limit: Optional[int] = None,
    ) -> list[Query]:
        stmt = select(inbox_queries).order_by(inbox_queries.c.asked_at, inbox_queries.c.id)
        if statuses:
            stmt = stmt.where(inbox_queries.c.status.in_(list(statuses)))
        if needs_answer is not None:
            stmt = stmt.where(inbox_queries.c.needs_answer == needs_answer)
        if limit:
            stmt = stmt.limit(limit)
        async with self._db.engine.connect() as conn:
            return [_query(row) for row in await conn.execute(stmt)]

    async def members(self, cluster_ids: Sequence[str]) -> list[Query]:
        if not cluster_ids:
            return []
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(
                select(inbox_queries)
                .where(inbox_queries.c.cluster_id.in_(list(cluster_ids)))
                .order_by(inbox_queries.c.asked_at, inbox_queries.c.id)
            )
            return [_query(row) for row in rows]

    # -- clusters ----------------------------------------------------------------------------

    async def create_cluster(self, question: str, now: datetime) -> Cluster:
        values = dict(id=_new_id(), question=question, status="open", answer=None, answered_by=None,
                      answered_at=None, faq_id=None, merged_into=None, created_at=now, updated_at=now)
        statement = insert(inbox_clusters).values(**values)
        # A group started by a question logged in a turn is written in the same commit (add_query).
        if defer_to_turn(lambda conn: conn.execute(statement)):
            return _cluster(SimpleNamespace(**values))
        async with self._db.engine.begin() as conn:
            await conn.execute(statement)
        return await self.get_cluster(values["id"])

    async def get_cluster(self, cluster_id: str) -> Optional[Cluster]:
        row = await get_row(self._db, inbox_clusters, id=cluster_id)
        return _cluster(row) if row else None

    async def find_clusters(self, id_prefix: str) -> list[Cluster]:
        return [_cluster(row) for row in await rows_by_id_prefix(self._db, inbox_clusters, id_prefix)]

    async def clusters(self, statuses: Iterable[str]) -> list[Cluster]:
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(
                select(inbox_clusters)
                .where(inbox_clusters.c.status.in_(list(statuses)))
                .order_by(inbox_clusters.c.created_at, inbox_clusters.c.id)
            )
            return [_cluster(row) for row in rows]

    async def answer_cluster(
        self, cluster_id: str, answer: str, by: str, now: datetime, question: Optional[str] = None
    ) -> Optional[Cluster]:
        """Stores the answer and moves the cluster's new questions to answered; None if not answerable."""
        values = dict(status="answered", answer=answer, answered_by=by, answered_at=now, updated_at=now)
        if question:
            values["question"] = question
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(inbox_clusters)
                .where(inbox_clusters.c.id == cluster_id, inbox_clusters.c.status.in_(("open", "answered")))
                .values(**values)
            )
            if result.rowcount != 1:
                return None
            await conn.execute(
                update(inbox_queries)
                .where(inbox_queries.c.cluster_id == cluster_id, inbox_queries.c.status == "new")
                .values(status="answered", updated_at=now)
            )
            row = await first_row(conn, inbox_clusters, id=cluster_id)
        return _cluster(row)

    async def merge_cluster(self, source_id: str, target_id: str, now: datetime,
                            by: Optional[str] = None) -> Optional[Cluster]:
        """Moves an open cluster's questions into another open or answered cluster; returns the target."""
        if source_id == target_id:
            return None
        async with self._db.engine.begin() as conn:
            target = (
                await conn.execute(
                    select(inbox_clusters).where(
                        inbox_clusters.c.id == target_id, inbox_clusters.c.status.in_(("open", "answered"))
                    )
                )
            ).first()
            if target is None:
                return None
            result = await conn.execute(
                update(inbox_clusters)
                .where(inbox_clusters.c.id == source_id, inbox_clusters.c.status == "open")
                .values(status="merged", merged_into=target_id, updated_at=now)
            )
            if result.rowcount != 1:
                return None
            await conn.execute(insert(inbox_merges).values(source_id=source_id, target_id=target_id,
                                                           merged_by=by or "staff", merged_at=now))
            # Questions joining an answered cluster are answered by it (and then delivered).
            moved_status = "answered" if target.status == "answered" else "new"
            await conn.execute(
                update(inbox_queries)
                .where(inbox_queries.c.cluster_id == source_id, inbox_queries.c.status == "new")
                .values(cluster_id=target_id, status=moved_status, updated_at=now)
            )
            await conn.execute(
                update(inbox_queries)
                .where(inbox_queries.c.cluster_id == source_id)
                .values(cluster_id=target_id, updated_at=now)
            )
        return _cluster(target)

    async def dismiss_cluster(self, cluster_id: str, by: str, now: datetime) -> bool:
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(inbox_clusters)
                .where(inbox_clusters.c.id == cluster_id, inbox_clusters.c.status == "open")
                .values(status="dismissed", answered_by=by, updated_at=now)
            )
            if result.rowcount != 1:
                return False
            await conn.execute(
                update(inbox_queries)
                .where(inbox_queries.c.cluster_id == cluster_id, inbox_queries.c.status == "new")
                .values(status="dismissed", updated_at=now)
            )
        return True

    async def publish_cluster(self, cluster_id: str, entry: PublishedEntry) -> bool:
        """Records the published entry and marks the answered cluster and its questions published."""
        now = entry.published_at
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(inbox_clusters)
                .where(inbox_clusters.c.id == cluster_id, inbox_clusters.c.status == "answered")
                .values(status="published", faq_id=entry.faq_id, updated_at=now)
            )
            if result.rowcount != 1:
                return False
            await conn.execute(
                update(inbox_queries)
                .where(inbox_queries.c.cluster_id == cluster_id, inbox_queries.c.status == "answered")
                .values(status="published", updated_at=now)
            )
            try:
                async with conn.begin_nested():
                    await conn.execute(insert(inbox_published).values(**_published_values(entry)))
            except IntegrityError:
                # Same id published before (a re-published cluster): the newer text wins.
                values = _published_values(entry)
                values.pop("faq_id")
                await conn.execute(
                    update(inbox_published).where(inbox_published.c.faq_id == entry.faq_id).values(**values)
                )
        return True

    async def merges(self, target_id: str) -> list[tuple[str, str, datetime]]:
        """(merged group, by, at) for the groups merged into this one, oldest first."""
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(select(inbox_merges).where(inbox_merges.c.target_id == target_id)
                                      .order_by(inbox_merges.c.merged_at))
            return [(r.source_id, r.merged_by, r.merged_at) for r in rows]

    async def unpublish(self, faq_id: str, now: datetime) -> bool:
        """Takes an entry back: its row goes, and its group is answered-not-published again (it shows in the
        inbox, and can be corrected and published again). The content store keeps who, when and why."""
        async with self._db.engine.begin() as conn:
            row = (await conn.execute(select(inbox_published).where(inbox_published.c.faq_id == faq_id))).first()
            if row is None:
                return False
            await conn.execute(delete(inbox_published).where(inbox_published.c.faq_id == faq_id))
            if row.cluster_id:
                await conn.execute(
                    update(inbox_clusters)
                    .where(inbox_clusters.c.id == row.cluster_id, inbox_clusters.c.status == "published")
                    .values(status="answered", faq_id=None, updated_at=now)
                )
                await conn.execute(
                    update(inbox_queries)
                    .where(inbox_queries.c.cluster_id == row.cluster_id, inbox_queries.c.status == "published")
                    .values(status="answered", updated_at=now)
                )
        return True

    async def correct_published(self, faq_id: str, answer: str, question: Optional[str], now: datetime) -> bool:
        """The published entry's (and its group's) answer after a correction."""
        values = {"answer": answer}
        if question:
            values["question"] = question
        async with self._db.engine.begin() as conn:
            row = (await conn.execute(select(inbox_published).where(inbox_published.c.faq_id == faq_id))).first()
            if row is None:
                return False
            await conn.execute(update(inbox_published).where(inbox_published.c.faq_id == faq_id).values(**values))
            if row.cluster_id:
                await conn.execute(update(inbox_clusters).where(inbox_clusters.c.id == row.cluster_id)
                                   .values(answer=answer, updated_at=now))
        return True

    async def published_entries(self) -> list[PublishedEntry]:
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(
                select(inbox_published).order_by(inbox_published.c.published_at, inbox_published.c.faq_id)
            )
            return [_published(row) for row in rows]

    async def published_count(self) -> int:
        async with self._db.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(inbox_published)) or 0)

    # -- delivering answers ------------------------------------------------------------------

    async def undelivered_answers(self) -> list[tuple[Query, Cluster]]:
        """Answered questions whose asker has not been sent the answer yet."""
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(
                select(inbox_queries, inbox_clusters.c.id.label("c_id"))
                .join(inbox_clusters, inbox_clusters.c.id == inbox_queries.c.cluster_id)
                .where(
                    inbox_queries.c.status.in_(("answered", "published")),
                    inbox_queries.c.delivered_at.is_(None),
                    inbox_clusters.c.answer.is_not(None),
                )
                .order_by(inbox_queries.c.asked_at, inbox_queries.c.id)
            )
            queries = [_query(row) for row in rows]
            cluster_ids = sorted({q.cluster_id for q in queries})
            clusters = {}
            if cluster_ids:
                for row in await conn.execute(select(inbox_clusters).where(inbox_clusters.c.id.in_(cluster_ids))):
                    clusters[row.id] = _cluster(row)
        return [(q, clusters[q.cluster_id]) for q in queries]

    async def claim_delivery(self, query_id: str, now: datetime) -> bool:
        """True for exactly one caller: that one sends the answer."""
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                update(inbox_queries)
                .where(inbox_queries.c.id == query_id, inbox_queries.c.delivered_at.is_(None))
                .values(delivered_at=now)
            )
            return result.rowcount == 1

    async def claim_deliveries(self, query_ids: list[str], now: datetime) -> set[str]:
        """The ids this caller claimed (nobody else had): it sends those answers."""
        claimed: set[str] = set()
        async with self._db.engine.begin() as conn:
            for start in range(0, len(query_ids), 500):
                result = await conn.execute(
                    update(inbox_queries)
                    .where(inbox_queries.c.id.in_(query_ids[start:start + 500]), inbox_queries.c.delivered_at.is_(None))
                    .values(delivered_at=now)
                    .returning(inbox_queries.c.id)
                )
                claimed.update(row.id for row in result)
        return claimed

    async def release_deliveries(self, query_ids: list[str]) -> None:
        async with self._db.engine.begin() as conn:
            for start in range(0, len(query_ids), 500):
                await conn.execute(update(inbox_queries).where(inbox_queries.c.id.in_(query_ids[start:start + 500]))
                                   .values(delivered_at=None))

    async def release_delivery(self, query_id: str) -> None:
        async with self._db.engine.begin() as conn:
            await conn.execute(update(inbox_queries).where(inbox_queries.c.id == query_id).values(delivered_at=None))

    # -- digests -----------------------------------------------------------------------------

    async def undigested_questions(self) -> list[Query]:
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(
                select(inbox_queries)
                .where(
                    inbox_queries.c.needs_answer.is_(True),
                    inbox_queries.c.status == "new",
                    inbox_queries.c.digested_at.is_(None),
                )
                .order_by(inbox_queries.c.asked_at, inbox_queries.c.id)
            )
            return [_query(row) for row in rows]

    async def mark_digested(self, query_ids: Sequence[str], now: datetime) -> None:
        if not query_ids:
            return
        async with self._db.engine.begin() as conn:
            await conn.execute(
                update(inbox_queries).where(inbox_queries.c.id.in_(list(query_ids))).values(digested_at=now)
            )

    async def claim_digest(self, slot: str, now: datetime) -> bool:
        async with self._db.engine.begin() as conn:
            try:
                async with conn.begin_nested():
                    await conn.execute(insert(inbox_digests).values(slot=slot, claimed_at=now, question_count=0))
                return True
            except IntegrityError:
                return False

    async def finish_digest(self, slot: str, sent_at: Optional[datetime], question_count: int) -> None:
        async with self._db.engine.begin() as conn:
            await conn.execute(
                update(inbox_digests)
                .where(inbox_digests.c.slot == slot)
                .values(sent_at=sent_at, question_count=question_count)
            )

    async def release_digest(self, slot: str) -> None:
        async with self._db.engine.begin() as conn:
            await conn.execute(delete(inbox_digests).where(inbox_digests.c.slot == slot))


def _published_values(entry: PublishedEntry) -> dict:
    return dict(
        faq_id=entry.faq_id,
        cluster_id=entry.cluster_id,
        question=entry.question,
        answer=entry.answer,
        alternatives=json.dumps(list(entry.alternatives)),
        tags=json.dumps(list(entry.tags)),
        session=entry.session,
        presenter=entry.presenter,
        forum=entry.forum,
        published_at=entry.published_at,
        published_by=entry.published_by,
    )
