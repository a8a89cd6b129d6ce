"""The answerer's feedback loop: questions it declined although it ranked an entry close, and staff saying
"yes, this is entry X".

One service for both doors: ``sencobot kb closest|confirm`` and the staff card in Teams
(``dialogs/faq_feedback.py``). A confirmation is one JSON line in the training data's ``confirmed.jsonl``
(question, entry, who, date), which ``sencobot kb train`` (knowledge/train.py) reads as labelled examples for the
next model build; nothing changes in the live answerer until then, so a wrong click costs one training example,
not a wrong answer.
"""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional, Protocol, Sequence

from bot.clock import Clock
from knowledge import training

log = logging.getLogger(__name__)

# The engine's probability that the top entry is the one meant, at or above which a declined question is shown
# to staff as a close call. Declines of questions the forum never covered mostly score under 0.2 (parking, mileage),
# paraphrases of an entry the engine did not trust 0.3-0.6.
CLOSE_FLOOR = 0.25
# Entries offered per question: the one-click buttons.
OFFERED = 3
# Questions scored per card (each costs one ranking, ~10-20 ms) and shown on it.
SCANNED = 60
SHOWN = 5
DECLINED_OUTCOMES = ("decline", "suggest")


class Ranker(Protocol):
    """The answerer as the bot runs it (knowledge.engine.Answerer): ranks entries for a question."""

    def score(self, question: str, limit: int = ...) -> list: ...

    @property
    def kb(self): ...


class QuestionLog(Protocol):
    """The FAQ inbox's stored questions (integrations.db.inbox.InboxRepository), redacted when stored."""

    async def list_queries(self, *, statuses=None, needs_answer: Optional[bool] = None, limit=None) -> list: ...

    async def get_query(self, query_id: str): ...


@dataclass(frozen=True)
class Close:
    faq_id: str
    question: str           # the entry's own question, as staff know it
    probability: float


@dataclass(frozen=True)
class CloseCall:
    query_id: str
    text: str               # as stored: redacted
    asked_at: datetime
    outcome: str
    closest: tuple[Close, ...]


@dataclass(frozen=True)
class Confirmation:
    question: str
    faq_id: str
    entry_question: str
    recorded: bool          # False: the same question was already confirmed as this entry


class FeedbackError(ValueError):
    """A confirmation that cannot be recorded (no such entry, no question); the message is for the user."""


def _key(text: str) -> str:
    return " ".join(text.lower().split())


class KbFeedback:
    def __init__(self, ranker: Ranker, clock: Clock, *, confirmed_path: Optional[Path] = None,
                 questions: Optional[QuestionLog] = None):
        self._ranker = ranker
        self._clock = clock
        self._path = Path(confirmed_path) if confirmed_path else training.CONFIRMED
        self._questions = questions
        # Two staff pressing at once must not interleave half lines.
        self._lock = threading.Lock()

    @property
    def confirmed_path(self) -> Path:
        return self._path

    def closest(self, question: str, n: int = OFFERED) -> list[Close]:
        """The entries the answerer ranks closest to a question, best first, with its probabilities."""
        by_id = self._ranker.kb.by_id()
        return [Close(s.entry_id, by_id[s.entry_id].question if s.entry_id in by_id else s.entry_id,
                      round(float(s.confidence), 3))
                for s in self._ranker.score(question)[:n]]

    def confirmed(self) -> list[dict]:
        return training.read_jsonl(self._path)

    def _already(self) -> set[tuple[str, str]]:
        return {(_key(row.get("question", "")), row.get("faq_id", "")) for row in self.confirmed()}

    async def close_calls(self, *, floor: float = CLOSE_FLOOR, shown: int = SHOWN,
                          scanned: int = SCANNED) -> list[CloseCall]:
        """Declined (or only suggested) questions from the inbox whose top-ranked entry scores at least ``floor``,
        newest first, leaving out any already confirmed. Only the newest ``scanned`` are ranked, so the card
        stays quick however long the inbox grows."""
        if self._questions is None:
            return []
        done = {question for question, _ in self._already()}
        seen: set[str] = set()
        recent = []
        for query in reversed(await self._questions.list_queries()):
            key = _key(query.text)
            if query.outcome not in DECLINED_OUTCOMES or key in done or key in seen or not key:
                continue
            seen.add(key)
            recent.append(query)
            if len(recent) >= scanned:
                break
        calls = []
        for query in recent:
            closest = tuple(c for c in self.closest(query.text) if c.probability >= floor)
            if closest:
                calls.append(CloseCall(query.id, query.text, query.asked_at, query.outcome, closest))
            if len(calls) >= shown:
                break
        return calls

    async def question_of(self, query_id: str) -> Optional[str]:
        if self._questions is None or not isinstance(query_id, str):
            return None
        query = await self._questions.get_query(query_id)
        return query.text if query is not None else None

    def confirm(self, question: str, faq_id: str, *, by: Optional[str]) -> Confirmation:
        """Records that ``question`` means entry ``faq_id``: a labelled example for the next ``kb train``."""
        question = " ".join((question or "").split())
        if not question:
            raise FeedbackError("There's no question to record.")
        entry = self._ranker.kb.by_id().get(faq_id)
        if entry is None:
            raise FeedbackError(f"There's no entry {faq_id!r} in the knowledge base any more.")
        with self._lock:
            if (_key(question), faq_id) in self._already():
                return Confirmation(question, faq_id, entry.question, recorded=False)
            row = {"question": question, "faq_id": faq_id, "by": by, "on": self._clock.now().date().isoformat()}
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        log.info("feedback: a declined question confirmed as %s", faq_id)
        return Confirmation(question, faq_id, entry.question, recorded=True)


def close_call_lines(calls: Sequence[CloseCall]) -> list[dict]:
    """The card's view of close calls (plain data for the template)."""
    return [{"query_id": c.query_id, "text": c.text, "outcome": c.outcome,
             "closest": [{"faq_id": e.faq_id, "question": e.question, "percent": round(e.probability * 100)}
                         for e in c.closest]} for c in calls]
