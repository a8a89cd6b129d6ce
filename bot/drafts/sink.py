"""Where accepted drafts go live.

``DraftSink`` is the one seam between the review queue and the content: one method per kind,
each taking the draft's data (as the queue holds it, JSON-shaped) and returning the id it went
live under. ``YamlDraftSink`` writes today's catalogue files under knowledge/data (events.yaml,
deadlines.yaml, forums.yaml, faq/imported.yaml) with the catalogues' own validating writers, so
a draft the catalogue would reject is refused and the file is left as it was. When the shared
content store lands, a sink onto it replaces this one and nothing else changes.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Optional, Protocol

import yaml

from knowledge.deadlines import Deadline, DeadlineError, append_deadline
from knowledge.events import (KINDS as EVENT_KINDS, Event, EventSource, event_to_raw, load_events, parse_catalogue,
                              render_entry, replace_entry_text)
from knowledge.forums import ForumsError, add_forum, forums_file_in
from knowledge.loader import DEFAULT_DATA_DIR, KnowledgeError, load_knowledge, parse_entry
from knowledge.london import parse_local
from knowledge.models import FaqEntry, Source

IMPORTED_FAQ_FILE = "imported.yaml"


class SinkError(ValueError):
    """The draft cannot go live as it stands; the message says what to edit."""


class DraftSink(Protocol):
    def add_forum(self, data: dict, *, now: dt.datetime) -> str: ...
    def add_event(self, data: dict, *, now: dt.datetime) -> str: ...
    def add_deadline(self, data: dict, *, now: dt.datetime) -> str: ...
    def add_faq(self, data: dict, *, now: dt.datetime) -> FaqEntry: ...


def _day(value) -> Optional[dt.date]:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _time(value) -> Optional[dt.time]:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))


def faq_entry_from(data: dict) -> FaqEntry:
    source = data.get("source") or {}
    return FaqEntry(
        id=data["id"], question=data["question"], answer=data["answer"],
        source=Source(session=source.get("session") or "Forum", presenter=source.get("presenter"),
                      forum=source.get("forum") or "term4-2025"),
        alternatives=tuple(data.get("alternatives") or ()), tags=tuple(data.get("tags") or ("imported",)))


class YamlDraftSink:
    def __init__(self, data_dir: Optional[Path] = None, *, events_file: Optional[Path] = None,
                 default_capacity: int = 60):
        self.data_dir = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
        self.events_file = Path(events_file) if events_file else self.data_dir / "events.yaml"
        self.default_capacity = default_capacity

    # -- events -----------------------------------------------------------------------------

    def add_event(self, data: dict, *, now: dt.datetime) -> str:
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
            capacity=int(data.get("capacity") or self.default_capacity), venue=data.get("venue") or None,
            join_url=None if data.get("venue") else data.get("booking_url"), area=data.get("area"),
            end_assumed=end_time is None,
            source=EventSource(source["session"], source.get("presenter")) if source.get("session") else None)
        path = self.events_file
        text = path.read_text(encoding="utf-8") if path.exists() else "events:\n"
        if load_events(path, default_capacity=self.default_capacity).get(event.id) if path.exists() else None:
            raise SinkError(f"an event with id {event.id} is already in the catalogue; edit the id or reject")
        updated = replace_entry_text(text, event.id, render_entry(event_to_raw(event)))
        _catalogue, problems = parse_catalogue(yaml.safe_load(updated), self.default_capacity)
        if problems:
            raise SinkError("; ".join(str(p) for p in problems))
        _atomic_write(path, updated)
        return event.id

    # -- deadlines --------------------------------------------------------------------------

    def add_deadline(self, data: dict, *, now: dt.datetime) -> str:
        on = _day(data.get("on"))
        if on is None:
            raise SinkError(f"the deck gives no day ('{data.get('as_written')}'): edit the date before accepting")
        source = data.get("source") or {}
        deadline = Deadline(
            id=data["id"], category=data.get("category") or "forum", title=data["title"], on=on,
            detail=data.get("detail") or data["title"],
            source=Source(session=source.get("session") or "Forum", presenter=source.get("presenter"),
                          forum=source.get("forum") or "term4-2025"),
            precision="month" if data.get("precision") == "month" else "day", until=_day(data.get("until")),
            event=data.get("event"))
        try:
            append_deadline(deadline, self.data_dir)
        except DeadlineError as exc:
            raise SinkError(str(exc)) from None
        return deadline.id

    # -- forums -----------------------------------------------------------------------------

    def add_forum(self, data: dict, *, now: dt.datetime) -> str:
        from knowledge.deck_import.extract import slug

        evaluation = {"title": data["evaluation_title"], "url": None} if data.get("evaluation_title") else None
        contact = ({"email": data["contact_email"], "subject": data.get("contact_subject")}
                   if data.get("contact_email") else None)
        source = data.get("source") or {}
        raw = {
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
        # Agenda ids must be unique; the deck may number two items alike.
        seen: dict[str, int] = {}
        for item in raw["agenda"]:
            n = seen.get(item["id"], 0)
            seen[item["id"]] = n + 1
            if n:
                item["id"] = f"{item['id']}-{n + 1}"
        try:
            add_forum(forums_file_in(self.data_dir), raw)
        except ForumsError as exc:
            raise SinkError("; ".join(exc.args[0]) if exc.args and isinstance(exc.args[0], list) else str(exc)) \
                from None
        return data["id"]

    # -- FAQ entries ------------------------------------------------------------------------

    def add_faq(self, data: dict, *, now: dt.datetime) -> FaqEntry:
        entry = faq_entry_from(data)
        raw = {"id": entry.id, "question": entry.question, "alternatives": list(entry.alternatives),
               "answer": entry.answer,
               "source": {"forum": entry.source.forum, "session": entry.source.session,
                          "presenter": entry.source.presenter},
               "tags": list(entry.tags), "related": []}
        try:
            parse_entry(raw)
        except ValueError as exc:
            raise SinkError(str(exc)) from None
        path = self.data_dir / "faq" / IMPORTED_FAQ_FILE
        before = path.read_text(encoding="utf-8") if path.exists() else None
        doc = yaml.safe_load(before) if before else None
        entries = (doc or {}).get("entries") or []
        entries.append(raw)
        header = ("# FAQ entries accepted from imported forum decks (sencobot drafts accept).\n"
                  "# Format: see knowledge/README.md.\n")
        _atomic_write(path, header + yaml.safe_dump({"entries": entries}, sort_keys=False, allow_unicode=True,
                                                    width=110))
        try:
            load_knowledge(self.data_dir)          # ids unique across files, shapes right: or put it back
        except KnowledgeError as exc:
            if before is None:
                path.unlink()
            else:
                _atomic_write(path, before)
            raise SinkError(str(exc)) from None
        return entry


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temp, path)
