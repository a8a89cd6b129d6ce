"""The deadline catalogue (knowledge/data/deadlines.yaml): loading, validation and appending.

The file's header documents every field. Loading is strict, naming the file and the
item, because a wrong date here becomes a wrong reminder on hundreds of SENCOs' screens.
Pure Python + yaml: the reminder service turns these into scheduled rows.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

from knowledge.fields import iso_date
from knowledge.models import Source
from knowledge.problems import Problem

DEADLINES_FILE = "deadlines.yaml"
EVENTS_FILE = "events.yaml"
DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"

CATEGORIES: tuple[str, ...] = ("funding", "tribunal", "training", "events", "forum")
PRECISIONS: tuple[str, ...] = ("day", "month")
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FIELDS = {"id", "category", "title", "on", "precision", "until", "event", "detail", "source"}


class DeadlineError(ValueError):
    """The catalogue, or one item of it, is not valid; the message names the item."""


@dataclass(frozen=True)
class Deadline:
    id: str
    category: str
    title: str
    on: dt.date
    detail: str
    source: Source
    precision: str = "day"
    until: Optional[dt.date] = None
    event: Optional[str] = None

    @property
    def last_day(self) -> dt.date:
        """The last local day the item is still current (a month-precision item runs to its month's end)."""
        if self.until:
            return self.until
        if self.precision == "month":
            return self.on.replace(day=calendar.monthrange(self.on.year, self.on.month)[1])
        return self.on

    def when(self) -> str:
        """'Sunday 6 April 2025', 'May 2025', or 'Wednesday 21 to Thursday 22 May 2025'."""
        if self.precision == "month":
            return f"{self.on:%B %Y}"
        if self.until and self.until != self.on:
            return f"{_long_date(self.on)} to {_long_date(self.until)}"
        return _long_date(self.on)

    def has_passed(self, today: dt.date) -> bool:
        return self.last_day < today


@dataclass(frozen=True)
class DeadlineCatalogue:
    deadlines: tuple[Deadline, ...]
    path: Optional[str] = None

    def by_id(self) -> dict[str, Deadline]:
        return {d.id: d for d in self.deadlines}

    def in_category(self, category: str) -> tuple[Deadline, ...]:
        return tuple(d for d in self.deadlines if d.category == category)

    def upcoming(self, today: dt.date) -> tuple[Deadline, ...]:
        return tuple(d for d in sorted(self.deadlines, key=lambda d: d.on) if not d.has_passed(today))


def _long_date(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def deadlines_path(data_dir: str | Path | None = None) -> Path:
    return Path(data_dir or DEFAULT_DATA_DIR) / DEADLINES_FILE


def load_deadlines(data_dir: str | Path | None = None, *, event_ids: Optional[Iterable[str]] = None) -> DeadlineCatalogue:
    """Reads and validates the catalogue; raises DeadlineError naming the first bad item.

    ``event_ids``: ids an ``event:`` may refer to; by default read from events.yaml beside it.
    """
    path = deadlines_path(data_dir)
    if not path.exists():
        return DeadlineCatalogue((), str(path))
    raw = _read_yaml(path)
    if event_ids is None:
        event_ids = _event_ids(path.parent)
    items = raw.get("deadlines") if isinstance(raw, dict) else None
    if raw is not None and not isinstance(items, list):
        raise DeadlineError(f"{path.name}: expected a list under `deadlines:`")
    known_events = frozenset(event_ids) if event_ids is not None else None
    deadlines: list[Deadline] = []
    seen: set[str] = set()
    for index, item in enumerate(items or []):
        deadline = parse_deadline(item, known_events=known_events, where=f"{path.name} item {index + 1}")
        if deadline.id in seen:
            raise DeadlineError(f"{path.name}: {deadline.id}: id used twice")
        seen.add(deadline.id)
        deadlines.append(deadline)
    return DeadlineCatalogue(tuple(deadlines), str(path))


def deadline_problems(data_dir: str | Path | None = None) -> list[tuple[str, str]]:
    """Every problem in the catalogue as (item id or "", message); empty when it is valid.

    Unlike ``load_deadlines``, which stops at the first bad item, this looks at every item.
    """
    path = deadlines_path(data_dir)
    if not path.exists():
        return []
    try:
        raw = _read_yaml(path)
    except DeadlineError as exc:
        return [("", str(exc))]
    items = raw.get("deadlines") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        return [("", "expected a list under `deadlines:`")]
    known = _event_ids(path.parent)
    known_events = frozenset(known) if known is not None else None
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else f"#{index + 1}"
        try:
            deadline = parse_deadline(item, known_events=known_events, where=where)
        except DeadlineError as exc:
            problems.append((where, str(exc).removeprefix(f"{where}: ")))
            continue
        if deadline.id in seen:
            problems.append((deadline.id, "id used twice"))
        seen.add(deadline.id)
    return problems


def check_deadlines(files) -> Iterable:
    """Checker for knowledge.check (``sencobot kb check``); ``files`` is knowledge.check.KnowledgeFiles."""
    for where, message in deadline_problems(files.root):
        yield Problem("error", DEADLINES_FILE, where, message)


def parse_deadline(item: Any, *, known_events: Optional[frozenset[str]] = None, where: str = "deadline") -> Deadline:
    if not isinstance(item, dict):
        raise DeadlineError(f"{where}: expected a mapping of fields")
    ident = item.get("id")
    label = ident if isinstance(ident, str) and ident else where
    # YAML 1.1 reads a bare `on:` as True; the header says to quote it, so say so when it was not.
    if True in item and "on" not in item:
        raise DeadlineError(f"{label}: write the key as \"on\" (quoted): a bare on: is read as true")
    unknown = sorted(str(k) for k in set(item) - _FIELDS)
    if unknown:
        raise DeadlineError(f"{label}: unknown field {unknown[0]!r}")
    if not isinstance(ident, str) or not _ID_RE.match(ident):
        raise DeadlineError(f"{label}: id must be kebab-case (lower-case words joined by '-')")
    category = item.get("category")
    if category not in CATEGORIES:
        raise DeadlineError(f"{ident}: category must be one of {', '.join(CATEGORIES)}")
    title = _text(item.get("title"))
    if not title:
        raise DeadlineError(f"{ident}: title is required")
    detail = _text(item.get("detail"))
    if not detail:
        raise DeadlineError(f"{ident}: detail is required (what happens or what to do, in the deck's words)")
    on = _date(item.get("on"), f"{ident}: on")
    precision = item.get("precision") or "day"
    if precision not in PRECISIONS:
        raise DeadlineError(f"{ident}: precision must be day or month")
    if precision == "month" and on.day != 1:
        raise DeadlineError(f"{ident}: a month-precision date is written as the 1st of the month")
    until = _date(item["until"], f"{ident}: until") if item.get("until") is not None else None
    if until is not None and until < on:
        raise DeadlineError(f"{ident}: until ({until}) is before on ({on})")
    event = item.get("event")
    if event is not None:
        if not isinstance(event, str) or not event:
            raise DeadlineError(f"{ident}: event must be an event id")
        if known_events is not None and event not in known_events:
            raise DeadlineError(f"{ident}: event {event!r} is not in {EVENTS_FILE}")
    source = item.get("source")
    if not isinstance(source, dict) or not _text(source.get("session")):
        raise DeadlineError(f"{ident}: source needs a session (the deck's agenda item that gave the date)")
    presenter = source.get("presenter")
    if presenter is not None and not isinstance(presenter, str):
        raise DeadlineError(f"{ident}: source presenter must be text or null")
    return Deadline(
        id=ident,
        category=category,
        title=title,
        on=on,
        detail=detail,
        source=Source(session=_text(source["session"]), presenter=presenter or None),
        precision=precision,
        until=until,
        event=event,
    )


def append_deadline(deadline: Deadline, data_dir: str | Path | None = None) -> Path:
    """Adds one item at the end of the file, keeping its comments, after checking the result loads."""
    path = deadlines_path(data_dir)
    existing = load_deadlines(data_dir)
    if deadline.id in existing.by_id():
        raise DeadlineError(f"{deadline.id}: id used twice")
    block = render_deadline(deadline)
    original = path.read_text(encoding="utf-8") if path.exists() else "deadlines:\n"
    if not original.endswith("\n"):
        original += "\n"
    updated = original + "\n" + block
    # Validate the whole new file before replacing the old one, so a bad add cannot break the catalogue.
    trial = path.with_name(f".{path.name}.new")
    trial.write_text(updated, encoding="utf-8")
    try:
        parsed = yaml.load(updated, Loader=_DatesAsText)
        items = parsed.get("deadlines") if isinstance(parsed, dict) else None
        if not isinstance(items, list) or not any(isinstance(i, dict) and i.get("id") == deadline.id for i in items):
            raise DeadlineError(f"{deadline.id}: the file's layout did not take the new item")
        known = _event_ids(path.parent)
        for index, item in enumerate(items):
            parse_deadline(item, known_events=frozenset(known) if known is not None else None,
                           where=f"{path.name} item {index + 1}")
        trial.replace(path)
    finally:
        trial.unlink(missing_ok=True)
    return path


def render_deadline(deadline: Deadline) -> str:
    def quoted(text: str) -> str:
        return yaml.safe_dump(text, default_style='"', width=10_000).strip()

    lines = [
        f"  - id: {deadline.id}",
        f"    category: {deadline.category}",
        f"    title: {quoted(deadline.title)}",
        f'    "on": {deadline.on.isoformat()}',
    ]
    if deadline.precision != "day":
        lines.append(f"    precision: {deadline.precision}")
    if deadline.until:
        lines.append(f"    until: {deadline.until.isoformat()}")
    if deadline.event:
        lines.append(f"    event: {deadline.event}")
    lines.append(f"    detail: {quoted(deadline.detail)}")
    presenter = quoted(deadline.source.presenter) if deadline.source.presenter else "null"
    lines.append(f"    source: {{session: {quoted(deadline.source.session)}, presenter: {presenter}}}")
    return "\n".join(lines) + "\n"


class _DatesAsText(yaml.SafeLoader):
    """Leaves dates as text so a date that does not exist (2025-02-30) is one item's error, not the file's."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_DatesAsText)
    except yaml.YAMLError as exc:
        raise DeadlineError(f"{path.name}: not valid YAML ({str(exc).splitlines()[0]})") from None


def _event_ids(folder: Path) -> Optional[list[str]]:
    path = folder / EVENTS_FILE
    if not path.exists():
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return None  # the events catalogue reports its own problems
    return [e["id"] for e in raw.get("events") or [] if isinstance(e, dict) and isinstance(e.get("id"), str)]


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _date(value: Any, what: str) -> dt.date:
    date = iso_date(value)
    if date is not None:
        return date
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise DeadlineError(f"{what}: {value.strip()} is not a date that exists") from None
    raise DeadlineError(f"{what}: expected an ISO date like 2025-04-06, got {value!r}")