"""Withdrawing or correcting a published FAQ answer, and telling the people it was sent to.

The inbox's query log says which entry answered whom (``faq_id`` with outcome "answer"); each Teams
asker gets one message (idempotent per change), queued through the notifier like every other
proactive message, so the running bot sends it within Teams' limits.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Optional

from bot.clock import Clock
from bot.content.store import ContentError, ContentStore
from bot.notify import Notice
from bot.privacy.edge import scrub
from knowledge.london import british_date

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CorrectionResult:
    change: int            # the content store's change number (for `kb history` / `kb revert`)
    told: int              # askers sent a message
    question: str


class FaqCorrections:
    def __init__(self, store: ContentStore, queries, notifier, clock: Clock, *, team_name: str):
        self._store = store
        self._queries = queries          # integrations.db.inbox.InboxRepository (list_queries)
        self._notifier = notifier
        self._clock = clock
        self._team_name = team_name

    async def withdraw(self, faq_id: str, *, by: str, why: str, notify: bool = True) -> CorrectionResult:
        why = scrub(why) or why  # told to askers and kept in the history: redacted first
        item = await self._store.get("faq", faq_id)
        if item is None:
            raise ContentError(f"no published FAQ answer with id {faq_id}")
        made = await self._store.withdraw("faq", faq_id, by=by, why=why)
        question = item.doc["entry"].get("question", faq_id)
        told = await self._tell(faq_id, made.id, question, (
            f"An answer I gave you earlier, to \"{question}\", has been withdrawn by the {self._team_name.lower()}"
            f" ({why}). Please don't rely on it; ask me again or contact the team."))
        return CorrectionResult(made.id, told if notify else 0, question)

    async def edit(self, faq_id: str, answer: str, *, by: str, why: str, notify: bool = True) -> CorrectionResult:
        why = scrub(why) or why  # told to askers and kept in the history: redacted first
        item = await self._store.get("faq", faq_id)
        if item is None:
            raise ContentError(f"no published FAQ answer with id {faq_id}")
        doc = {"topic": item.doc["topic"], "entry": {**item.doc["entry"], "answer": " ".join(answer.split())}}
        made = await self._store.edit("faq", faq_id, doc, by=by, why=why)
        question = doc["entry"].get("question", faq_id)
        told = 0
        if notify:
            told = await self._tell(faq_id, made.id, question, (
                f"The {self._team_name.lower()} has corrected an answer I gave you to \"{question}\" ({why}). "
                f"The answer now reads: {doc['entry']['answer']}"))
        return CorrectionResult(made.id, told, question)

    async def _tell(self, faq_id: str, change: int, question: str, text: str) -> int:
        if self._notifier is None:
            return 0
        askers: dict[str, object] = {}
        for query in await self._queries.list_queries():
            if query.faq_id == faq_id and query.outcome == "answer" and query.channel != "email" and query.asker_id:
                askers.setdefault(query.asker_id, query)
        for asker_id, query in askers.items():
            await self._notifier.notify(Notice(
                user_id=asker_id,
                text=f"{text} (You asked on {british_date(query.asked_at)}.)",
                idempotency_key=f"faq.correction.{change}.{asker_id}",
                kind="faq.correction",
                meta={"faq_id": faq_id, "change": change},
            ))
        log.info("faq correction change=%d told=%d", change, len(askers))
        return len(askers)
