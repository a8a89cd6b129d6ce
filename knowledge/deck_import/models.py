"""What an import drafts: plain frozen dataclasses, turned into JSON for the review queue.

Every draft carries ``source`` (forum, session, presenter, slides) and ``flags``: the reasons a
person must look before accepting it (a date read with a guess, a month-only date, no venue...).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional

KINDS = ("forum", "event", "deadline", "faq")


@dataclass(frozen=True)
class DraftSource:
    forum: str
    session: Optional[str]
    presenter: Optional[str]
    slides: tuple[int, ...]


@dataclass(frozen=True)
class SessionDraft:
    item: Optional[int]
    title: str
    presenter: Optional[str]
    role: Optional[str]
    minutes: Optional[int]
    slides: tuple[int, ...]          # first..last slide of the item; empty when the deck has none for it


@dataclass(frozen=True)
class ForumDraft:
    id: str
    title: str
    display: str
    status: str                      # held | proposed
    days: tuple[dict, ...]           # {phase, date}
    venue: Optional[str]
    online: Optional[bool]
    sessions: tuple[SessionDraft, ...]
    presenters: tuple[dict, ...]     # {name, role}
    evaluation_title: Optional[str]
    contact_email: Optional[str]
    contact_subject: Optional[str]
    source: DraftSource
    flags: tuple[str, ...] = ()
    kind: str = "forum"


@dataclass(frozen=True)
class EventDraft:
    id: str
    kind_of_event: str               # webinar | induction | event
    title: str
    description: str
    day: dt.date
    start: Optional[dt.time]
    end: Optional[dt.time]           # None when the deck gives no end time
    venue: Optional[str]
    online: bool
    booking_url: Optional[str]
    area: Optional[str]
    deck_text: str                   # the line the event was read from, as the deck has it
    source: DraftSource
    flags: tuple[str, ...] = ()
    kind: str = "event"


@dataclass(frozen=True)
class DeadlineDraft:
    id: str
    category: str
    title: str
    on: Optional[dt.date]            # None when the deck's words name no day ("summer term")
    precision: str                   # day | week | month | term
    until: Optional[dt.date]
    as_written: str                  # the date exactly as the deck writes it
    detail: str                      # the deck's sentence
    source: DraftSource
    event: Optional[str] = None
    flags: tuple[str, ...] = ()
    kind: str = "deadline"


@dataclass(frozen=True)
class FaqDraft:
    id: str
    question: str
    answer: str                      # sentences copied from the slides, nothing else
    topic: str                       # the slide heading the section runs under
    source: DraftSource
    missing_glossary_terms: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    kind: str = "faq"


@dataclass(frozen=True)
class DeckDrafts:
    file: str
    year: int
    slide_count: int
    forum: ForumDraft
    next_forum: Optional[ForumDraft]
    events: tuple[EventDraft, ...]
    deadlines: tuple[DeadlineDraft, ...]
    faqs: tuple[FaqDraft, ...]

    def all(self) -> list:
        head = [self.forum] + ([self.next_forum] if self.next_forum else [])
        return head + list(self.events) + list(self.deadlines) + list(self.faqs)


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value
