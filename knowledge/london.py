"""London time: the one place instants become the wall-clock dates and times users read.

Instants are stored and compared in UTC; what a SENCO sees is Europe/London, where the
forum's summer webinars fall in BST. Every conversion goes through here so that a BST
rule is fixed once.
"""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
LOCAL_TIME_FORMAT = "%Y-%m-%dT%H:%M"


def london(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None:          # a naive instant is UTC, as stored
        instant = instant.replace(tzinfo=dt.timezone.utc)
    return instant.astimezone(LONDON)


def london_today(now: dt.datetime) -> dt.date:
    return london(now).date()


def british_date(value: dt.date | dt.datetime) -> str:
    """'Tuesday 6 May 2025' for a date or an aware datetime (shown in London time)."""
    if isinstance(value, dt.datetime):
        value = london(value)
    return f"{value:%A} {value.day} {value:%B %Y}"


def british_datetime(instant: dt.datetime) -> str:
    """'Tuesday 6 May 2025, 10:00' in London time."""
    local = london(instant)
    return f"{british_date(local)}, {local:%H:%M}"


def local_instant(day: dt.date, at: dt.time) -> dt.datetime:
    """The UTC instant of a London wall-clock time on a day (09:00 is 08:00 UTC in summer, 09:00 in winter)."""
    return dt.datetime.combine(day, at, tzinfo=LONDON).astimezone(dt.timezone.utc)


def parse_local(value: Any) -> dt.datetime:
    """"YYYY-MM-DDTHH:MM" wall-clock London time -> aware datetime; refuses times the clocks skip or repeat."""
    if isinstance(value, dt.datetime):
        value = value.strftime(LOCAL_TIME_FORMAT) if value.tzinfo is None else None
    if not isinstance(value, str):
        raise ValueError(f"expected a quoted local time \"YYYY-MM-DDTHH:MM\", got {value!r}")
    try:
        naive = dt.datetime.strptime(value.strip(), LOCAL_TIME_FORMAT)
    except ValueError:
        raise ValueError(f"{value!r} is not a local time \"YYYY-MM-DDTHH:MM\"") from None
    local = naive.replace(tzinfo=LONDON)
    round_trip = local.astimezone(dt.timezone.utc).astimezone(LONDON).replace(tzinfo=None)
    if round_trip != naive:
        raise ValueError(f"{value!r} does not exist in London (the clocks go forward then)")
    if naive.replace(tzinfo=LONDON, fold=1).utcoffset() != local.utcoffset():
        raise ValueError(f"{value!r} happens twice in London (the clocks go back then); pick another time")
    return local


def format_local(instant: dt.datetime) -> str:
    """The catalogue files' form of an aware instant: London wall-clock "YYYY-MM-DDTHH:MM"."""
    return london(instant).strftime(LOCAL_TIME_FORMAT)


def to_the_minute(instant: dt.datetime) -> dt.datetime:
    """The instant truncated to its London minute, as staff type times."""
    return parse_local(format_local(instant))
