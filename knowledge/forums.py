"""The forum catalogue (knowledge/data/forums.yaml): loading, validation and adding forums.

A forum is one termly Countywide SENCO Forum: its sessions (one a day, per phase), its agenda
in running order, its presenters. Evaluations rate a forum's agenda, and the next forum's
proposed agenda gives the "topics for next time" choices.

Loading is strict (unknown keys, bad dates, duplicate ids are problems reported with the
forum's id) and ``check_forums_file`` returns every problem at once for ``sencobot kb check``.
Plain Python on purpose (yaml only): the evaluation service, the CLI and the checker use it.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml
from knowledge.fields import document_to_check, iso_date, optional_text, problems_when_loading, read_yaml, required_text
from knowledge.london import LONDON
from knowledge.problems import Problem

DEFAULT_FORUMS_FILE = Path(__file__).resolve().parent / "data" / "forums.yaml"

STATUSES = ("held", "proposed", "scheduled", "cancelled")
PHASES = ("primary", "secondary")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

_FORUM_KEYS = ("id", "title", "display", "status", "sessions", "agenda", "presenters", "evaluation",
               "contact", "source", "venue", "join_url", "booking_url", "event")
_FORUM_REQUIRED = ("id", "title", "display", "status", "sessions", "agenda")
_SESSION_KEYS = ("phase", "date", "start", "end")
# `rated: false` leaves an agenda item out of the evaluation (e.g. an announcement of the next agenda).
_ITEM_KEYS = ("id", "item", "title", "presenter", "role", "minutes", "rated")
_PRESENTER_KEYS = ("name", "role")


class ForumsError(ValueError):
    """The forums file cannot be turned into a catalogue; the message lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Session:
    phase: Optional[str]          # primary | secondary | None when the deck does not say
    date: dt.date
    start: Optional[dt.time] = None   # London wall clock; None when not given
    end: Optional[dt.time] = None

    def ends_at(self, fallback_end: dt.time) -> dt.datetime:
        """When the session is over, as an aware London instant (``fallback_end`` if no end time is given)."""
        return dt.datetime.combine(self.date, self.end or fallback_end, tzinfo=LONDON)


@dataclass(frozen=True)
class AgendaItem:
    id: str
    item: Optional[int]           # the number printed in the deck (not unique: the deck repeats "2")
    title: str
    presenter: Optional[str] = None
    role: Optional[str] = None
    minutes: Optional[int] = None
    rated: bool = True

    @property
    def label(self) -> str:
        return f"{self.title} ({self.presenter})" if self.presenter else self.title


@dataclass(frozen=True)
class Presenter:
    name: str
    role: Optional[str] = None


@dataclass(frozen=True)
class EvaluationLink:
    title: str
    url: Optional[str] = None


@dataclass(frozen=True)
class Contact:
    email: str
    subject: Optional[str] = None


@dataclass(frozen=True)
class ForumSource:
    session: str
    presenter: Optional[str] = None


@dataclass(frozen=True)
class Forum:
    id: str
    title: str
    display: str
    status: str
    sessions: tuple[Session, ...]
    agenda: tuple[AgendaItem, ...]
    presenters: tuple[Presenter, ...] = ()
    evaluation: Optional[EvaluationLink] = None
    contact: Optional[Contact] = None
    source: Optional[ForumSource] = None
    # Where and how to book, when staff know it; the deck's forums have none of these.
    venue: Optional[str] = None
    join_url: Optional[str] = None
    booking_url: Optional[str] = None
    event: Optional[str] = None       # a bookable event (events catalogue id) for a place at the forum

    @property
    def first_date(self) -> dt.date:
        return min(s.date for s in self.sessions)

    @property
    def last_date(self) -> dt.date:
        return max(s.date for s in self.sessions)

    @property
    def rated_items(self) -> tuple[AgendaItem, ...]:
        return tuple(item for item in self.agenda if item.rated)

    def item(self, item_id: str) -> Optional[AgendaItem]:
        return next((i for i in self.agenda if i.id == item_id), None)

    def first_session_end(self, fallback_end: dt.time) -> dt.datetime:
        return min(s.ends_at(fallback_end) for s in self.sessions)

    def ends_at(self, fallback_end: dt.time) -> dt.datetime:
        """The end of the forum's last session (aware, London)."""
        return max(s.ends_at(fallback_end) for s in self.sessions)


@dataclass(frozen=True)
class ForumCatalogue:
    forums: tuple[Forum, ...]

    def get(self, forum_id: str) -> Optional[Forum]:
        return next((f for f in self.forums if f.id == forum_id), None)

    def next_after(self, forum: Forum) -> Optional[Forum]:
        """The forum that follows this one (its agenda is what "topics for next time" offers)."""
        later = [f for f in self.forums if f.first_date > forum.last_date and f.status != "cancelled"]
        return min(later, key=lambda f: (f.first_date, f.id)) if later else None


# -- parsing ------------------------------------------------------------------------------------


def _problem(where: str, message: str) -> str:
    return f"{where}: {message}"


def _text(raw: dict, key: str, problems: list[str], where: str) -> str:
    return required_text(raw, key, problems, where, _problem)


def _optional_text(raw: dict, key: str, problems: list[str], where: str) -> Optional[str]:
    return optional_text(raw, key, problems, where, _problem)


def _unknown_keys(raw: dict, known: tuple[str, ...], problems: list[str], where: str) -> None:
    for key in sorted(set(map(str, raw)) - set(known)):
        problems.append(f"{where}: unknown key '{key}'")


def _date(value: Any, problems: list[str], where: str) -> Optional[dt.date]:
    if isinstance(value, dt.datetime):
        problems.append(f"{where}: date must be a date (YYYY-MM-DD), not a date and time")
        return None
    date = iso_date(value)
    if date is None:
        problems.append(f"{where}: date must be YYYY-MM-DD, got {value!r}")
    return date


def _time(value: Any, key: str, problems: list[str], where: str) -> Optional[dt.time]:
    if value is None:
        return None
    # YAML 1.1 reads an unquoted 09:30 as a number of minutes in base 60.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        value = f"{value // 60:02d}:{value % 60:02d}"
    if not isinstance(value, str) or not TIME_PATTERN.match(value.strip()):
        problems.append(f"{where}: '{key}' must be a London time \"HH:MM\" or null, got {value!r}")
        return None
    hours, minutes = value.strip().split(":")
    return dt.time(int(hours), int(minutes))


def _whole(value: Any, key: str, problems: list[str], where: str, minimum: int) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        problems.append(f"{where}: '{key}' must be a whole number of at least {minimum}, or null")
        return None
    return value


def parse_session(raw: Any, where: str) -> tuple[Optional[Session], list[str]]:
    problems: list[str] = []
    if not isinstance(raw, dict):
        return None, [f"{where}: expected a mapping with phase and date"]
    _unknown_keys(raw, _SESSION_KEYS, problems, where)
    phase = raw.get("phase")
    if phase is not None and phase not in PHASES:
        problems.append(f"{where}: phase must be one of {', '.join(PHASES)} or null")
    date = _date(raw.get("date"), problems, where)
    start = _time(raw.get("start"), "start", problems, where)
    end = _time(raw.get("end"), "end", problems, where)
    if start and end and end <= start:
        problems.append(f"{where}: end must be after start")
    if problems:
        return None, problems
    return Session(phase=phase, date=date, start=start, end=end), []


def parse_agenda_item(raw: Any, where: str) -> tuple[Optional[AgendaItem], list[str]]:
    problems: list[str] = []
    if not isinstance(raw, dict):
        return None, [f"{where}: expected a mapping with id and title"]
    ident = raw.get("id")
    if isinstance(ident, str) and ident:
        where = f"{where} ({ident})"
        if not ID_PATTERN.match(ident):
            problems.append(f"{where}: id must be kebab-case letters and digits")
    else:
        problems.append(f"{where}: 'id' must be text")
    _unknown_keys(raw, _ITEM_KEYS, problems, where)
    title = _text(raw, "title", problems, where)
    item_number = _whole(raw.get("item"), "item", problems, where, 0)
    minutes = _whole(raw.get("minutes"), "minutes", problems, where, 1)
    rated = raw.get("rated", True)
    if not isinstance(rated, bool):
        problems.append(f"{where}: 'rated' must be true or false")
    item = AgendaItem(
        id=ident if isinstance(ident, str) else "",
        item=item_number,
        title=title,
        presenter=_optional_text(raw, "presenter", problems, where),
        role=_optional_text(raw, "role", problems, where),
        minutes=minutes,
        rated=rated is not False,
    )
    return (None, problems) if problems else (item, [])


def parse_forum(raw: Any, index: int) -> tuple[Optional[Forum], list[str]]:
    """One entry of `forums:` -> (Forum or None, problems)."""
    if not isinstance(raw, dict):
        return None, [f"forum #{index + 1}: expected a mapping"]
    ident = raw.get("id")
    where = f"forum {ident}" if isinstance(ident, str) and ident else f"forum #{index + 1}"
    problems: list[str] = []
    for key in _FORUM_REQUIRED:
        if key not in raw:
            problems.append(f"{where}: missing '{key}'")
    _unknown_keys(raw, _FORUM_KEYS, problems, where)
    if not isinstance(ident, str):
        problems.append(f"{where}: 'id' must be text")
    elif not ID_PATTERN.match(ident):
        problems.append(f"{where}: id must be kebab-case letters and digits (e.g. term5-2025)")
    title = _text(raw, "title", problems, where)
    display = _text(raw, "display", problems, where)
    status = raw.get("status")
    if status not in STATUSES:
        problems.append(f"{where}: status must be one of {', '.join(STATUSES)}")

    sessions: list[Session] = []
    raw_sessions = raw.get("sessions")
    if not isinstance(raw_sessions, list) or not raw_sessions:
        problems.append(f"{where}: 'sessions' must be a non-empty list")
    else:
        for number, raw_session in enumerate(raw_sessions, start=1):
            session, found = parse_session(raw_session, f"{where} session {number}")
            problems.extend(found)
            if session:
                sessions.append(session)
        phases = [s.phase for s in sessions if s.phase]
        for phase in sorted({p for p in phases if phases.count(p) > 1}):
            problems.append(f"{where}: more than one {phase} session")

    agenda: list[AgendaItem] = []
    raw_agenda = raw.get("agenda")
    if not isinstance(raw_agenda, list):
        problems.append(f"{where}: 'agenda' must be a list")
    else:
        for number, raw_item in enumerate(raw_agenda, start=1):
            item, found = parse_agenda_item(raw_item, f"{where} agenda item {number}")
            problems.extend(found)
            if item:
                agenda.append(item)
        ids = [i.get("id") for i in raw_agenda if isinstance(i, dict) and isinstance(i.get("id"), str)]
        for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(f"{where}: agenda id {duplicate} is used twice")

    presenters: list[Presenter] = []
    raw_presenters = raw.get("presenters") or []
    if not isinstance(raw_presenters, list):
        problems.append(f"{where}: 'presenters' must be a list")
    else:
        for number, raw_presenter in enumerate(raw_presenters, start=1):
            pwhere = f"{where} presenter {number}"
            if not isinstance(raw_presenter, dict):
                problems.append(f"{pwhere}: expected a mapping with name and role")
                continue
            _unknown_keys(raw_presenter, _PRESENTER_KEYS, problems, pwhere)
            name = _text(raw_presenter, "name", problems, pwhere)
            role = _optional_text(raw_presenter, "role", problems, pwhere)
            presenters.append(Presenter(name=name, role=role))

    evaluation = _evaluation(raw.get("evaluation"), problems, where)
    contact = _contact(raw.get("contact"), problems, where)
    source = _source(raw.get("source"), problems, where)
    venue = _optional_text(raw, "venue", problems, where)
    join_url = _optional_text(raw, "join_url", problems, where)
    booking_url = _optional_text(raw, "booking_url", problems, where)
    for key, url in (("join_url", join_url), ("booking_url", booking_url)):
        if url is not None and (not url.startswith("https://") or " " in url):
            problems.append(f"{where}: '{key}' must be one https:// link")
    event = _optional_text(raw, "event", problems, where)
    if event is not None and not ID_PATTERN.match(event):
        problems.append(f"{where}: 'event' must be an event id")
    if problems:
        return None, problems
    return Forum(
        id=ident, title=title, display=display, status=status, sessions=tuple(sessions), agenda=tuple(agenda),
        presenters=tuple(presenters), evaluation=evaluation, contact=contact, source=source,
        venue=venue, join_url=join_url, booking_url=booking_url, event=event,
    ), []


def _evaluation(raw: Any, problems: list[str], where: str) -> Optional[EvaluationLink]:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(f"{where}: 'evaluation' must be a mapping with a title, or null")
        return None
    _unknown_keys(raw, ("title", "url"), problems, f"{where} evaluation")
    url = _optional_text(raw, "url", problems, f"{where} evaluation")
    if url is not None and not url.startswith("https://"):
        problems.append(f"{where} evaluation: url must be an https:// link or null")
    return EvaluationLink(title=_text(raw, "title", problems, f"{where} evaluation"), url=url)


def _contact(raw: Any, problems: list[str], where: str) -> Optional[Contact]:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(f"{where}: 'contact' must be a mapping with an email, or null")
        return None
    _unknown_keys(raw, ("email", "subject"), problems, f"{where} contact")
    email = _text(raw, "email", problems, f"{where} contact")
    if email and "@" not in email:
        problems.append(f"{where} contact: email must be an email address")
    return Contact(email=email, subject=_optional_text(raw, "subject", problems, f"{where} contact"))


def _source(raw: Any, problems: list[str], where: str) -> Optional[ForumSource]:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("session"), str):
        problems.append(f"{where}: source needs a 'session'")
        return None
    _unknown_keys(raw, ("session", "presenter"), problems, f"{where} source")
    return ForumSource(raw["session"].strip(), _optional_text(raw, "presenter", problems, f"{where} source"))


def parse_catalogue(doc: Any) -> tuple[Optional[ForumCatalogue], list[str]]:
    if doc is None:
        return ForumCatalogue(()), []
    if not isinstance(doc, dict) or not isinstance(doc.get("forums", []), list):
        return None, ["expected a mapping with a 'forums:' list"]
    forums: list[Forum] = []
    problems: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(doc.get("forums") or []):
        forum, found = parse_forum(raw, index)
        problems.extend(found)
        ident = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(ident, str):
            if ident in seen:
                problems.append(f"forum {ident}: duplicate id")
                continue
            seen.add(ident)
        if forum is not None:
            forums.append(forum)
    if problems:
        return None, problems
    return ForumCatalogue(tuple(forums)), []


def _read(path: Path) -> Any:
    return read_yaml(path, lambda message: ForumsError([message]), unreadable_values=True)


def load_forums(path: Path | str | None = None) -> ForumCatalogue:
    """The catalogue, or ForumsError listing every problem in the file."""
    path = Path(path) if path is not None else DEFAULT_FORUMS_FILE
    catalogue, problems = parse_catalogue(_read(path))
    if problems:
        raise ForumsError([f"{path.name}: {p}" for p in problems])
    return catalogue


def check_forums_file(path: Path | str | None = None) -> list[str]:
    """Every problem in the forums file, as lines for ``sencobot kb check`` (empty = valid)."""
    return problems_when_loading(lambda: load_forums(path), ForumsError)


def forums_file_in(data_dir: Path | str | None) -> Path:
    return Path(data_dir) / "forums.yaml" if data_dir else DEFAULT_FORUMS_FILE


# -- writing (``sencobot forums add``) ----------------------------------------------------------


def forum_to_raw(forum: Forum) -> dict:
    """The file form of a forum, keys in the order the file documents them."""

    def hhmm(value: Optional[dt.time]) -> Optional[str]:
        return value.strftime("%H:%M") if value else None

    def item_raw(item: AgendaItem) -> dict:
        raw = {"id": item.id, "item": item.item, "title": item.title, "presenter": item.presenter,
               "role": item.role, "minutes": item.minutes}
        if not item.rated:
            raw["rated"] = False
        return raw

    return {
        "id": forum.id,
        "title": forum.title,
        "display": forum.display,
        "status": forum.status,
        "sessions": [{"phase": s.phase, "date": s.date.isoformat(), "start": hhmm(s.start), "end": hhmm(s.end)}
                     for s in forum.sessions],
        "agenda": [item_raw(i) for i in forum.agenda],
        "presenters": [{"name": p.name, "role": p.role} for p in forum.presenters],
        "evaluation": {"title": forum.evaluation.title, "url": forum.evaluation.url} if forum.evaluation else None,
        "contact": {"email": forum.contact.email, "subject": forum.contact.subject} if forum.contact else None,
        "source": {"session": forum.source.session, "presenter": forum.source.presenter} if forum.source else None,
    } | {key: value for key, value in (("venue", forum.venue), ("join_url", forum.join_url),
                                        ("booking_url", forum.booking_url), ("event", forum.event)) if value}


def render_forum(raw: dict) -> str:
    """One `forums:` list item as YAML text, indented as the file is."""
    body = yaml.safe_dump([raw], sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return "".join("  " + line if line.strip() else line for line in body.splitlines(keepends=True))


def add_forum(path: Path | str | None, raw: dict) -> Forum:
    """Validates a new forum and appends it to the file, keeping the file's comments.

    Raises ForumsError when the forum is invalid or its id is taken; the file is then unchanged.
    """
    path = Path(path) if path is not None else DEFAULT_FORUMS_FILE
    text = path.read_text(encoding="utf-8") if path.exists() else "forums:\n"
    existing, problems = parse_catalogue(yaml.safe_load(text))
    if problems:
        raise ForumsError([f"{path.name}: {p}" for p in problems])
    forum, problems = parse_forum(raw, len(existing.forums))
    if problems:
        raise ForumsError(problems)
    if existing.get(forum.id):
        raise ForumsError([f"forum {forum.id}: a forum with this id already exists"])
    tail = "" if text.endswith("\n") else "\n"
    new_text = text + tail + "\n" + render_forum(forum_to_raw(forum))
    # Parse what we are about to write, so a rendering slip can never corrupt the file.
    check, problems = parse_catalogue(yaml.safe_load(new_text))
    if problems or check.get(forum.id) != forum:
        raise ForumsError(problems or [f"forum {forum.id}: could not be written back faithfully"])
    path.write_text(new_text, encoding="utf-8")
    return forum


# -- ``sencobot kb check`` -----------------------------------------------------------------------

FORUMS_FILE = "forums.yaml"


def check_forums(files) -> Iterable:
    """Checker for knowledge.check: every problem in forums.yaml, named by forum.

    ``files`` is knowledge.check.KnowledgeFiles.
    """
    readable, doc, unreadable = document_to_check(files, FORUMS_FILE, _read, ForumsError)
    yield from unreadable
    if not readable:
        return
    catalogue, problems = parse_catalogue(doc)
    for problem in problems:
        # "forum term4-2025 agenda item 2 (x): message" -> where "term4-2025", "agenda item 2 (x): message"
        match = re.match(r"^forum (\S+?)(?:: | (.+?): )(.*)$", problem)
        if match:
            where, detail, message = match.groups()
            yield Problem("error", FORUMS_FILE, where, f"{detail}: {message}" if detail else message)
        else:
            yield Problem("error", FORUMS_FILE, "", problem)
    for forum in catalogue.forums if catalogue else ():
        if forum.status in ("held", "scheduled") and not forum.rated_items:
            yield Problem("warning", FORUMS_FILE, forum.id, "no agenda item is rated, so its evaluation asks "
                          "only for the overall rating and comments")
        if forum.status in ("held", "scheduled") and catalogue.next_after(forum) is None:
            yield Problem("warning", FORUMS_FILE, forum.id, "no later forum is listed, so its evaluation offers "
                          "no proposed topics for next time (only free text)")
