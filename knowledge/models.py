"""Domain objects of the knowledge base: plain frozen dataclasses, no behaviour
beyond small derived views, so every layer can pass them around safely."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

DEFAULT_FORUM = "term4-2025"

# Forum codes the deck has given us. Catalogues may supply more through
# KnowledgeBase.forum_labels; an unknown code falls back to the code itself.
FORUM_LABELS: dict[str, str] = {
    "term4-2025": "Countywide SENCO Forum, March 2025",
}


@dataclass(frozen=True)
class Source:
    session: str
    presenter: str | None = None
    forum: str = DEFAULT_FORUM

    def line(self, forum_labels: dict[str, str] | None = None) -> str:
        labels = forum_labels or FORUM_LABELS
        forum = labels.get(self.forum) or FORUM_LABELS.get(self.forum) or self.forum
        who = f", {self.presenter}" if self.presenter else ""
        return f"{forum} — {self.session}{who}"


@dataclass(frozen=True)
class DatedFact:
    on: dt.date
    label: str
    precision: str = "day"     # "month" when the source gives only the month ("May 2025")

    @property
    def last_day(self) -> dt.date:
        """The last day the fact is still current: a month-only date lasts to the month's end."""
        if self.precision == "month":
            following = (self.on.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return following - dt.timedelta(days=1)
        return self.on

    def when(self) -> str:
        """As the source gives it: "Tuesday 6 May 2025", or "May 2025" with no invented day."""
        if self.precision == "month":
            return f"{self.on:%B %Y}"
        return f"{self.on:%A} {self.on.day} {self.on:%B %Y}"


@dataclass(frozen=True)
class FaqEntry:
    id: str
    question: str
    answer: str
    source: Source
    alternatives: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    date: DatedFact | None = None
    origin: str | None = None  # file the entry came from, for messages only


@dataclass(frozen=True)
class GlossaryTerm:
    term: str
    expansion: str | None
    variants: tuple[str, ...] = ()
    source: str = "deck"


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[FaqEntry, ...]
    glossary: tuple[GlossaryTerm, ...] = ()
    synonyms: tuple[tuple[str, ...], ...] = ()
    forum_labels: dict[str, str] = field(default_factory=lambda: dict(FORUM_LABELS))
    path: str | None = None

    def by_id(self) -> dict[str, FaqEntry]:
        return {e.id: e for e in self.entries}

    def with_entry(self, entry: FaqEntry) -> "KnowledgeBase":
        """A copy with `entry` added, replacing any entry with the same id."""
        kept = tuple(e for e in self.entries if e.id != entry.id)
        return KnowledgeBase(kept + (entry,), self.glossary, self.synonyms,
                             self.forum_labels, self.path)


@dataclass(frozen=True)
class Suggestion:
    faq_id: str
    question: str
    confidence: float | None = None


@dataclass(frozen=True)
class AnswerResult:
    question: str
    outcome: str  # "answer" | "suggest" | "decline"
    confidence: float
    entry: FaqEntry | None = None
    answer_text: str | None = None
    source_line: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    related: tuple[Suggestion, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "outcome": self.outcome,
            "answer": self.answer_text,
            "faq_id": self.entry.id if self.entry is not None else None,
            "confidence": round(self.confidence, 3),
            "source": self.source_line,
            "suggestions": [{"faq_id": s.faq_id, "question": s.question}
                            for s in self.suggestions],
        }
