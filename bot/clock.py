"""Time is injected so that every date rule can be tested at a fixed instant.

Nothing in the product calls ``datetime.now()`` directly: it asks a Clock.
Instants are timezone-aware UTC; ``local()`` converts to the council's zone.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock tests move by hand; it never moves on its own, so tests never sleep."""

    def __init__(self, instant: datetime):
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware instant")
        self._instant = instant.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._instant

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware instant")
        self._instant = instant.astimezone(timezone.utc)

    def advance(self, delta: timedelta) -> None:
        self._instant += delta


def london(instant: datetime) -> datetime:
    return instant.astimezone(LONDON)


def british_date(value) -> str:
    """'Tuesday 6 May 2025' for a date or an aware datetime (shown in London time)."""
    if isinstance(value, datetime):
        value = london(value)
    return f"{value:%A} {value.day} {value:%B %Y}"


def british_datetime(instant: datetime) -> str:
    """'Tuesday 6 May 2025, 10:00' in London time."""
    local = london(instant)
    return f"{british_date(local)}, {local:%H:%M}"
