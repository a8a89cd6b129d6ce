"""Dates as people type them in Britain: the one reader for every place a user or a member of staff types a date.

Day first ("6 May 2025", "06/05/2025", "6/5/25", "Tue 6 May 2025") or ISO ("2025-05-06"). A weekday typed
with the date is checked against it: "Monday 3 March 2027" is refused with the weekday 3 March 2027 falls
on, because one of the two is a slip and guessing which would save a wrong date silently. Every refusal
is a ``DateProblem`` whose message is written for the person who typed it.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Optional

EXAMPLES = "like 6 May 2025 or 06/05/2025"

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
# The first three letters name the day: "tues", "weds", "thurs" and the full names all count.
_WEEKDAYS = {name.lower()[:3]: i for i, name in enumerate(calendar.day_name)}
_WEEKDAY = re.compile(r"^(?P<day>mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+")
_TIME = re.compile(r"(?:,|\s+at)?\s+(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>am|pm)?$")


class DateProblem(ValueError):
    """A date that cannot be used; the message says what was wrong, for the person who typed it."""


def parse_british_date(text: str, *, today: dt.date, prefer: str = "future") -> dt.date:
    """Day-first dates: "6 May 2025", "6th May", "06/05/2025", "6/5/25", "2025-05-06", "today", "tomorrow",
    optionally after a weekday ("Tue 6 May 2025"), which must agree with the date.

    Without a year, the nearest such day in the future (``prefer="future"``) or past is meant.
    Raises DateProblem with a message that says what was wrong.
    """
    raw = " ".join((text or "").strip().lower().split()).rstrip(".")
    if not raw:
        raise DateProblem(f"Please type a date, {EXAMPLES}.")
    if raw in ("today", "tomorrow", "yesterday"):
        return today + dt.timedelta(days={"today": 0, "tomorrow": 1, "yesterday": -1}[raw])
    weekday: Optional[int] = None
    if m := _WEEKDAY.match(raw):
        weekday = _WEEKDAYS[m["day"]]
    cleaned = _WEEKDAY.sub("", raw, count=1)
    day = month = year = None
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", cleaned):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2}|\d{4}))?", cleaned):
        day, month = int(m[1]), int(m[2])
        year = _full_year(m[3]) if m[3] else None
    elif m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+([a-z]+)\.?,?(?:\s+(\d{2}|\d{4}))?", cleaned):
        day, month = int(m[1]), _month(m[2], text)
        year = _full_year(m[3]) if m[3] else None
    elif m := re.fullmatch(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{2}|\d{4}))?", cleaned):
        month, day = _month(m[1], text), int(m[2])
        year = _full_year(m[3]) if m[3] else None
    else:
        raise DateProblem(f"I couldn't read \"{text.strip()[:40]}\" as a date. Please type it {EXAMPLES}.")
    if not 1 <= month <= 12:
        raise DateProblem(
            f"There is no month {month}. Dates are day first here: 06/05/2025 means 6 May 2025."
        )
    if year is None:
        found = _nearest(day, month, today, prefer, text)
    elif not today.year - 10 <= year <= today.year + 10:
        raise DateProblem(f"{year} looks like a typing slip. Please type the full date again, {EXAMPLES}.")
    else:
        found = _checked(year, month, day)
    if weekday is not None and found.weekday() != weekday:
        raise DateProblem(
            f"{found.day} {found:%B %Y} is a {found:%A}, not a {calendar.day_name[weekday]}. "
            "Please check the date and type it again."
        )
    return found


def parse_british_datetime(text: str, *, today: dt.date, prefer: str = "future") -> dt.datetime:
    """A date as ``parse_british_date`` reads it followed by a time ("9 March 2027 15:30", "9/3/2027 at 3.30pm"),
    or ISO "2027-03-09T15:30". Naive: the caller says which clock it is on (London, for staff)."""
    raw = " ".join((text or "").strip().split())
    if m := re.fullmatch(r"(\d{4}-\d{1,2}-\d{1,2})[T ](\d{1,2}):(\d{2})", raw):
        day = parse_british_date(m[1], today=today, prefer=prefer)
        return dt.datetime.combine(day, _clock_time(int(m[2]), int(m[3]), None, text))
    m = _TIME.search(raw.lower())
    # A bare number after a month name is a year or a day, not an hour: a time needs minutes or am/pm.
    if m is None or not (m["m"] or m["ampm"]):
        raise DateProblem(f"I couldn't read \"{raw[:40]}\" as a date and time. Please type it like "
                          "9 March 2027 15:30 (or 2027-03-09T15:30).")
    day = parse_british_date(raw[:m.start()], today=today, prefer=prefer)
    return dt.datetime.combine(day, _clock_time(int(m["h"]), int(m["m"] or 0), m["ampm"], text))


def _clock_time(hour: int, minute: int, ampm: Optional[str], original: str) -> dt.time:
    if ampm:
        if not 1 <= hour <= 12:
            raise DateProblem(f"\"{original.strip()[:40]}\": {hour}{ampm} is not a time.")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise DateProblem(f"\"{original.strip()[:40]}\" has a time that doesn't exist; type it like 15:30.")
    return dt.time(hour, minute)


def _full_year(value: str) -> int:
    number = int(value)
    return 2000 + number if len(value) == 2 else number


def _month(word: str, original: str) -> int:
    month = _MONTHS.get(word.strip(".").lower())
    if month is None:
        raise DateProblem(f"I couldn't read \"{original.strip()[:40]}\" as a date. Please type it {EXAMPLES}.")
    return month


def _checked(year: int, month: int, day: int) -> dt.date:
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        name = calendar.month_name[month]
        raise DateProblem(
            f"{day} {name} {year} doesn't exist: {name} {year} has {days_in_month} days. "
            f"Please check the date and type it again, {EXAMPLES}."
        )
    return dt.date(year, month, day)


def _nearest(day: int, month: int, today: dt.date, prefer: str, original: str) -> dt.date:
    step = 1 if prefer == "future" else -1
    # 29 February needs a leap year: look a few years out before calling it impossible.
    for offset in range(0, 5):
        year = today.year + step * offset
        try:
            candidate = _checked(year, month, day)
        except DateProblem:
            if offset == 0 and not (month == 2 and day == 29):
                raise
            continue
        if (prefer == "future" and candidate >= today) or (prefer != "future" and candidate <= today):
            return candidate
    raise DateProblem(f"I couldn't work out the year for \"{original.strip()[:40]}\". Please add it, {EXAMPLES}.")
