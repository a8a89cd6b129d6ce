"""Publishing: an answered group becomes a knowledge entry the answerer uses at once, and entries
published by another replica are loaded here too."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Optional

from bot.clock import Clock, london
from bot.inbox.answers import AnswerBack
from bot.inbox.clusters import distinct_wordings, near_identical, strip_tags
from bot.inbox.views import MAX_WORDINGS, InboxError
from bot.inbox.ports import PublishStore
from integrations.db.inbox import PublishedEntry
from knowledge.models import FaqEntry, Source


class Publisher:
    def __init__(
        self,
        repo: PublishStore,
        *,
        redactor,
        faq,
        clock: Clock,
        forum: str,
        default_topic: str,
        answers: AnswerBack,
    ):
        self._repo = repo
        self._redactor = redactor
        self._faq = faq
        self._clock = clock
        self._forum = forum
        self.default_topic = default_topic
        self._answers = answers     # publishing an open group answers it first
        self._loaded: dict[str, datetime] = {}
        self._synced = False

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
            cluster = (await self._answers.answer(cluster_id, answer, by=by, question=question)).cluster
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


def _entry_id(question: str, cluster_id: str) -> str:
    slug = "-".join(re.findall(r"[a-z0-9]+", question.lower()))[:40].strip("-")
    return f"inbox-{slug or 'question'}-{cluster_id[:6]}"


def _tag(topic: Optional[str]) -> Optional[str]:
    if not topic:
        return None
    tag = "-".join(re.findall(r"[a-z0-9]+", topic.lower()))
    return tag or None
