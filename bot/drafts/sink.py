"""Where accepted drafts go live: the shared content store (bot/content/store.py).

``StoreDraftSink.add`` turns a draft's data (as the queue holds it, JSON-shaped) into the catalogue
document the store keeps for that kind and adds it with who and why. The store validates it with the
catalogue's own parser, so a draft the catalogue would refuse is refused here and nothing changes.
Every replica answers from the store within a second or so; the process that accepted the draft
refreshes at once.
"""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Awaitable, Callable, Optional

from knowledge.events import KINDS as EVENT_KINDS, Event, EventSource, event_to_raw
from knowledge.london import parse_local

log = logging.getLogger(__name__)


class SinkError(ValueError):
    """The draft cannot go live as it stands; the message says what to edit."""


def _day(value) -> Optional[dt.date]:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _time(value) -> Optional[dt.time]:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))


def event_doc(data: dict, *, now: dt.datetime, default_capacity: int) -> dict:
    kind = data.get("kind_of_event")
    if kind not in EVENT_KINDS:
        raise SinkError(f"say what kind of event this is ({' or '.join(EVENT_KINDS)}) before accepting it")
    day, start = _day(data.get("day")), _time(data.get("start"))
    if day is None or start is None:
        raise SinkError("the event needs a day and a start time before it can be accepted")
    end_time = _time(data.get("end"))
    begins = parse_local(f"{day.isoformat()}T{start:%H:%M}")
    # No end time in the deck: an hour, marked as our assumption (end_assumed), as the catalogue does.
    ends = parse_local(f"{day.isoformat()}T{end_time:%H:%M}") if end_time else begins + dt.timedelta(hours=1)
    closes = parse_local(f"{(day - dt.timedelta(days=1)).isoformat()}T17:00")
    # Bookings open on acceptance; an event from an old deck is past and never bookable, but the
    # catalogue still needs its opening before its closing.
    opens = min(parse_local(now.astimezone(begins.tzinfo).strftime("%Y-%m-%dT%H:%M")),
                closes - dt.timedelta(days=1))
    source = data.get("source") or {}
    event = Event(
        id=data["id"], kind=kind, title=data["title"], description=data.get("description") or data["title"],
        start=begins, end=ends, booking_opens=opens, booking_closes=closes,
        capacity=int(data.get("capacity") or default_capacity), venue=data.get("venue") or None,
        join_url=None if data.get("venue") else data.get("booking_url"), area=data.get("area"),
        end_assumed=end_time is None,
        source=EventSource(source["session"], source.get("presenter")) if source.get("session") else None)
    return event_to_raw(event)


def deadline_doc(data: dict) -> dict:
    on = _day(data.get("on"))
    if on is None:
        raise SinkError(f"the deck gives no day ('{data.get('as_written')}'): edit the date before accepting")
    source = data.get("source") or {}
    doc = {"id": data["id"], "category": data.get("category") or "forum", "title": data["title"],
           "on": on.isoformat(), "detail": data.get("detail") or data["title"],
           "source": {"session": source.get("session") or "Forum", "presenter": source.get("presenter")}}
    if data.get("precision") == "month":
        doc["precision"] = "month"
    if _day(data.get("until")):
        doc["until"] = _day(data.get("until")).isoformat()
    if data.get("event"):
        doc["event"] = data["event"]
    return doc


def forum_doc(data: dict) -> dict:
    from knowledge.deck_import.extract import slug

    evaluation = {"title": data["evaluation_title"], "url": None} if data.get("evaluation_title") else None
    contact = ({"email": data["contact_email"], "subject": data.get("contact_subject")}
               if data.get("contact_email") else None)
    source = data.get("source") or {}
    doc = {
        "id": data["id"], "title": data["title"], "display": data["display"], "status": data["status"],
        "sessions": [{"phase": d.get("phase"), "date": str(d["date"]), "start": None, "end": None}
                     for d in data.get("days") or []],
        "agenda": [{"id": slug(s["title"], 4), "item": s.get("item") or n, "title": s["title"],
                    "presenter": s.get("presenter"), "role": s.get("role"), "minutes": s.get("minutes")}
                   for n, s in enumerate(data.get("sessions") or [], start=1)],
        "presenters": [{"name": p["name"], "role": p.get("role")} for p in data.get("presenters") or []],
        "evaluation": evaluation, "contact": contact,
        "source": {"session": source.get("session") or "Agenda", "presenter": source.get("presenter")},
    }
    if data.get("venue"):
        doc["venue"] = data["venue"]
    # Agenda ids must be unique; the deck may number two items alike.
    seen: dict[str, int] = {}
    for item in doc["agenda"]:
        n = seen.get(item["id"], 0)
        seen[item["id"]] = n + 1
        if n:
            item["id"] = f"{item['id']}-{n + 1}"
    return doc


def faq_doc(data: dict) -> dict:
    """The store's FAQ item: the entry in the knowledge files' format, under a topic (its FAQ heading)."""
    from knowledge.deck_import.extract import slug

    source = data.get("source") or {}
    entry = {"id": data["id"], "question": data.get("question") or "", "answer": data.get("answer") or "",
             "source": {"session": source.get("session") or "Forum", "presenter": source.get("presenter"),
                        "forum": source.get("forum") or "term4-2025"},
             "tags": list(data.get("tags") or ("imported",))}
    if data.get("alternatives"):
        entry["alternatives"] = list(data["alternatives"])
    # A deck section names its topic; an entry typed by staff has none, so it is filed under its first tag.
    topic = slug(str(data.get("topic") or ""), 6) or (entry["tags"][0] if entry["tags"] else "imported")
    return {"topic": topic, "entry": entry}


class StoreDraftSink:
    """Accepted drafts into the shared content store, recorded with who accepted them and why."""

    def __init__(self, store, *, seed_dir: Optional[Path] = None, default_capacity: int = 60,
                 refresh: Optional[Callable[[], Awaitable]] = None):
        self._store = store
        # An empty store is first seeded from the knowledge folder: the first item added to it makes every
        # reader switch from the YAML files to the store, which must not then hold that one item alone.
        self._seed_dir = seed_dir
        self._default_capacity = default_capacity
        self._refresh = refresh

    async def add(self, kind: str, data: dict, *, by: str, why: str, now: dt.datetime) -> str:
        from bot.content.store import ContentError

        builders = {"event": lambda: event_doc(data, now=now, default_capacity=self._default_capacity),
                    "deadline": lambda: deadline_doc(data), "forum": lambda: forum_doc(data),
                    "faq": lambda: faq_doc(data)}
        if kind not in builders:
            raise SinkError(f"a {kind} draft can't be accepted")
        doc = builders[kind]()
        try:
            await self._store.seed_if_empty(self._seed_dir)
            made = await self._store.add(kind, doc, by=by, why=why)
        except ContentError as exc:
            message = str(exc)
            if message.endswith("already exists"):
                message = (f"{message}: the catalogue already has a {kind} with id {made_key(kind, doc)}; "
                           "edit the existing one (`kb edit`) or reject this draft")
            raise SinkError(message) from None
        if self._refresh is not None:
            await self._refresh()
        return made.key


def made_key(kind: str, doc: dict) -> str:
    from bot.content.store import key_of

    return key_of(kind, doc)
