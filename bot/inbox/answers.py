"""Answer-back: staff answer a group once, and everyone who asked gets the answer, in Teams by a
notice or by email as a reply in their own thread."""
from __future__ import annotations

import logging
import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any, Optional

from bot.cards import render_card
from bot.clock import Clock, british_datetime
from bot.inbox.views import AnswerOutcome, Delivery, InboxError
from bot.notify import Notice, Notifier
from bot.rendering import render
from bot.inbox.ports import AnswerStore
from integrations.db.inbox import Cluster, Query

log = logging.getLogger(__name__)

# Channels with no way to send a message later (the terminal chat has no connector).
OFFLINE_CHANNELS = ("console",)


class AnswerBack:
    def __init__(
        self,
        repo: AnswerStore,
        *,
        redactor,
        clock: Clock,
        team_name: str,
        team_mailbox: str,
        notifier: Optional[Notifier],
        mail: Optional[Any],
        references: Optional[Any] = None,
    ):
        self._repo = repo
        self._redactor = redactor
        self._clock = clock
        self._team_name = team_name
        self._team_mailbox = team_mailbox
        self._notifier = notifier
        self._mail = mail
        # Conversation references, to tell a queued Teams answer from one nobody can get.
        self._references = references

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
            elif query.channel in OFFLINE_CHANNELS:
                # Marked as dealt with, so it is not retried, and counted apart: "sent in Teams" would be untrue.
                if await self._repo.claim_delivery(query.id, self._clock.now()):
                    total = total + Delivery(offline=1)
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


class _NotNow(Exception):
    """Delivery is not possible at the moment (no mail or notifier configured)."""


def reply_subject(subject: Optional[str]) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        return "Re: your question to the SENCO Forum"
    return subject if re.match(r"(?i)^re\s*:", subject) else f"Re: {subject}"


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"
