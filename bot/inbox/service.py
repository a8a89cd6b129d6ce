"""The FAQ collation inbox: every question is logged (redacted), similar open questions are
grouped, staff answer a group once, every asker gets the answer back, and an answered group
can be published as a knowledge entry that the answerer uses at once.

Plain Python: no botbuilder. Staff identity is checked by the callers (Teams feature, CLI);
this service trusts them and is told who acted only for the record.
"""
from __future__ import annotations

import csv
import io
import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any, Iterable, Optional

from bot.cards import render_card
from bot.clock import Clock, british_datetime, london
from bot.privacy.edge import scrub_message
from bot.inbox.clusters import (
    Candidate,
    best_cluster,
    distinct_wordings,
    near_identical,
    normalise,
    strip_tags,
)
from bot.rendering import render
from bot.notify import Notice, Notifier
from integrations.db.inbox import (
    QUERY_STATUSES,
    Cluster,
    InboxRepository,
    NewQuery,
    PublishedEntry,
    Query,
)
from knowledge.intents.classifier import is_chatter
from knowledge.models import AnswerResult, FaqEntry, Source

log = logging.getLogger(__name__)

CHANNELS = ("teams", "email", "console")
OPEN_CLUSTER_STATUSES = ("open", "answered")
MAX_WORDINGS = 6


class InboxError(Exception):
    """A triage action that cannot be done; the message is safe to show to staff."""


@dataclass(frozen=True)
class ClusterView:
    cluster: Cluster
    count: int                   # questions in the group (duplicates included, dismissed not)
    askers: int                  # distinct people
    channels: dict[str, int]
    first_asked: datetime
    last_asked: datetime
    wordings: tuple[str, ...]    # distinct redacted phrasings, first asked first

    @property
    def id(self) -> str:
        return self.cluster.id

    @property
    def question(self) -> str:
        return self.cluster.question

    @property
    def status(self) -> str:
        return self.cluster.status


@dataclass(frozen=True)
class Delivery:
    teams: int = 0
    email: int = 0
    pending: int = 0             # could not be sent now; retried by the background task
    # Queued for Teams, but nobody can be reached there: no stored conversation, or Teams refused it before.
    undeliverable: int = 0

    def __add__(self, other: "Delivery") -> "Delivery":
        return Delivery(self.teams + other.teams, self.email + other.email, self.pending + other.pending,
                        self.undeliverable + other.undeliverable)


@dataclass(frozen=True)
class AnswerOutcome:
    cluster: Cluster
    delivery: Delivery
    redactions: int              # pieces of personal data removed from the staff answer


class InboxService:
    """Implements bot.faq.queries.QueryRecorder and the staff triage actions."""

    def __init__(
        self,
        repo: InboxRepository,
        *,
        redactor,
        faq,
        clock: Clock,
        team_name: str,
        team_mailbox: str,
        forum: str,
        default_topic: str,
        cluster_threshold: float,
        notifier: Optional[Notifier],
        mail: Optional[Any],
        references: Optional[Any] = None,
    ):
        # Conversation references, to tell a queued Teams answer from one nobody can get.
        self._references = references
        self._repo = repo
        self._redactor = redactor
        self._faq = faq
        self._clock = clock
        self._team_name = team_name
        self._team_mailbox = team_mailbox
        self._forum = forum
        self.default_topic = default_topic
        self._threshold = cluster_threshold
        # Looked up at use: the reminder scheduler and mail engineer may replace them after start-up.
        self._notifier = notifier
        self._mail = mail
        self._loaded: dict[str, datetime] = {}
        self._synced = False

    @property
    def repo(self) -> InboxRepository:
        return self._repo

    # -- QueryRecorder ---------------------------------------------------------------------

    async def record(
        self,
        *,
        channel: str,
        asker_id: str,
        asker_name: str,
        text: str,
        result: AnswerResult,
        message_id: Optional[str] = None,
        subject: Optional[str] = None,
        needs_answer: Optional[bool] = None,
    ) -> Optional[str]:
        """Logs a question after redaction; declined questions go to the inbox at once.

        Email callers pass the Message-ID and subject so the staff answer can be threaded, and
        needs_answer=False for automated mail (out-of-office, bounces, lists): logged, never triaged.
        """
        now = self._clock.now()
        matched = result.entry.id if result.entry else (result.suggestions[0].faq_id if result.suggestions else None)
        redacted_subject, redacted_text = self._redact_message(subject, text or "")
        query = await self._repo.add_query(
            NewQuery(
                asked_at=now,
                channel=(channel or "teams")[:16],
                asker_id=asker_id[:320],
                asker_name=(asker_name or "")[:256],
                text=redacted_text,
                outcome=result.outcome,
                faq_id=matched,
                confidence=float(result.confidence),
                needs_answer=(result.outcome == "decline" if needs_answer is None else needs_answer)
                and not is_chatter(text or subject or ""),
                message_id=(message_id or None) and message_id[:998],
                subject=redacted_subject[:998] if redacted_subject else None,
            )
        )
        if query.needs_answer:
            await self._place(query)
        return query.id

    def _redact_message(self, subject: Optional[str], text: str) -> tuple[Optional[str], str]:
        return scrub_message(subject, text, self._redactor)

    async def feedback(self, *, query_id: str, asker_id: str, helpful: bool) -> bool:
        return await self._repo.set_feedback(query_id, asker_id, helpful, self._clock.now())

    async def escalate(self, *, query_id: str, asker_id: str) -> bool:
        query = await self._repo.flag_needs_answer(query_id, asker_id, self._clock.now())
        if query is None:
            return False
        if query.cluster_id is None and query.status == "new":
            await self._place(query)
        return True

    async def _place(self, query: Query) -> None:
        """Puts a question needing an answer into the most similar open group, or a new one."""
        now = self._clock.now()
        clusters = await self._repo.clusters(("open",))
        members = await self._repo.members([c.id for c in clusters])
        by_cluster: dict[str, list[Query]] = {c.id: [] for c in clusters}
        for member in members:
            if member.id != query.id and member.status != "dismissed":
                by_cluster[member.cluster_id].append(member)
        candidates = [
            Candidate(c.id, tuple(normalise(t) for t in [c.question, *(m.text for m in by_cluster[c.id])]))
            for c in clusters
        ]
        match = best_cluster(query.text, candidates, self._threshold)
        if match is None:
            cluster = await self._repo.create_cluster(query.text, now)
            await self._repo.place_in_cluster(query.id, cluster.id, "new", now)
            return
        cluster_id = match[0]
        # The same person asking again is one asker waiting for one answer.
        repeated = any(m.asker_id == query.asker_id and m.status == "new" for m in by_cluster[cluster_id])
        await self._repo.place_in_cluster(query.id, cluster_id, "duplicate" if repeated else "new", now)

    # -- triage ------------------------------------------------------------------------------

    async def clusters(self, statuses: Iterable[str] = OPEN_CLUSTER_STATUSES) -> list[ClusterView]:
        """Groups to triage, most asked first, then oldest first."""
        clusters = await self._repo.clusters(tuple(statuses))
        members = await self._repo.members([c.id for c in clusters])
        by_cluster: dict[str, list[Query]] = {c.id: [] for c in clusters}
        for member in members:
            if member.status != "dismissed":
                by_cluster[member.cluster_id].append(member)
        views = [self._view(c, by_cluster[c.id]) for c in clusters if by_cluster[c.id]]
        views.sort(key=lambda v: (-v.count, v.first_asked, v.id))
        return views

    async def cluster(self, cluster_id: str) -> Optional[ClusterView]:
        cluster = await self._repo.get_cluster(cluster_id)
        if cluster is None:
            return None
        members = [m for m in await self._repo.members([cluster.id]) if m.status != "dismissed"]
        return self._view(cluster, members) if members else None

    @staticmethod
    def _view(cluster: Cluster, members: list[Query]) -> ClusterView:
        return ClusterView(
            cluster=cluster,
            count=len(members),
            askers=len({m.asker_id for m in members}),
            channels=dict(Counter(m.channel for m in members)),
            first_asked=min(m.asked_at for m in members),
            last_asked=max(m.asked_at for m in members),
            wordings=tuple(distinct_wordings([m.text for m in members], MAX_WORDINGS)),
        )

    async def answer(self, cluster_id: str, text: str, *, by: str, question: Optional[str] = None) -> AnswerOutcome:
        """Stores the staff answer for a group and sends it to everyone who asked."""
        answer, report = self._redactor.redact_with_report((text or "").strip())
        if not answer.strip():
            raise InboxError("Please write an answer first.")
        wording = self._redactor.redact(question.strip()) if question and question.strip() else None
        cluster = await self._repo.answer_cluster(cluster_id, answer, by, self._clock.now(), wording)
        if cluster is None:
            raise InboxError("That question can no longer be answered: it was dismissed, merged or published.")
        delivery = await self.deliver_pending(cluster_id=cluster.id)
        return AnswerOutcome(cluster, delivery, sum(report.values()))

    async def answer_query(self, query_id: str, text: str, *, by: str) -> AnswerOutcome:
        """The CLI's `inbox answer ID`: a query id (or its start) or a group id; answers the whole group."""
        query = await self._one_query(query_id)
        if query is None:
            clusters = await self._repo.find_clusters(query_id)
            if len(clusters) == 1:
                return await self.answer(clusters[0].id, text, by=by)
            raise InboxError(f"No question or group has the id {query_id!r}." if not clusters
                             else f"More than one question starts with {query_id!r}: give more of the id.")
        if query.cluster_id is None:
            # An answered-but-unhelpful question staff decide to answer themselves.
            cluster = await self._repo.create_cluster(query.text, self._clock.now())
            await self._repo.place_in_cluster(query.id, cluster.id, "new", self._clock.now())
            return await self.answer(cluster.id, text, by=by)
        return await self.answer(query.cluster_id, text, by=by)

    async def _one_query(self, query_id: str) -> Optional[Query]:
        exact = await self._repo.get_query(query_id)
        if exact is not None:
            return exact
        found = await self._repo.find_queries(query_id)
        if len(found) > 1:
            raise InboxError(f"More than one question starts with {query_id!r}: give more of the id.")
        return found[0] if found else None

    async def merge(self, source_id: str, target_id: str) -> ClusterView:
        """Moves a group's questions into another group (answered once, counted together)."""
        target = await self._repo.merge_cluster(source_id, target_id, self._clock.now())
        if target is None:
            raise InboxError("Those questions can't be merged: one of them was answered, dismissed or merged.")
        await self._mark_repeats(target.id)
        if target.status == "answered":
            await self.deliver_pending(cluster_id=target.id)
        view = await self.cluster(target.id)
        if view is None:
            raise InboxError("That group has no questions left.")
        return view

    async def _mark_repeats(self, cluster_id: str) -> None:
        seen: set[str] = set()
        repeats = []
        for member in await self._repo.members([cluster_id]):
            if member.status not in ("new", "answered"):
                continue
            if member.asker_id in seen:
                repeats.append(member.id)
            seen.add(member.asker_id)
        await self._repo.set_query_status(repeats, "duplicate", self._clock.now())

    async def dismiss(self, cluster_id: str, *, by: str) -> None:
        if not await self._repo.dismiss_cluster(cluster_id, by, self._clock.now()):
            raise InboxError("That question can't be dismissed: it was already answered, merged or dismissed.")

    async def publish(
        self,
        cluster_id: str,
        *,
        by: str,
        question: Optional[str] = None,
        topic: Optional[str] = None,
        answer: Optional[str] = None,
    ) -> FaqEntry:
        """Turns an answered group into a knowledge entry, live for the answerer at once."""
        cluster = await self._repo.get_cluster(cluster_id)
        if cluster is None:
            raise InboxError("I can't find that question any more.")
        if cluster.status == "open" or (answer and answer.strip() and cluster.status == "answered"):
            if not (answer and answer.strip()):
                raise InboxError("Please answer the question before publishing it.")
            cluster = (await self.answer(cluster_id, answer, by=by, question=question)).cluster
        if cluster.status != "answered" or not cluster.answer:
            raise InboxError("Only an answered question can be published; this one was "
                             f"{cluster.status}.")
        members = [m for m in await self._repo.members([cluster.id]) if m.status not in ("dismissed",)]
        wording = strip_tags(self._redactor.redact(question.strip())) if question and question.strip() \
            else strip_tags(cluster.question)
        alternatives = [
            strip_tags(w) for w in distinct_wordings([m.text for m in members], MAX_WORDINGS * 2)
            if not near_identical(w, wording) and strip_tags(w)
        ]
        now = self._clock.now()
        day = london(now)
        entry = PublishedEntry(
            faq_id=_entry_id(wording, cluster.id),
            cluster_id=cluster.id,
            question=wording,
            answer=cluster.answer,
            alternatives=tuple(alternatives),
            tags=(_tag(topic) or self.default_topic, "inbox"),
            session=f"Inclusion team answer, {day.day} {day:%B %Y}",
            presenter=None,
            forum=self._forum,
            published_at=now,
            published_by=by,
        )
        if not await self._repo.publish_cluster(cluster.id, entry):
            raise InboxError("That question was published or changed by someone else meanwhile.")
        faq_entry = to_faq_entry(entry)
        self._faq.publish(faq_entry)
        self._loaded[entry.faq_id] = entry.published_at
        return faq_entry

    # -- published entries -------------------------------------------------------------------

    async def sync_published(self) -> int:
        """Loads entries published here or by another replica into the answerer; returns how many."""
        fresh = [e for e in await self._repo.published_entries() if self._loaded.get(e.faq_id) != e.published_at]
        if fresh:
            self._faq.publish(*(to_faq_entry(e) for e in fresh))
            for entry in fresh:
                self._loaded[entry.faq_id] = entry.published_at
        self._synced = True
        return len(fresh)

    async def ensure_published_loaded(self) -> None:
        """Call before answering: after a restart the published entries come from the database."""
        if not self._synced:
            await self.sync_published()

    async def published_entries(self) -> list[PublishedEntry]:
        return await self._repo.published_entries()

    # -- delivering answers ------------------------------------------------------------------

    async def deliver_pending(self, *, cluster_id: Optional[str] = None) -> Delivery:
        """Sends staff answers not yet delivered: Teams askers by notice, email askers by a threaded reply."""
        total = Delivery()
        teams: list[tuple[Query, Cluster]] = []
        for query, cluster in await self._repo.undelivered_answers():
            if cluster_id is not None and cluster.id != cluster_id:
                continue
            if query.status == "duplicate":
                continue
            if query.channel == "email":
                total = total + await self._deliver(query, cluster)
            else:
                teams.append((query, cluster))
        if teams:
            total = total + await self._deliver_in_teams(teams)
        return total

    async def _deliver_in_teams(self, items: list[tuple[Query, Cluster]]) -> Delivery:
        """Queues Teams answers in bulk: a group asked by a thousand people must not hold the staff
        member's turn for two thousand transactions. The outbox's sender delivers them in the background."""
        notifier = self._notifier
        if notifier is None:
            log.warning("inbox answers not delivered yet: no notifier")
            return Delivery(pending=len(items))
        claimed_ids = await self._repo.claim_deliveries([query.id for query, _ in items], self._clock.now())
        claimed = [(query, cluster) for query, cluster in items if query.id in claimed_ids]
        cards: dict[tuple, dict] = {}
        notices = [self.answer_notice(query, cluster, cards) for query, cluster in claimed]
        try:
            if hasattr(notifier, "notify_many"):
                await notifier.notify_many(notices)
            else:
                for notice in notices:
                    await notifier.notify(notice)
        except Exception as exc:
            log.warning("%d inbox answers not queued yet: %s", len(claimed), type(exc).__name__)
            await self._repo.release_deliveries([query.id for query, _ in claimed])
            return Delivery(pending=len(claimed))
        undeliverable = 0
        if self._references is not None:
            # Queued either way, but staff must hear which askers Teams cannot reach (no stored conversation).
            reachable = await self._references.reachable([query.asker_id for query, _ in claimed])
            undeliverable = sum(1 for query, _ in claimed if query.asker_id not in reachable)
        return Delivery(teams=len(claimed) - undeliverable, undeliverable=undeliverable)

    async def _deliver(self, query: Query, cluster: Cluster) -> Delivery:
        now = self._clock.now()
        if not await self._repo.claim_delivery(query.id, now):
            return Delivery()
        try:
            if query.channel == "email":
                mail = self._mail
                if mail is None or "@" not in query.asker_id:
                    raise _NotNow("mail is not configured" if mail is None else "no email address")
                await mail.send(self.answer_email(query, cluster, now))
                return Delivery(email=1)
            notifier = self._notifier
            if notifier is None:
                raise _NotNow("no notifier")
            await notifier.notify(self.answer_notice(query, cluster))
            if self._references is not None:
                stored = await self._references.get(query.asker_id)
                if stored is None or stored.unreachable:
                    return Delivery(undeliverable=1)
            return Delivery(teams=1)
        except Exception as exc:
            # Released so the background task retries; never log the text or the address.
            log.warning("inbox answer for query %s not delivered yet: %s", query.id[:8],
                        exc if isinstance(exc, _NotNow) else type(exc).__name__)
            await self._repo.release_delivery(query.id)
            return Delivery(pending=1)

    def answer_notice(self, query: Query, cluster: Cluster, cards: Optional[dict] = None) -> Notice:
        """``cards`` caches rendered cards: askers of one group mostly share the question's wording."""
        key = (query.text, cluster.answer)
        card = cards.get(key) if cards is not None else None
        if card is None:
            card = render_card("inbox_answer", question=query.text, answer=cluster.answer, team_name=self._team_name)
            if cards is not None:
                cards[key] = card
        return Notice(
            user_id=query.asker_id,
            text=f"The {self._team_name.lower()} has answered your question: {cluster.answer}",
            idempotency_key=f"inbox.answer.{query.id}",
            kind="inbox.answer",
            card=card,
            meta={"query_id": query.id, "cluster_id": cluster.id},
        )

    def answer_email(self, query: Query, cluster: Cluster, now: datetime) -> EmailMessage:
        """The staff answer as a reply in the asker's own email thread."""
        message = EmailMessage()
        message["From"] = formataddr((self._team_name, self._team_mailbox))
        message["To"] = query.asker_id
        message["Subject"] = reply_subject(query.subject)
        message["Date"] = format_datetime(now)
        message["Message-ID"] = make_msgid(domain=_domain(self._team_mailbox))
        if query.message_id:
            message["In-Reply-To"] = query.message_id
            message["References"] = query.message_id
        # Ask Exchange not to answer an answer with an out-of-office reply (mail loops).
        message["X-Auto-Response-Suppress"] = "OOF, AutoReply"
        message.set_content(
            render(
                "email/inbox_answer.txt.j2",
                name=query.asker_name,
                question=query.text,
                answer=cluster.answer,
                asked_on=british_datetime(query.asked_at),
                team_name=self._team_name,
                team_mailbox=self._team_mailbox,
            )
        )
        return message

    # -- listings ----------------------------------------------------------------------------

    async def list_queries(self, *, status: Optional[str] = None, include_all: bool = False) -> list[Query]:
        """Questions needing an answer (or every logged query with include_all), oldest first."""
        if status is not None and status not in QUERY_STATUSES:
            raise InboxError(f"Unknown status {status!r}; use one of {', '.join(QUERY_STATUSES)}.")
        return await self._repo.list_queries(
            statuses=(status,) if status else None,
            needs_answer=None if include_all else True,
        )

    async def export_csv(self, *, include_all: bool = True) -> str:
        queries = await self.list_queries(include_all=include_all)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["id", "asked_at_utc", "asked_local", "channel", "asker", "asker_name", "question",
                         "outcome", "matched_entry", "confidence", "helpful", "needs_answer", "status", "cluster"])
        for q in queries:
            writer.writerow([
                q.id, q.asked_at.isoformat(), british_datetime(q.asked_at), q.channel, _cell(q.asker_id),
                _cell(q.asker_name), _cell(q.text), q.outcome, q.faq_id or "", f"{q.confidence:.2f}",
                "" if q.helpful is None else ("yes" if q.helpful else "no"),
                "yes" if q.needs_answer else "no", q.status, q.cluster_id or "",
            ])
        return buffer.getvalue()


class _NotNow(Exception):
    """Delivery is not possible at the moment (no mail or notifier configured)."""


def to_faq_entry(entry: PublishedEntry) -> FaqEntry:
    return FaqEntry(
        id=entry.faq_id,
        question=entry.question,
        answer=entry.answer,
        source=Source(session=entry.session, presenter=entry.presenter, forum=entry.forum),
        alternatives=entry.alternatives,
        tags=entry.tags,
        origin="inbox",
    )


def reply_subject(subject: Optional[str]) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        return "Re: your question to the SENCO Forum"
    return subject if re.match(r"(?i)^re\s*:", subject) else f"Re: {subject}"


def _entry_id(question: str, cluster_id: str) -> str:
    slug = "-".join(re.findall(r"[a-z0-9]+", question.lower()))[:40].strip("-")
    return f"inbox-{slug or 'question'}-{cluster_id[:6]}"


def _tag(topic: Optional[str]) -> Optional[str]:
    if not topic:
        return None
    tag = "-".join(re.findall(r"[a-z0-9]+", topic.lower()))
    return tag or None


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def _cell(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas; staff open this file in Excel.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
