"""Logging questions: every question is logged (redacted); one needing an answer joins the most
similar open group, or starts one. Implements bot.faq.queries.QueryRecorder."""
from __future__ import annotations

from typing import Optional

from bot.clock import Clock
from bot.inbox.clusters import Candidate, best_cluster, normalise
from bot.privacy.edge import scrub_message
from bot.inbox.ports import QuestionStore
from integrations.db.inbox import NewQuery, Query
from knowledge.intents.classifier import is_chatter
from knowledge.models import AnswerResult


class QuestionLog:
    """Implements bot.faq.queries.QueryRecorder: what every channel calls with a question it answered."""

    def __init__(self, repo: QuestionStore, *, redactor, clock: Clock, cluster_threshold: float):
        self._repo = repo
        self._redactor = redactor
        self._clock = clock
        self._threshold = cluster_threshold

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
        redacted_subject, redacted_text = scrub_message(subject, text or "", self._redactor)
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
