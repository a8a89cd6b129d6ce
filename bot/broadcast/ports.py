"""What a broadcast needs from storage, declared here so the service depends on these and not on the SQL
repositories: the reminders' announcement queue and their subscriptions (``integrations.db.reminders``
implements both; tests may pass fakes)."""
from __future__ import annotations

from datetime import datetime
from typing import Protocol

from integrations.db.reminders import NewAnnouncement


class AnnouncementQueue(Protocol):
    async def add(self, item: NewAnnouncement, now: datetime) -> bool:
        """Queue it; False when its key was queued before (nothing new)."""


class Audience(Protocol):
    async def count_reachable(self, category: str) -> int: ...
