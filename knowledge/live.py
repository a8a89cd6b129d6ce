"""Answers to dated questions, worked out from the catalogues at a given "now". Pure: no clock, no I/O.

The FAQ text was written in March 2025; what is *next* can only come from the catalogues staff keep
current (forums, deadlines, events) and from the asker's own bookings. Each function returns a
``LiveAnswer`` (data, rendered by the host's card template) or None when the catalogues have nothing
better than the FAQ: the FAQ engine then answers as before (it reports passed dates as passed).

Dates are shown with the precision the source gives: a month-only deadline is "May 2025", a forum
session without times has no time, an event has its London start time.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

from rapidfuzz import fuzz

from knowledge.deadlines import Deadline
from knowledge.events import AREAS, Event, find_events
from knowledge.forums import Forum
from knowledge.london import british_date, british_datetime, london, london_today

# Categories that are dates of events and forums rather than things to do by a date: the forum
# and events answers cover them, so "upcoming deadlines" leaves them out.
NOT_DEADLINES = frozenset({"events", "forum"})
DEADLINE_LIMIT = 8
EVENT_LIMIT = 8


@dataclass(frozen=True)
class Action:
    title: str
    action: Optional[str] = None       # a card action name (Action.Submit), e.g. booking.pick
    data: tuple[tuple[str, str], ...] = ()
    url: Optional[str] = None          # or a link (Action.OpenUrl)

    def as_dict(self) -> dict:
        if self.url:
            return {"title": self.title, "url": self.url}
        return {"title": self.title, "data": {"action": self.action, **dict(self.data)}}


@dataclass(frozen=True)
class LiveItem:
    title: str
    facts: tuple[tuple[str, str], ...] = ()    # (label, value) shown under the title
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class LiveAnswer:
    kind: str                      # the dated question's kind (knowledge.dated.KINDS)
    text: str                      # the lead sentence(s)
    items: tuple[LiveItem, ...] = ()
    actions: tuple[Action, ...] = ()
    note: Optional[str] = None
    refs: tuple[str, ...] = field(default=())   # catalogue ids the answer quotes (tests, logs)

    def plain(self) -> str:
        """One readable block (email replies, logs in tests)."""
        lines = [self.text]
        for item in self.items:
            lines.append(f"- {item.title}" + "".join(f"; {label}: {value}" for label, value in item.facts))
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)


@dataclass(frozen=True)
class Offer:
    """An event with its booking state and places, as the booking service reports it."""
    event: Event
    state: str          # open | not_open | closed | past | cancelled
    places_left: int
    waitlisted: int = 0


@dataclass(frozen=True)
class Held:
    """One of the asker's bookings."""
    event: Event
    status: str                     # confirmed | waitlisted
    waitlist_position: Optional[int] = None
    calendar_url: Optional[str] = None


# -- formatting ------------------------------------------------------------------------------------


def session_when(forum: Forum) -> str:
    parts = []
    for session in sorted(forum.sessions, key=lambda s: s.date):
        text = british_date(session.date)
        if session.start and session.end:
            text += f", {session.start:%H:%M} to {session.end:%H:%M}"
        elif session.start:
            text += f", {session.start:%H:%M}"
        if session.phase:
            text += f" ({session.phase})"
        parts.append(text)
    return "; ".join(parts)


def forum_where(forum: Forum) -> Optional[str]:
    if forum.venue and forum.join_url:
        return f"{forum.venue}, or online (Microsoft Teams)"
    if forum.venue:
        return forum.venue
    if forum.join_url:
        return "Online (Microsoft Teams)"
    return None


def event_when(event: Event) -> str:
    end = london(event.end)
    text = british_datetime(event.start)
    if not event.end_assumed and london(event.start).date() == end.date():
        text += f" to {end:%H:%M}"
    return text


def _reminder(category: str, title: str = "Remind me") -> Action:
    return Action(title, "reminders.subscribe", (("category", category),))


# -- the next forum --------------------------------------------------------------------------------


def upcoming_forums(forums: Iterable[Forum], now: dt.datetime) -> list[Forum]:
    today = london_today(now)
    return sorted((f for f in forums if f.status != "cancelled" and f.last_date >= today),
                  key=lambda f: (f.first_date, f.id))


def last_forum(forums: Iterable[Forum], now: dt.datetime) -> Optional[Forum]:
    today = london_today(now)
    held = [f for f in forums if f.status != "cancelled" and f.last_date < today]
    return max(held, key=lambda f: (f.last_date, f.id)) if held else None


def next_forum_answer(forums: Sequence[Forum], offers: Sequence[Offer], now: dt.datetime,
                      text: str = "") -> Optional[LiveAnswer]:
    named = _named_term(text)
    if named:
        # "the term 5 forum": when that forum is in the past, the FAQ (which reports it as passed) answers.
        matching = [f for f in forums if f.id.startswith(named)]
        if matching and not upcoming_forums(matching, now):
            return None
    coming = upcoming_forums(forums, now)
    if not coming:
        return _nothing_upcoming("next_forum", "forum", "I don't have a date for the next Countywide SENCO Forum yet.",
                                 _last_forum_line(forums, now))
    forum = coming[0]
    facts: list[tuple[str, str]] = [("When", session_when(forum))]
    where = forum_where(forum)
    if where:
        facts.append(("Where", where))
    agenda = [item.label for item in forum.agenda]
    if agenda:
        facts.append(("Agenda", "; ".join(agenda)))
    actions: list[Action] = []
    by_event = {o.event.id: o for o in offers}
    offer = by_event.get(forum.event) if forum.event else None
    how = None
    if offer is not None and offer.state == "open":
        actions.append(Action("Book a place", "booking.pick", (("event_id", offer.event.id),)))
        how = f"Book here ({offer.places_left} place{'s' if offer.places_left != 1 else ''} left)."
    elif offer is not None and offer.state == "not_open":
        how = f"Booking opens {british_datetime(offer.event.booking_opens)}."
    elif forum.booking_url:
        actions.append(Action("Book a place", url=forum.booking_url))
        how = "Book with the link below."
    elif forum.contact:
        how = f"Ask about places at {forum.contact.email}."
    if how:
        facts.append(("How to book", how))
    actions.append(_reminder("forum", "Remind me about the forum"))
    status = " (proposed; the dates may change)" if forum.status == "proposed" else ""
    lead = f"The next forum is the {forum.title}{status}."
    later = [f"{f.title}: {session_when(f)}" for f in coming[1:3]]
    note = ("After that: " + "; ".join(later) + ".") if later else None
    return LiveAnswer("next_forum", lead, (LiveItem(forum.display, tuple(facts)),), tuple(actions), note,
                      (forum.id,))


def _named_term(text: str) -> Optional[str]:
    match = re.search(r"\bterm\s*([1-6])\b", text.lower())
    return f"term{match.group(1)}-" if match else None


def _last_forum_line(forums: Sequence[Forum], now: dt.datetime) -> Optional[str]:
    last = last_forum(forums, now)
    if last is None:
        return None
    return f"The last one was the {last.title}, {_dates_only(last)}."


def _dates_only(forum: Forum) -> str:
    days = sorted({s.date for s in forum.sessions})
    return " and ".join(british_date(d) for d in days)


# -- deadlines -------------------------------------------------------------------------------------

_CATEGORY_WORDS = {
    "funding": ("funding", "top up", "top-up", "topup", "claim", "claims", "money", "hnf", "e3"),
    "tribunal": ("tribunal", "appeal", "appeals", "sendist", "hearing"),
    "training": ("training", "npq", "course", "cpd"),
}


def categories_asked(text: str) -> set[str]:
    lowered = f" {text.lower()} "
    return {category for category, words in _CATEGORY_WORDS.items()
            if any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words)}


def upcoming_deadlines(deadlines: Iterable[Deadline], now: dt.datetime) -> list[Deadline]:
    today = london_today(now)
    return sorted((d for d in deadlines if d.category not in NOT_DEADLINES and not d.has_passed(today)),
                  key=lambda d: (d.on, d.id))


def last_deadline(deadlines: Iterable[Deadline], now: dt.datetime) -> Optional[Deadline]:
    today = london_today(now)
    passed = [d for d in deadlines if d.category not in NOT_DEADLINES and d.has_passed(today)]
    return max(passed, key=lambda d: (d.last_day, d.id)) if passed else None


def deadlines_answer(deadlines: Sequence[Deadline], now: dt.datetime, text: str = "") -> LiveAnswer:
    asked = categories_asked(text)
    pool = [d for d in deadlines if not asked or d.category in asked]
    coming = upcoming_deadlines(pool, now)
    what = " and ".join(sorted(asked)) + " deadlines" if asked else "deadlines"
    category = next(iter(asked)) if len(asked) == 1 else "all"
    if not coming:
        last = last_deadline(pool, now)
        last_line = f"The last one was {last.title}, {last.when()}." if last else None
        return _nothing_upcoming("upcoming_deadlines", category, f"There are no upcoming {what} in my list.",
                                 last_line)
    items = tuple(LiveItem(d.title, (("When", d.when()), ("What to do", d.detail)))
                  for d in coming[:DEADLINE_LIMIT])
    more = len(coming) - len(items)
    note = f"{more} more after these; say \"deadlines\" for the full list." if more > 0 else None
    lead = f"Upcoming {what}, soonest first:"
    return LiveAnswer("upcoming_deadlines", lead, items, (_reminder(category, "Remind me before these"),), note,
                      tuple(d.id for d in coming[:DEADLINE_LIMIT]))


# -- events open for booking -----------------------------------------------------------------------


def bookable_answer(offers: Sequence[Offer], now: dt.datetime, text: str = "") -> LiveAnswer:
    events = [o.event for o in offers]
    query, matched = find_events(events, text)
    matched_ids = {e.id for e in matched}
    pool = [o for o in offers if o.event.id in matched_ids] if query.is_specific else list(offers)
    open_now = sorted((o for o in pool if o.state == "open"), key=lambda o: (o.event.start, o.event.id))
    soon = sorted((o for o in pool if o.state == "not_open"), key=lambda o: (o.event.start, o.event.id))
    if not open_now and not soon:
        past = [o.event for o in pool if o.event.start <= now]
        last = max(past, key=lambda e: e.start) if past else None
        last_line = f"The last one was the {last.title}, {british_date(last.start)}." if last else None
        return _nothing_upcoming("bookable_events", "events",
                                 "There's nothing open for booking at the moment.", last_line)
    items = []
    for offer in (open_now + soon)[:EVENT_LIMIT]:
        event = offer.event
        facts = [("When", event_when(event)), ("Where", event.location)]
        if offer.state == "open":
            if offer.places_left > 0:
                facts.append(("Places left", str(offer.places_left)))
            else:
                facts.append(("Places left", f"none (waiting list: {offer.waitlisted})"))
            facts.append(("Book by", british_datetime(event.booking_closes)))
            day = f"{london(event.start):%A} {london(event.start).day} {london(event.start):%B}"
            actions = (Action(f"Book ({day})" if offer.places_left > 0 else f"Join the waiting list ({day})",
                              "booking.pick", (("event_id", event.id),)),)
        else:
            facts.append(("Booking opens", british_datetime(event.booking_opens)))
            actions = (_reminder("events", "Remind me"),)
        items.append(LiveItem(event.title, tuple(facts), actions))
    lead = "Open for booking now:" if open_now else "Nothing is open for booking yet; coming up:"
    return LiveAnswer("bookable_events", lead, tuple(items), (), None, tuple(o.event.id for o in open_now + soon))


# -- my bookings and the way in --------------------------------------------------------------------


def joining_answer(held: Sequence[Held], events: Sequence[Event], now: dt.datetime,
                   text: str = "") -> Optional[LiveAnswer]:
    mine = sorted((h for h in held if h.event.end > now), key=lambda h: (h.event.start, h.event.id))
    query, matched = find_events([h.event for h in mine], text)
    if query.is_specific and matched:
        ids = {e.id for e in matched}
        mine = [h for h in mine if h.event.id in ids]
    if not mine:
        # Not booked: the named event's own details, when it is still to come; otherwise the FAQ's answer.
        query, named = find_events(events, text)
        coming = [e for e in named if e.end > now and e.status == "scheduled"]
        if query.is_specific and coming:
            event = coming[0]
            facts = (("When", event_when(event)), ("Where", event.location))
            return LiveAnswer("joining_link", "You haven't booked this one. Its details:",
                              (LiveItem(event.title, facts),),
                              (Action("Book", "booking.pick", (("event_id", event.id),)),),
                              "The joining link is sent when you book." if event.join_url else None, (event.id,))
        if query.places or query.day_month or query.areas:
            return None     # a named event that is over: the FAQ's answer (it says when it was) is better
        return LiveAnswer("joining_link", "You have no upcoming bookings, so I have no joining link or venue for you.",
                          (), (Action("What can I book?", "live.ask", (("kind", "bookable_events"),)),),
                          None, ())
    items = []
    for h in mine:
        event = h.event
        facts = [("When", event_when(event))]
        actions = []
        if h.status == "waitlisted":
            facts.append(("Status", f"on the waiting list (number {h.waitlist_position})"
                          if h.waitlist_position else "on the waiting list"))
        if event.join_url:
            facts.append(("Joining link", event.join_url if h.status == "confirmed"
                          else "sent when you get a place"))
            if h.status == "confirmed":
                actions.append(Action("Join on Teams", url=event.join_url))
        if event.venue:
            facts.append(("Venue", event.venue))
        if h.calendar_url:
            actions.append(Action("Add to calendar", url=h.calendar_url))
        items.append(LiveItem(event.title, tuple(facts), tuple(actions)))
    lead = "Your booking:" if len(items) == 1 else "Your upcoming bookings:"
    return LiveAnswer("joining_link", lead, tuple(items), (), None, tuple(h.event.id for h in mine))


# -- when is X -------------------------------------------------------------------------------------


def when_answer(name: Optional[str], text: str, forums: Sequence[Forum], deadlines: Sequence[Deadline],
                offers: Sequence[Offer], now: dt.datetime) -> Optional[LiveAnswer]:
    """The named event or deadline; None when only past items match (the FAQ reports those)."""
    today = london_today(now)
    events = [o.event for o in offers]
    query, matched = find_events(events, text)
    upcoming_events = [e for e in matched if e.end > now and e.status == "scheduled"] if query.is_specific else []
    if upcoming_events:
        by_id = {o.event.id: o for o in offers}
        return bookable_answer([by_id[e.id] for e in upcoming_events], now, "") if any(
            by_id[e.id].state in ("open", "not_open") for e in upcoming_events) else LiveAnswer(
            "when_is_named", f"The {upcoming_events[0].title} is {event_when(upcoming_events[0])}.",
            refs=(upcoming_events[0].id,))
    found = _deadlines_named(name, text, deadlines)
    coming = [d for d in found if not d.has_passed(today)]
    if coming:
        d = min(coming, key=lambda d: d.on)
        return LiveAnswer("when_is_named", f"{d.title}: {d.when()}.", (LiveItem(d.title, (("What to do", d.detail),)),),
                          (_reminder(d.category if d.category in _CATEGORY_WORDS else "all", "Remind me"),),
                          None, (d.id,))
    if re.search(r"\bforums?\b", text.lower()):
        return next_forum_answer(forums, offers, now, text)
    return None


def _deadlines_named(name: Optional[str], text: str, deadlines: Sequence[Deadline]) -> list[Deadline]:
    lowered = text.lower()
    out = []
    for d in deadlines:
        title = d.title.lower()
        if name and name.lower() in title:
            out.append(d)
        elif fuzz.token_set_ratio(lowered, title) >= 85 and len(title.split()) >= 3:
            out.append(d)
    return out


# -- nothing upcoming ------------------------------------------------------------------------------


def _nothing_upcoming(kind: str, category: str, lead: str, last_line: Optional[str]) -> LiveAnswer:
    text = lead + (f" {last_line}" if last_line else "")
    return LiveAnswer(kind, text, (), (_reminder(category, "Tell me when new dates are added"),),
                      "New dates appear here as soon as the inclusion team adds them.", ())


# -- the FAQ's dated text --------------------------------------------------------------------------


def newer_than(fact_on: dt.date, fact_label: str, deadlines: Sequence[Deadline], forums: Sequence[Forum],
               now: dt.datetime, events: Sequence[Event] = ()) -> Optional[str]:
    """A sentence naming the catalogue's newest entry of the same kind as an FAQ's passed ``fact_on``.

    The next one still to come when there is one; otherwise the latest, said to have passed as well (an
    answer that only says the forum's 2025 date has passed reads as if nothing newer was ever announced).
    Webinars and induction meetings are matched by kind (and area, when the label names one).
    """
    today = london_today(now)
    label = fact_label.lower()
    if "forum" in label:
        newer = [f for f in forums if f.status != "cancelled" and f.first_date > fact_on]
        coming = upcoming_forums(newer, now)
        if coming:
            return f"Newer: the next forum is the {coming[0].title}, {session_when(coming[0])}."
        if newer:
            latest = max(newer, key=lambda f: (f.last_date, f.id))
            return f"The latest forum in my list was the {latest.title}, {_dates_only(latest)}; it has passed."
        return None
    kind = next((k for k in ("webinar", "induction") if k in label), None)
    if kind is not None:
        area = next((a for a in AREAS if re.search(rf"\b{a.lower()}\b", label)), None)
        newer_events = [e for e in events if e.kind == kind and e.status == "scheduled"
                        and london(e.start).date() > fact_on and (area is None or e.area == area)]
        coming_events = sorted((e for e in newer_events if e.end > now), key=lambda e: (e.start, e.id))
        if coming_events:
            event = coming_events[0]
            booking = ", open for booking" if event.booking_state(now) == "open" else ""
            return f"Newer: the {event.title}, {event_when(event)}{booking}."
        if newer_events:
            latest = max(newer_events, key=lambda e: (e.start, e.id))
            return f"The latest {latest.title} in my list was {event_when(latest)}; it has passed."
        # The deadlines list repeats events under their own titles ("East Community Induction Meeting"):
        # matching those by words would put another area's meeting forward.
        return None
    same_kind = [d for d in deadlines if d.on > fact_on
                 and fuzz.token_set_ratio(label, d.title.lower()) >= 70]
    coming_deadlines = [d for d in same_kind if not d.has_passed(today)]
    if coming_deadlines:
        d = min(coming_deadlines, key=lambda d: (d.on, d.id))
        return f"Newer: {d.title}, {d.when()}."
    if same_kind:
        d = max(same_kind, key=lambda d: (d.last_day, d.id))
        return f"The latest in my list was {d.title}, {d.when()}; it has passed."
    return None


# -- the dates reminders and "deadlines" cover ---------------------------------------------------------

# Who gave a date that came from the events or forums catalogue rather than from a deck's slide.
_CATALOGUE_SOURCE = "Inclusion team"


def with_event_and_forum_dates(deadlines: Sequence[Deadline], events: Iterable[Event],
                               forums: Iterable[Forum]) -> tuple[Deadline, ...]:
    """The deadlines plus a dated item for every scheduled event and forum none of them already names.

    The deck listed its events and forum among its dates (categories "events" and "forum"), so events
    reminders and the "deadlines" card covered them; an event or forum staff add later is in its own
    catalogue only, and would otherwise be missing from both.
    """
    from knowledge.models import Source

    named_events = {d.event for d in deadlines if d.event}
    forum_days = {d.on for d in deadlines if d.category == "forum"}
    extra: list[Deadline] = []
    for event in events:
        if event.status != "scheduled" or event.id in named_events:
            continue
        source = Source(event.source.session, event.source.presenter) if event.source else \
            Source("Bookable events", None, _CATALOGUE_SOURCE)
        extra.append(Deadline(
            id=event.id, category="events", title=event.title, on=london(event.start).date(),
            detail=f"{event_when(event)}, {event.location}. Say \"book\" to book a place.",
            source=source, event=event.id))
    for forum in forums:
        if forum.status == "cancelled" or forum.first_date in forum_days:
            continue
        source = Source(forum.source.session, forum.source.presenter) if forum.source else \
            Source("Forum dates", None, _CATALOGUE_SOURCE)
        last = forum.last_date if forum.last_date != forum.first_date else None
        extra.append(Deadline(
            id=forum.id, category="forum", title=forum.title, on=forum.first_date, until=last,
            detail=f"{session_when(forum)}. Ask \"when is the next forum?\" for the agenda and how to book.",
            source=source))
    return tuple(deadlines) + tuple(extra)


# -- telling subscribers something was added ---------------------------------------------------------


def added_announcement(kind: str, doc: dict, now: dt.datetime, default_capacity: int = 60) -> Optional[tuple[str, str]]:
    """(reminder category, text) for a newly added forum, event or deadline still to come; else None.

    The "Tell me when new dates are added" button subscribes people to the category this names.
    """
    from knowledge.deadlines import parse_deadline as _deadline
    from knowledge.events import parse_event as _event
    from knowledge.forums import parse_forum as _forum

    if kind == "forum":
        forum, problems = _forum(doc, 0)
        if problems or not upcoming_forums([forum], now):
            return None
        return "forum", (f"New forum date: the {forum.title}, {session_when(forum)}. "
                         "Ask me \"when is the next forum?\" for the agenda and how to book.")
    if kind == "event":
        event, problems = _event(doc, 0, default_capacity)
        if problems or event.start <= now or event.status != "scheduled":
            return None
        return "events", (f"New: {event.title}, {event_when(event)} ({event.location}). "
                          "Ask me \"what can I book?\" to book a place.")
    if kind == "deadline":
        try:
            deadline = _deadline(doc)
        except ValueError:
            return None
        if deadline.has_passed(london_today(now)) or deadline.category in NOT_DEADLINES:
            return None
        return deadline.category, f"New date: {deadline.title}, {deadline.when()}. {deadline.detail}"
    return None
