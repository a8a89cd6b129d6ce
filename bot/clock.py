"""Time is injected so that every date rule can be tested at a fixed instant.

Nothing in the product reads the real clock except ``SystemClock`` below: the app, the
scheduler, the mail poller and every CLI command get their "now" from one Clock built at
start-up by ``clock_from_environ``. Instants are timezone-aware UTC; what users read is
converted in ``knowledge.london``.

``SENCOBOT_NOW`` (not shown to users) moves that clock, for tests and for staff rehearsing
"what would the bot say on 1 March?": a one-shot command sees exactly that instant, a
long-running process (serve, chat) starts there and ticks on.
"""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from typing import Mapping, Protocol

from knowledge.london import LONDON, british_date, british_datetime, london, parse_local  # noqa: F401 (re-exported)

NOW_VARIABLE = "SENCOBOT_NOW"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The one place the product reads the real clock."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FixedClock:
    """A clock tests move by hand; it never moves on its own, so tests never sleep.

    ``sleep`` waits until the test advances the clock past the wake-up time, so a background loop
    runs one round per ``advance`` and never spins.
    """

    def __init__(self, instant: datetime):
        self._instant = _aware(instant)
        self._sleepers: list[tuple[datetime, asyncio.AbstractEventLoop, asyncio.Future]] = []

    def now(self) -> datetime:
        return self._instant

    def set(self, instant: datetime) -> None:
        self._instant = _aware(instant)
        self._wake_due()

    def advance(self, delta: timedelta) -> None:
        self._instant += delta
        self._wake_due()

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._sleepers.append((self._instant + timedelta(seconds=seconds), loop, waiter))
        try:
            await waiter
        finally:
            self._sleepers = [s for s in self._sleepers if s[2] is not waiter]

    def _wake_due(self) -> None:
        for wake_at, loop, waiter in list(self._sleepers):
            if wake_at <= self._instant and not waiter.done():
                # advance() may be called from a test's own thread or loop.
                loop.call_soon_threadsafe(_resolve, waiter)


def _resolve(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(None)


class ShiftedClock:
    """Real time moved to start at a chosen instant; it keeps ticking, so reminders still fall due."""

    def __init__(self, start: datetime):
        self._offset = _aware(start) - datetime.now(timezone.utc)

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self._offset

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def sdk_naive_local_now() -> datetime:
    """The Bot Framework SDK's key cache compares its timestamp with naive local real time, so it gets that."""
    return datetime.now()


def monotonic() -> float:
    """Seconds for measuring durations (timeouts, pacing); never a date."""
    return time.monotonic()


def pacing_seconds() -> float:
    """Real seconds since the epoch, only for pacing sends against limits shared with other processes.

    Send slots are reserved in the database by every replica, so they need one timeline all of them
    agree on: the machine's real clock, not the injected (possibly fixed or shifted) one. Never a date.
    """
    return time.time()


def parse_now(text: str) -> datetime:
    """``2027-03-01T09:00`` (London wall clock) or a full ISO instant with an offset."""
    text = text.strip()
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{NOW_VARIABLE}={text!r} is not a date and time like 2027-03-01T09:00") from None
    if instant.tzinfo is None:
        return parse_local(instant.strftime("%Y-%m-%dT%H:%M")).replace(second=instant.second)
    return instant.astimezone(timezone.utc)


def clock_from_environ(environ: Mapping[str, str], *, ticking: bool) -> Clock:
    """The process's one clock: real time, or ``SENCOBOT_NOW`` (fixed for one-shot commands, ticking for servers)."""
    text = environ.get(NOW_VARIABLE, "").strip()
    if not text:
        return SystemClock()
    start = parse_now(text)
    return ShiftedClock(start) if ticking else FixedClock(start)


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("a clock needs a timezone-aware instant")
    return instant.astimezone(timezone.utc)
