"""Publishing: an answered group becomes a knowledge entry the answerer uses at once; staff correct
or unpublish it later.

In the assistant the entries live in the shared content store (``attach``): an FAQ item credited to
the inclusion team with the day it was published, its askers' other wordings as alternatives (so a
reworded repeat is answered from it), recorded with who and why like every other change, seen by
every replica, and withdrawn by unpublishing. Without a store (the plain service, as its unit tests
build it) the entry is handed to the answerer in memory, as before the store existed.
"""
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
        self._store = None
        self._corrections = None
        self._refresh = None
        self._seed_dir = None

    def attach(self, *, store, corrections, refresh, seed_dir=None) -> None:
        """Publishes into the shared content store from now on (the content feature calls this at install:
        the store, its FAQ corrections and this process's refresh exist only once it is installed)."""
        self._store = store
        self._corrections = corrections
        self._refresh = refresh
        self._seed_dir = seed_dir

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
        if self._store is not None:
            await self._into_store(entry, by=by, why=f"published from the inbox (group {cluster.id[:8]})")
        if not await self._repo.publish_cluster(cluster.id, entry):
            raise InboxError("That question was published or changed by someone else meanwhile.")
        faq_entry = to_faq_entry(entry)
        if self._store is not None:
            await self._refresh()
            return faq_entry
        self._faq.publish(faq_entry)
        self._loaded[entry.faq_id] = entry.published_at
        return faq_entry

    async def _into_store(self, entry: PublishedEntry, *, by: str, why: str) -> None:
        from bot.content.store import ContentError

        doc = store_doc(entry)
        try:
            await self._store.seed_if_empty(self._seed_dir)
            if await self._store.get("faq", entry.faq_id) is None:
                await self._store.add("faq", doc, by=by, why=why)
            else:
                await self._store.edit("faq", entry.faq_id, doc, by=by, why=why)
        except ContentError as exc:
            raise InboxError(f"Not published: {exc}.") from None

    async def stored(self, faq_id: str):
        """The entry as the content store holds it now (None when withdrawn, or without a store)."""
        return await self._store.get("faq", faq_id) if self._store is not None else None

    async def find(self, ident: str) -> PublishedEntry:
        """A published entry by its FAQ id, or by the start of its group's id."""
        ident = ident.strip()
        entries = await self._repo.published_entries()
        found = [e for e in entries if e.faq_id == ident] or \
            [e for e in entries if ident and (e.cluster_id or "").startswith(ident.lower())]
        if len(found) != 1:
            raise InboxError(f"No published answer has the id {ident!r}." if not found
                             else f"More than one published answer matches {ident!r}: give more of the id.")
        return found[0]

    async def correct(self, ident: str, answer: str, *, by: str, why: str, question: Optional[str] = None,
                      notify: bool = True):
        """Corrects a published answer; the people it was sent by the answerer are told (FaqCorrections)."""
        if self._store is None:
            raise InboxError("Published answers can be corrected only where the content store is in use.")
        from bot.content.store import ContentError

        entry = await self.find(ident)
        text = self._redactor.redact((answer or "").strip())
        reason = self._redactor.redact(" ".join((why or "").split()))
        if not text or not reason:
            raise InboxError("Write the corrected answer and say why.")
        wording = strip_tags(self._redactor.redact(question.strip())) if question and question.strip() else None
        try:
            if await self._store.get("faq", entry.faq_id) is None:
                await self._into_store(entry, by=by, why="published before the content store held inbox answers")
            if wording and wording != entry.question:
                item = await self._store.get("faq", entry.faq_id)
                await self._store.edit("faq", entry.faq_id, {**item.doc, "entry": {**item.doc["entry"],
                                                                                   "question": wording}},
                                       by=by, why=reason)
            done = await self._corrections.edit(entry.faq_id, text, by=by, why=reason, notify=notify)
        except ContentError as exc:
            raise InboxError(f"Not corrected: {exc}.") from None
        await self._repo.correct_published(entry.faq_id, text, wording, self._clock.now())
        await self._refresh()
        return done

    async def unpublish(self, ident: str, *, by: str, why: str, notify: bool = True):
        """Withdraws a published answer: no longer answered, its group back in the inbox as answered."""
        if self._store is None:
            raise InboxError("Published answers can be unpublished only where the content store is in use.")
        from bot.content.store import ContentError

        entry = await self.find(ident)
        reason = self._redactor.redact(" ".join((why or "").split()))
        if not reason:
            raise InboxError("Say why it is unpublished (the people it was sent to are told).")
        done = None
        if await self._store.get("faq", entry.faq_id) is not None:
            try:
                done = await self._corrections.withdraw(entry.faq_id, by=by, why=reason, notify=notify)
            except ContentError as exc:
                raise InboxError(f"Not unpublished: {exc}.") from None
        await self._repo.unpublish(entry.faq_id, self._clock.now())
        await self._refresh()
        return entry, done

    async def sync_published(self) -> int:
        """Loads entries published here or by another replica into the answerer; returns how many."""
        if self._store is not None:
            return await self._sync_into_store()
        fresh = [e for e in await self._repo.published_entries() if self._loaded.get(e.faq_id) != e.published_at]
        if fresh:
            self._faq.publish(*(to_faq_entry(e) for e in fresh))
            for entry in fresh:
                self._loaded[entry.faq_id] = entry.published_at
        self._synced = True
        return len(fresh)

    async def _sync_into_store(self) -> int:
        """Entries published before the store held inbox answers go into it, once per process; later ones
        are written there when published, and every replica reads the store."""
        if self._synced:
            return 0
        self._synced = True
        entries = await self._repo.published_entries()
        if not entries:
            return 0
        ever = {r.key for r in await self._store.history(kind="faq", limit=100_000)}
        added = 0
        for entry in entries:
            if entry.faq_id not in ever:
                await self._into_store(entry, by=entry.published_by,
                                       why="published from the inbox before the content store held its answers")
                added += 1
        if added:
            await self._refresh()
        return added

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


def store_doc(entry: PublishedEntry) -> dict:
    """The content store's FAQ item for a published answer, filed under its topic (the first tag)."""
    source = {"session": entry.session, "forum": entry.forum}
    if entry.presenter:
        source["presenter"] = entry.presenter
    item = {"id": entry.faq_id, "question": entry.question}
    if entry.alternatives:
        item["alternatives"] = list(entry.alternatives)
    item.update({"answer": entry.answer, "source": source, "tags": list(entry.tags)})
    return {"topic": entry.tags[0] if entry.tags else "questions-from-schools", "entry": item}


def _entry_id(question: str, cluster_id: str) -> str:
    slug = "-".join(re.findall(r"[a-z0-9]+", question.lower()))[:40].strip("-")
    return f"inbox-{slug or 'question'}-{cluster_id[:6]}"


def _tag(topic: Optional[str]) -> Optional[str]:
    if not topic:
        return None
    tag = "-".join(re.findall(r"[a-z0-9]+", topic.lower()))
    return tag or None
