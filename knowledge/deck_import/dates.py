"""British dates and times as decks write them, read against the deck's year in Europe/London.

``find_dates(text, context)`` returns every date mention in a line with what it resolves to and
whether a person must check it. The rule is never to invent precision: a month-only date stays a
month, "summer term" stays words, and whatever needed a guess (a year the deck does not give, a
weekday that does not fit the date, a term found only by name) is flagged with the reason.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Optional

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?P<weekday>mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?,?\s+)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
# A year after a date: four digits, or two when nothing clock-like follows ("31st August 25", not "6th May 10am").
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d|'?\d\d)(?![\d:]|\.\d|\s*(?:am|pm)\b|\w))?"

_DAY_MONTH = re.compile(r"\b(?P<wc>w/?c\s+)?" + _WEEKDAY + r"?" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r"\b" + _YEAR,
                        re.IGNORECASE)
_MONTH_DAY = re.compile(r"\b(?P<wc>w/?c\s+)?" + _WEEKDAY + r"?" + _MONTH + r"\s+" + _DAY + r"(?!\d)\b"
                        + r"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?", re.IGNORECASE)
_MONTH_YEAR = re.compile(r"\b" + _MONTH + r"\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE)
_TERM = re.compile(r"\b(?:term\s+(?P<number>[1-6])|(?P<season>autumn|spring|summer)\s+term)\b", re.IGNORECASE)
_TERM_SPAN = re.compile(r"\bterm\s+(?P<number>[1-6])\s*\((?P<span>[^)]*)\)", re.IGNORECASE)

_TIME = re.compile(r"\b(?P<hour>[01]?\d)(?:[.:](?P<minute>[0-5]\d))?\s*(?P<ampm>am|pm)\b", re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    text: str                       # exactly as the deck writes it
    start: int                      # position in the line
    end: int
    on: Optional[dt.date]           # None when the words name no day we can know ("summer term")
    precision: str                  # day | week | month | term
    flags: tuple[str, ...] = ()     # reasons a person must check this date; empty = read as written

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass
class DateContext:
    """What the deck itself says about its year and its terms, used to read dates that leave them out."""
    year: int
    forum_day: Optional[dt.date] = None
    terms: dict[int, tuple[dt.date, dt.date]] = field(default_factory=dict)


def parse_time(hour: str, minute: Optional[str], ampm: str) -> Optional[dt.time]:
    h = int(hour)
    if not 1 <= h <= 12:
        return None
    if ampm.lower() == "pm" and h != 12:
        h += 12
    if ampm.lower() == "am" and h == 12:
        h = 0
    return dt.time(h, int(minute or 0))


def find_times(text: str) -> list[tuple[dt.time, int, int]]:
    found = []
    for m in _TIME.finditer(text):
        at = parse_time(m.group("hour"), m.group("minute"), m.group("ampm"))
        if at is not None:
            found.append((at, m.start(), m.end()))
    return found


def _year_of(raw: Optional[str]) -> Optional[int]:
    if not raw:
        return None
    raw = raw.lstrip("'")
    return int(raw) if len(raw) == 4 else 2000 + int(raw)


def _resolve_day(match: re.Match, context: DateContext) -> tuple[Optional[dt.date], list[str]]:
    flags: list[str] = []
    month = MONTHS[match.group("month").lower().rstrip(".")]
    day = int(match.group("day"))
    year = _year_of(match.group("year"))
    weekday = match.group("weekday")
    wanted = WEEKDAYS[weekday.lower()[:3]] if weekday else None
    candidates = [year] if year else [context.year, context.year + 1]
    on = None
    for candidate in candidates:
        try:
            day_date = dt.date(candidate, month, day)
        except ValueError:
            continue
        if wanted is None or day_date.weekday() == wanted:
            on = day_date
            break
    if on is None:
        try:
            on = dt.date(candidates[0], month, day)
        except ValueError:
            return None, [f"{match.group(0).strip()!r} is not a real date"]
        if wanted is not None:
            flags.append(f"the deck says {weekday}, but {on.day} {on:%B %Y} is a {on:%A}")
    if not year:
        if on.year != context.year:
            flags.append(f"no year given: read as {on.year} because the weekday fits that year")
        elif wanted is None and context.forum_day and (context.forum_day - on).days > 31:
            flags.append(f"no year given: read as {on.year}, but that is well before the forum; it may mean {on.year + 1}")
    return on, flags


def find_dates(text: str, context: DateContext) -> list[DateMention]:
    mentions: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            on, flags = _resolve_day(m, context)
            precision = "day"
            if m.group("wc") and on is not None:
                precision = "week"
                if on.weekday() != 0:
                    flags.append(f"'w/c' means week commencing, but {on.day} {on:%B %Y} is a {on:%A}")
            taken.append((m.start(), m.end()))
            mentions.append(DateMention(m.group(0).strip(), m.start(), m.end(), on, precision, tuple(flags)))
    for m in _MONTH_YEAR.finditer(text):
        if not free(m.start(), m.end()):
            continue
        taken.append((m.start(), m.end()))
        on = dt.date(int(m.group("year")), MONTHS[m.group("month").lower().rstrip(".")], 1)
        mentions.append(DateMention(m.group(0), m.start(), m.end(), on, "month",
                                    (f"month only: the deck gives no day in {on:%B %Y}",)))
    for m in _TERM.finditer(text):
        if not free(m.start(), m.end()):
            continue
        taken.append((m.start(), m.end()))
        if m.group("number"):
            number = int(m.group("number"))
            span = context.terms.get(number)
            if span:
                mentions.append(DateMention(m.group(0), m.start(), m.end(), span[0], "term",
                                            (f"a term, not a day: the deck gives Term {number} as "
                                             f"{span[0].day} {span[0]:%B} – {span[1].day} {span[1]:%B %Y}; "
                                             f"read as its first day",)))
            else:
                mentions.append(DateMention(m.group(0), m.start(), m.end(), None, "term",
                                            (f"a term, not a day, and the deck gives no dates for Term {number}",)))
        else:
            mentions.append(DateMention(m.group(0), m.start(), m.end(), None, "term",
                                        (f"'{m.group(0)}' names a term, not a day; kept as the deck gives it",)))
    mentions.sort(key=lambda d: d.start)
    return mentions


def term_spans(lines: list[str], year: int) -> dict[int, tuple[dt.date, dt.date]]:
    """Term dates the deck states itself, e.g. "Term 5 (22 April – 23 May)"."""
    spans: dict[int, tuple[dt.date, dt.date]] = {}
    context = DateContext(year=year)
    for line in lines:
        for m in _TERM_SPAN.finditer(line):
            days = [d.on for d in find_dates(m.group("span"), context) if d.on and d.precision == "day"]
            if len(days) == 2 and days[0] <= days[1]:
                spans.setdefault(int(m.group("number")), (days[0], days[1]))
    return spans
