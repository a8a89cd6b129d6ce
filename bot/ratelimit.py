"""A per-user sliding-window rate limit, timed by the injected clock.

``SharedLimiter`` (what the app uses) counts in the database every replica shares, so two
processes behind a load balancer hold the same limit as one. ``SlidingWindowLimiter`` counts in
this process only, for tools that have no database.
"""
from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    # True for the first refused message of a burst: only that one gets a reply,
    # so a flood of messages does not become a flood of "slow down" replies.
    first_refusal: bool = False


class SlidingWindowLimiter:
    def __init__(self, limit: int, clock: Clock, window: timedelta = timedelta(minutes=1), max_keys: int = 50_000):
        if limit < 0:
            raise ValueError("limit must be 0 (no limit) or more")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._accepted: dict[str, deque[datetime]] = {}
        self._refusing: set[str] = set()

    def check(self, key: str) -> Verdict:
        """Counts one message from ``key`` if it is within the limit; refused ones are not counted."""
        if self.limit == 0:
            return Verdict(True)
        now = self._clock.now()
        times = self._accepted.get(key)
        if times is None:
            self._make_room()
            times = self._accepted[key] = deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._refusing.discard(key)
            return Verdict(True)
        first = key not in self._refusing
        self._refusing.add(key)
        return Verdict(False, first_refusal=first)

    def _make_room(self) -> None:
        if len(self._accepted) < self._max_keys:
            return
        now = self._clock.now()
        idle = [key for key, times in self._accepted.items() if not times or now - times[-1] >= self.window]
        for key in idle:
            del self._accepted[key]
            self._refusing.discard(key)
        if len(self._accepted) >= self._max_keys:
            # Everyone is active: forget the oldest-created keys rather than grow without bound.
            for key in list(self._accepted)[: len(self._accepted) // 10 or 1]:
                del self._accepted[key]
                self._refusing.discard(key)


class SharedLimiter:
    """The same rule as SlidingWindowLimiter, counted in the shared database (integrations.db.rate_limits)."""

    def __init__(self, limit: int, clock: Clock, store, window: timedelta = timedelta(minutes=1)):
        if limit < 0:
            raise ValueError("limit must be 0 (no limit) or more")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._store = store

    async def check(self, key: str) -> Verdict:
        if self.limit == 0:
            return Verdict(True)
        # Stored as a digest: the table only needs to tell people apart, not to say who they are.
        subject = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:40]
        hit = await self._store.hit(subject, self._clock.now(), limit=self.limit, window=self.window)
        return Verdict(hit.allowed, first_refusal=hit.first_refusal)

    async def purge(self) -> None:
        await self._store.purge(self._clock.now() - self.window)
