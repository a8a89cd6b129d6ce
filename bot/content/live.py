"""Dated questions answered from the live catalogues and the asker's bookings, at the injected clock's now.

The router's fallback asks ``LiveService.answer`` before the FAQ engine; None means "not a dated
question, or nothing better than the FAQ", and the FAQ engine answers as before.
"""
from __future__ import annotations

import logging
from typing import Optional, Protocol, Sequence

from bot.clock import Clock
from knowledge.dated import DatedQuestion, catalogue_names, detect_dated, without_mentions
from knowledge.deadlines import Deadline
from knowledge.events import Event
from knowledge.forums import Forum
from knowledge.london import london_today
from knowledge.live import (Held, LiveAnswer, Offer, bookable_answer, deadlines_answer, joining_answer,
                            newer_than, next_forum_answer, when_answer)

log = logging.getLogger(__name__)


class Catalogues(Protocol):
    """Where the current forums and deadlines come from (files, or the shared content store)."""

    def forums(self) -> Sequence[Forum]: ...

    def deadlines(self) -> Sequence[Deadline]: ...


class Bookings(Protocol):
    """The part of the booking service live answers read."""

    def events(self) -> Sequence[Event]: ...

    async def offers(self, events=None) -> list: ...

    async def my_bookings(self, user_id: str) -> list: ...


class LiveService:
    def __init__(self, clock: Clock, catalogues: Catalogues, bookings: Bookings):
        self._clock = clock
        self._catalogues = catalogues
        self._bookings = bookings

    def names(self) -> tuple[str, ...]:
        events = self._bookings.events()
        deadlines = self._catalogues.deadlines()
        return catalogue_names([e.title for e in events] + [d.title for d in deadlines],
                               [e.venue for e in events], [e.area for e in events])

    def event_names(self) -> tuple[str, ...]:
        events = self._bookings.events()
        return catalogue_names([e.title for e in events], [e.venue for e in events], [e.area for e in events])

    def detect(self, text: str) -> Optional[DatedQuestion]:
        return detect_dated(text, self.names(), self.event_names())

    def is_dated_question(self, text: str) -> bool:
        return self.detect(without_mentions(text)) is not None

    async def answer(self, text: str, user_id: Optional[str]) -> Optional[LiveAnswer]:
        text = without_mentions(text)
        found = self.detect(text)
        if found is None:
            return None
        return await self.answer_kind(found.kind, text, user_id, found.name)

    async def answer_kind(self, kind: str, text: str, user_id: Optional[str],
                          name: Optional[str] = None) -> Optional[LiveAnswer]:
        now = self._clock.now()
        if kind == "upcoming_deadlines":
            return deadlines_answer(self._catalogues.deadlines(), now, text)
        offers = await self._offers()
        if kind == "next_forum":
            return next_forum_answer(self._catalogues.forums(), offers, now, text)
        if kind == "bookable_events":
            return bookable_answer(offers, now, text)
        if kind == "joining_link":
            held = await self._held(user_id) if user_id else []
            return joining_answer(held, [o.event for o in offers], now, text)
        if kind == "when_is_named":
            return when_answer(name, text, self._catalogues.forums(), self._catalogues.deadlines(), offers, now)
        return None

    def newer_note(self, entry) -> Optional[str]:
        """For an FAQ answer quoting a date: a newer catalogue entry of the same kind, if any."""
        fact = getattr(entry, "date", None)
        now = self._clock.now()
        # A date still to come is the current answer: nothing newer to put before it.
        if fact is None or fact.last_day >= london_today(now):
            return None
        return newer_than(fact.on, fact.label, self._catalogues.deadlines(), self._catalogues.forums(), now,
                          self._bookings.events())

    async def _offers(self) -> list[Offer]:
        return [Offer(o.event, o.state, o.places.left, o.places.waitlisted) for o in await self._bookings.offers()]

    async def _held(self, user_id: str) -> list[Held]:
        out = []
        for mine in await self._bookings.my_bookings(user_id):
            if mine.event is None or mine.booking.status not in ("confirmed", "waitlisted"):
                continue
            out.append(Held(mine.event, mine.booking.status, mine.waitlist_position, mine.calendar_url))
        return out
