"""The FAQ answerer as the host uses it: answers now, rebuilds when the knowledge changes."""
from __future__ import annotations

import asyncio
import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Optional

from bot.clock import Clock
from knowledge.engine import Answerer, Thresholds, source_line, time_aware_text
from knowledge.loader import load_knowledge
from knowledge.models import AnswerResult, FaqEntry, Suggestion

log = logging.getLogger(__name__)

# How knowledge.engine.time_aware_text introduces the deck's words after saying a date has passed.
PASSED_PREFIX = "What the forum said:"

# Scoring a question is ~10 ms of numpy (the sentence encoder), which releases the GIL: in these threads it
# leaves the event loop free for other turns and uses a second core. Bounded, so a burst of questions
# queues here instead of starting a thread each.
_SCORING_THREADS = max(1, min(4, os.cpu_count() or 1))
_scoring: ThreadPoolExecutor | None = None


def _scoring_pool() -> ThreadPoolExecutor:
    global _scoring
    if _scoring is None:
        _scoring = ThreadPoolExecutor(max_workers=_SCORING_THREADS, thread_name_prefix="faq-scoring")
    return _scoring


class FaqService:
    def __init__(self, answerer: Answerer, clock: Clock, data_dir: Optional[Path] = None):
        self.answerer = answerer
        self._clock = clock
        self._data_dir = data_dir
        self._fingerprint = _fingerprint(data_dir)
        # Entries published from the inbox: kept so a reload of the files does not drop them.
        self._published: dict[str, FaqEntry] = {}
        # (entry) -> sentence or None: a newer catalogue date an answer quoting an old one defers to.
        self._note_sources: list = []

    def add_note_source(self, source) -> None:
        self._note_sources.append(source)

    def _with_notes(self, result: AnswerResult) -> AnswerResult:
        if result.outcome != "answer" or result.entry is None or result.entry.date is None:
            return result
        for source in self._note_sources:
            note = source(result.entry)
            if note:
                # A passed date's answer already says "… it has passed. What the forum said: …" once.
                said = "" if PASSED_PREFIX in result.answer_text else f"{PASSED_PREFIX} "
                return replace(result, answer_text=f"{note} {said}{result.answer_text}")
        return result

    @classmethod
    def from_directory(cls, data_dir: Optional[Path], thresholds: Thresholds, clock: Clock) -> "FaqService":
        kb = load_knowledge(data_dir)
        directory = Path(kb.path) if getattr(kb, "path", None) else data_dir
        return cls(Answerer(kb, thresholds), clock, directory)

    def ask(self, question: str) -> AnswerResult:
        return _fitted(question, self._with_notes(self.answerer.answer(question, now=self._clock.now())))

    async def ask_off_loop(self, question: str) -> AnswerResult:
        """``ask`` for a turn: the answerer runs in a scoring thread (it answers from one snapshot of its
        index, so a reload meanwhile is safe); the notes, which may read the content store, stay here."""
        now = self._clock.now()
        result = await asyncio.get_running_loop().run_in_executor(
            _scoring_pool(), self.answerer.answer, question, now)
        return _fitted(question, self._with_notes(result))

    def show(self, faq_id: str) -> Optional[AnswerResult]:
        """The answer card for one entry (a follow-up or "Did you mean" button)."""
        entry = self.entry(faq_id)
        if entry is None:
            return None
        kb = self.answerer.kb
        by_id = kb.by_id()
        related = tuple(
            Suggestion(rid, by_id[rid].question) for rid in entry.related if rid in by_id and rid != entry.id
        )
        return self._with_notes(AnswerResult(
            question=entry.question,
            outcome="answer",
            confidence=1.0,
            entry=entry,
            answer_text=time_aware_text(entry, self._clock.now()),
            source_line=source_line(entry, kb.forum_labels),
            related=related,
        ))

    def entry(self, faq_id: str) -> Optional[FaqEntry]:
        return self.answerer.kb.by_id().get(faq_id)

    def publish(self, *entries: FaqEntry) -> None:
        """Makes entries live at once (one index rebuild for all of them); reloads keep them."""
        kb = self.answerer.kb
        for entry in entries:
            self._published[entry.id] = entry
            kb = kb.with_entry(entry)
        if entries:
            self.answerer.reload(kb)

    # The shared content store (bot.content.store.StoreCatalogues), set by the wiring.
    store = None
    _store_version = 0

    def refresh_if_changed(self) -> bool:
        """Rebuilds the index when the content store or a knowledge file changed; the old index serves until then."""
        if self.store is not None and self.store.cache.active:
            if self.store.version == self._store_version:
                return False
            kb = self.store.knowledge(self.answerer.kb)
            if kb is None:
                return False
            self._store_version = self.store.version
            for entry in self._published.values():
                if entry.id not in kb.by_id():
                    kb = kb.with_entry(entry)
            self.answerer.reload(kb)
            log.info("knowledge rebuilt from the content store: %d entries", len(kb.entries))
            return True
        current = _fingerprint(self._data_dir)
        if current == self._fingerprint:
            return False
        try:
            kb = load_knowledge(self._data_dir)
        except Exception as exc:
            # A half-saved or invalid file must not take the answerer down: keep serving the old index.
            log.warning("knowledge reload failed, keeping the previous index: %s", exc)
            return False
        self._fingerprint = current
        for entry in self._published.values():
            kb = kb.with_entry(entry)
        self.answerer.reload(kb)
        log.info("knowledge reloaded: %d entries", len(kb.entries))
        return True


# The deck's answer opens the text, or follows "… it has passed. What the forum said:".
_YES_NO_OPENING = re.compile(rf"(^|{re.escape(PASSED_PREFIX)} )(?:Yes|No)[.,!]\s+(\S)")
_FILLER = re.compile(r"^(?:(?:hi|hello|hey|so|and|but|ok|okay|please|quick question|sorry)\b[\s,:!-]*)+")
_AUXILIARY = re.compile(r"^(?:is|are|was|were|am|do|does|did|can|could|will|would|should|shall|must|may|might|"
                        r"has|have|had|isn'?t|aren'?t|don'?t|doesn'?t|didn'?t|can'?t|won'?t|wouldn'?t|"
                        r"shouldn'?t|hasn'?t|haven'?t|any)\b")
_WH = re.compile(r"\b(?:how|what|whats|when|whens|where|which|who|whom|whose|why)\b")


def _fitted(question: str, result: AnswerResult) -> AnswerResult:
    """An entry written for "Is the NPQ funded?" starts "Yes."; "how much does it cost" did not ask that."""
    if result.outcome != "answer" or not result.answer_text or is_yes_no_question(question):
        return result
    trimmed = _YES_NO_OPENING.sub(lambda m: m.group(1) + m.group(2).upper(), result.answer_text, count=1)
    return replace(result, answer_text=trimmed) if trimmed != result.answer_text else result


def is_yes_no_question(question: str) -> bool:
    """Whether a "Yes." or "No." opening answers it: "is the npq free?", "npq free?", "I wonder if…"."""
    text = _FILLER.sub("", " ".join(question.lower().replace("’", "'").split()))
    if _AUXILIARY.match(text) or re.search(r"\b(?:if|whether)\b", text):
        return True
    return text.endswith("?") and not _WH.search(text)


def _fingerprint(data_dir: Optional[Path]) -> tuple:
    if data_dir is None or not Path(data_dir).is_dir():
        return ()
    return tuple(
        sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in Path(data_dir).rglob("*.y*ml"))
    )
