"""The bookable events catalogue (knowledge/data/events.yaml): loading, validation and matching.

The file holds wall-clock times in Europe/London ("2025-04-30T16:00"); they become aware
datetimes here so nobody downstream has to remember the zone. Loading is strict: any problem
(unknown key, bad time, close after start...) is reported with the event's id, and
``check_events_file`` returns every problem at once for ``sencobot kb check``.

Plain Python on purpose (yaml + rapidfuzz only): the booking service, the CLI and the checker
all use it.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

from rapidfuzz import fuzz

from knowledge.london import LOCAL_TIME_FORMAT, LONDON, format_local, parse_local  # noqa: F401 (re-exported)
from knowledge.fields import document_to_check, optional_text, problems_when_loading, read_yaml, required_text
from knowledge.problems import Problem

DEFAULT_EVENTS_FILE = Path(__file__).resolve().parent / "data" / "events.yaml"

KINDS = ("webinar", "induction")
STATUSES = ("scheduled", "cancelled", "moved")
AREAS = ("North", "South", "East", "West")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_CAPACITY = 10_000

_REQUIRED = ("id", "kind", "title", "description", "start", "end", "booking_opens", "booking_closes", "status")
_OPTIONAL = ("end_assumed", "venue", "join_url", "area", "capacity", "source")
_KNOWN = frozenset(_REQUIRED + _OPTIONAL)


@dataclass(frozen=True)
class EventProblem:
    where: str       # "event <id>", "event #3", or "" for the whole file
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class EventsError(ValueError):
    """The events file cannot be turned into a catalogue; the message lists every problem."""

    def __init__(self, problems: list):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class EventSource:
    session: str
    presenter: Optional[str] = None


@dataclass(frozen=True)
class Event:
    id: str
    kind: str
    title: str
    description: str
    start: dt.datetime            # aware, Europe/London
    end: dt.datetime              # aware, Europe/London
    booking_opens: dt.datetime    # aware, Europe/London
    booking_closes: dt.datetime   # aware, Europe/London
    capacity: int
    status: str = "scheduled"
    venue: Optional[str] = None
    join_url: Optional[str] = None
    area: Optional[str] = None
    end_assumed: bool = False
    capacity_from_default: bool = False
    source: Optional[EventSource] = None

    @property
    def is_online(self) -> bool:
        return self.venue is None

    @property
    def location(self) -> str:
        """Where to go, in words: the venue, or that it is online."""
        return self.venue or "Online (Microsoft Teams)"

    def booking_state(self, now: dt.datetime) -> str:
        """open | not_open | closed | past | cancelled, at an aware instant."""
        if self.status != "scheduled":
            return "cancelled"
        if now >= self.start:
            return "past"
        if now >= self.booking_closes:
            return "closed"
        if now < self.booking_opens:
            return "not_open"
        return "open"


@dataclass(frozen=True)
class Catalogue:
    events: tuple[Event, ...]

    def by_id(self) -> dict[str, Event]:
        return {event.id: event for event in self.events}

    def get(self, event_id: str) -> Optional[Event]:
        return self.by_id().get(event_id)


# -- parsing ------------------------------------------------------------------------------------


def _problem(where: str, message: str) -> "EventProblem":
    return EventProblem(where, message)


def _text(raw: dict, key: str, problems: list, where: str) -> str:
    return required_text(raw, key, problems, where, _problem)


def _optional_text(raw: dict, key: str, problems: list, where: str) -> Optional[str]:
    return optional_text(raw, key, problems, where, _problem, fold=False)


def _time(raw: dict, key: str, problems: list[str], where: str) -> Optional[dt.datetime]:
    if key not in raw:
        return None
    try:
        return parse_local(raw[key])
    except ValueError as exc:
        problems.append(EventProblem(where, f"'{key}': {exc}"))
        return None


def parse_event(raw: Any, index: int, default_capacity: int) -> tuple[Optional[Event], list[str]]:
    """One entry of `events:` -> (Event or None, problems)."""
    if not isinstance(raw, dict):
        return None, [EventProblem(f"event #{index + 1}", "expected a mapping")]
    ident = raw.get("id")
    where = f"event {ident}" if isinstance(ident, str) and ident else f"event #{index + 1}"
    problems: list[str] = []
    for key in _REQUIRED:
        if key not in raw:
            problems.append(EventProblem(where, f"missing '{key}'"))
    for key in sorted(set(map(str, raw)) - _KNOWN):
        problems.append(EventProblem(where, f"unknown key '{key}'"))
    if isinstance(ident, str) and not ID_PATTERN.match(ident):
        problems.append(EventProblem(where, "id must be kebab-case letters and digits"))
    elif not isinstance(ident, str):
        problems.append(EventProblem(where, "'id' must be text"))

    kind = raw.get("kind")
    if kind not in KINDS:
        problems.append(EventProblem(where, f"kind must be one of {', '.join(KINDS)}"))
    status = raw.get("status")
    if status not in STATUSES:
        problems.append(EventProblem(where, f"status must be one of {', '.join(STATUSES)}"))
    title = _text(raw, "title", problems, where)
    description = _text(raw, "description", problems, where)
    start = _time(raw, "start", problems, where)
    end = _time(raw, "end", problems, where)
    opens = _time(raw, "booking_opens", problems, where)
    closes = _time(raw, "booking_closes", problems, where)
    if start and end and end <= start:
        problems.append(EventProblem(where, "end must be after start"))
    if opens and closes and closes <= opens:
        problems.append(EventProblem(where, "booking_closes must be after booking_opens"))
    if closes and start and closes > start:
        problems.append(EventProblem(where, "booking_closes must not be after the start"))

    venue = _optional_text(raw, "venue", problems, where)
    join_url = _optional_text(raw, "join_url", problems, where)
    if venue is None and join_url is None:
        problems.append(EventProblem(where, "give a venue or a join_url"))
    if join_url is not None and (not join_url.startswith("https://") or any(c.isspace() for c in join_url)):
        problems.append(EventProblem(where, "join_url must be one https:// link without spaces"))
    area = raw.get("area")
    if area is not None and area not in AREAS:
        problems.append(EventProblem(where, f"area must be one of {', '.join(AREAS)} or null"))

    capacity_from_default = raw.get("capacity") is None
    capacity = default_capacity if capacity_from_default else raw.get("capacity")
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        problems.append(EventProblem(where, f"capacity must be a whole number from 1 to {MAX_CAPACITY}"))

    end_assumed = raw.get("end_assumed", False)
    if not isinstance(end_assumed, bool):
        problems.append(EventProblem(where, "end_assumed must be true or false"))

    source = None
    raw_source = raw.get("source")
    if raw_source is not None:
        if not isinstance(raw_source, dict) or not isinstance(raw_source.get("session"), str):
            problems.append(EventProblem(where, "source needs a 'session'"))
        else:
            presenter = raw_source.get("presenter")
            source = EventSource(raw_source["session"].strip(), presenter.strip() if isinstance(presenter, str) else None)

    if problems:
        return None, problems
    return Event(
        id=ident, kind=kind, title=title, description=description, start=start, end=end,
        booking_opens=opens, booking_closes=closes, capacity=capacity, status=status, venue=venue,
        join_url=join_url, area=area, end_assumed=end_assumed, capacity_from_default=capacity_from_default,
        source=source,
    ), []


def parse_catalogue(doc: Any, default_capacity: int) -> tuple[Optional[Catalogue], list[str]]:
    if doc is None:
        return Catalogue(()), []
    if not isinstance(doc, dict) or not isinstance(doc.get("events", []), list):
        return None, [EventProblem("", "expected a mapping with an 'events:' list")]
    events: list[Event] = []
    problems: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(doc.get("events") or []):
        event, found = parse_event(raw, index, default_capacity)
        problems.extend(found)
        if event is None:
            continue
        if event.id in seen:
            problems.append(EventProblem(f"event {event.id}", "duplicate id"))
            continue
        seen.add(event.id)
        events.append(event)
    if problems:
        return None, problems
    return Catalogue(tuple(events)), []


def _read(path: Path) -> Any:
    return read_yaml(path, lambda message: EventsError([EventProblem("", message)]))


def load_events(path: Path | str | None = None, *, default_capacity: int = 60) -> Catalogue:
    """The catalogue, or EventsError listing every problem in the file."""
    path = Path(path) if path is not None else DEFAULT_EVENTS_FILE
    catalogue, problems = parse_catalogue(_read(path), default_capacity)
    if problems:
        raise EventsError([EventProblem(f"{path.name}: {p.where}" if p.where else path.name, p.message)
                           for p in problems])
    return catalogue


def check_events_file(path: Path | str | None = None, *, default_capacity: int = 60) -> list[EventProblem]:
    """Every problem in the events file (empty = valid)."""
    return problems_when_loading(lambda: load_events(path, default_capacity=default_capacity), EventsError)


EVENTS_FILE = "events.yaml"


def check_events(files) -> Iterable:
    """Checker for knowledge.check (``sencobot kb check``): the events file's problems.

    ``files`` is knowledge.check.KnowledgeFiles.
    """
    readable, doc, unreadable = document_to_check(files, EVENTS_FILE, _read, EventsError, lambda p: p.message)
    yield from unreadable
    if not readable:
        return
    catalogue, problems = parse_catalogue(doc, default_capacity=1)
    for problem in problems:
        where = problem.where.removeprefix("event ")
        yield Problem("error", EVENTS_FILE, where, problem.message)
    for event in catalogue.events if catalogue else ():
        if event.capacity_from_default:
            yield Problem("warning", EVENTS_FILE, event.id,
                          "no capacity given: bookings.default_capacity from app.yaml applies")


# -- finding the event a message means -----------------------------------------------------------

_MONTHS = {name.lower(): number for number, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"], start=1)}
_MONTHS.update({name[:3]: number for name, number in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_WEEKDAYS = {name: index for index, name in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_KIND_WORDS = {
    "webinar": "webinar", "webinars": "webinar", "online": "webinar", "qa": "webinar",
    "induction": "induction", "inductions": "induction", "community": "induction", "communities": "induction",
}
# Venue words too common to identify a place on their own.
_VENUE_STOP = {"hotel", "great", "university", "park", "lake", "inn", "the"}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b")
_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b")


@dataclass(frozen=True)
class EventQuery:
    """What a message says about the event it wants; empty fields constrain nothing."""

    kind: Optional[str] = None
    areas: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    day_month: Optional[tuple[int, int]] = None
    weekday: Optional[int] = None

    @property
    def is_specific(self) -> bool:
        return bool(self.kind or self.areas or self.places or self.day_month or self.weekday is not None)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _venue_words(event: Event) -> set[str]:
    return {w for w in _words(event.venue or "") if len(w) >= 5 and w not in _VENUE_STOP}


def parse_query(text: str, events: Iterable[Event]) -> EventQuery:
    lowered = text.lower()
    words = _words(lowered)
    kind = next((_KIND_WORDS[w] for w in words if w in _KIND_WORDS), None)
    areas = frozenset(w.title() for w in words if w.title() in AREAS)
    known_places = set().union(*(_venue_words(e) for e in events)) if events else set()
    places = set()
    for word in words:
        if len(word) < 5:
            continue
        for place in known_places:
            # Tolerates a typo ("Maidstne") without letting short words match by accident.
            if word == place or fuzz.ratio(word, place) >= 85:
                places.add(place)
    day_month = None
    if match := _DAY_MONTH.search(lowered):
        day_month = (int(match.group(1)), _MONTHS[match.group(2)])
    elif match := _MONTH_DAY.search(lowered):
        day_month = (int(match.group(2)), _MONTHS[match.group(1)])
    elif match := _NUMERIC.search(lowered):
        day_month = (int(match.group(1)), int(match.group(2)))
    weekday = next((_WEEKDAYS[w] for w in words if w in _WEEKDAYS), None)
    return EventQuery(kind=kind, areas=areas, places=frozenset(places), day_month=day_month, weekday=weekday)


def matches(event: Event, query: EventQuery) -> bool:
    if query.kind and event.kind != query.kind:
        return False
    if query.areas and event.area not in query.areas:
        return False
    if query.places and not (query.places & _venue_words(event)):
        return False
    if query.day_month and (event.start.day, event.start.month) != query.day_month:
        return False
    if query.weekday is not None and event.start.weekday() != query.weekday:
        return False
    return True


def find_events(events: Iterable[Event], text: str) -> tuple[EventQuery, list[Event]]:
    """The events a message could mean, soonest first (all of them when it names none)."""
    events = list(events)
    query = parse_query(text, events)
    found = [e for e in events if matches(e, query)]
    return query, sorted(found, key=lambda e: (e.start, e.id))


# -- writing (``sencobot events add|edit|cancel``) -----------------------------------------------


def event_to_raw(event: Event) -> dict:
    """The file form of an event, keys in the order the file documents them."""
    raw: dict = {
        "id": event.id,
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "start": format_local(event.start),
        "end": format_local(event.end),
        "end_assumed": event.end_assumed,
        "venue": event.venue,
        "join_url": event.join_url,
        "area": event.area,
        "capacity": event.capacity,
        "booking_opens": format_local(event.booking_opens),
        "booking_closes": format_local(event.booking_closes),
        "status": event.status,
    }
    if event.source is not None:
        raw["source"] = {"session": event.source.session, "presenter": event.source.presenter}
    return raw


def render_entry(raw: dict) -> str:
    """One `events:` list item as YAML text, indented and quoted as the file is (times stay text)."""
    lines = []
    for index, (key, value) in enumerate(raw.items()):
        prefix = "  - " if index == 0 else "    "
        lines.append(f"{prefix}{key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if _PLAIN_WORD.match(text) and text.lower() not in _YAML_SPECIAL:
        return text
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(text, ensure_ascii=False)


_PLAIN_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
_YAML_SPECIAL = {"yes", "no", "on", "off", "y", "n", "true", "false", "null", "none"}


_ENTRY_START = re.compile(r"^  - id:\s*[\"']?([a-z0-9-]+)[\"']?\s*$")


def replace_entry_text(text: str, event_id: str, new_entry: str | None) -> str:
    """The file text with one entry's block replaced (or, if absent, ``new_entry`` appended).

    Works on the text so the file's header comment and the other entries' comments survive.
    """
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if (m := _ENTRY_START.match(line)) and m.group(1) == event_id), None)
    if start is None:
        if new_entry is None:
            raise KeyError(event_id)
        tail = "" if text.endswith("\n") or not text else "\n"
        return text + tail + "\n" + new_entry
    end = next((i for i in range(start + 1, len(lines)) if _ENTRY_START.match(lines[i])), len(lines))
    # Keep the blank line that separates this entry from the next one.
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    replacement = [new_entry] if new_entry is not None else []
    return "".join(lines[:start] + replacement + lines[end:])
