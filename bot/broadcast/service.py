"""Staff broadcasts: an announcement to every subscriber of a category, redacted, queued once per key in the
reminders' announcement queue; the reminder scheduler delivers it at Teams' pace."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Optional

from bot.broadcast.ports import AnnouncementQueue, Audience
from bot.cards import render_card
from bot.clock import Clock, british_date
from bot.privacy.edge import redactor_for, scrub
from bot.privacy.redaction import Redactor
from bot.reminders.service import Reminders
from bot.reminders.subscriptions import short_label
from integrations.db.reminders import NewAnnouncement
from knowledge.deadlines import CATEGORIES


@dataclass(frozen=True)
class BroadcastResult:
    key: str
    queued: bool           # False: this key was queued before (a repeated command), nothing new
    subscribers: int
    due_at: dt.datetime


class BroadcastService:
    def __init__(self, announcements: AnnouncementQueue, subscriptions: Audience, clock: Clock, *,
                 expiry: dt.timedelta, team_name: str, redactor: Optional[Redactor] = None):
        self._announcements = announcements
        self._subscriptions = subscriptions
        self._clock = clock
        self._expiry = expiry
        self._team_name = team_name
        self._redactor = redactor

    def draft(self, text: str) -> str:
        """The text as it will be stored and sent: staff write about children too ("thanks to
        Jayden's mum"), and every subscriber would receive it, so it is redacted like any question."""
        return " ".join((scrub(" ".join((text or "").split()), self._redactor) or "").split())

    async def broadcast(self, *, category: str, text: str, created_by: Optional[str], key: Optional[str] = None,
                        at: Optional[dt.datetime] = None) -> BroadcastResult:
        if category not in CATEGORIES:
            raise ValueError(f"unknown category {category!r}; use one of {', '.join(CATEGORIES)}")
        body = self.draft(text)
        if not body:
            raise ValueError("a broadcast needs some text")
        now = self._clock.now()
        due_at = (at or now).astimezone(dt.timezone.utc)
        key = f"broadcast:{key or uuid.uuid4().hex}"[:200]
        label = short_label(category)
        card = render_card("reminder_broadcast", team_name=self._team_name, category=category,
                           category_label=label, text=body, sent_on=british_date(due_at))
        queued = await self._announcements.add(NewAnnouncement(
            key=key, category=category, kind="broadcast", source="broadcast",
            text=f"{self._team_name} ({label}): {body}", card=card, due_at=due_at,
            expires_at=due_at + self._expiry, created_by=created_by,
        ), now)
        return BroadcastResult(key, queued, await self._subscriptions.count_reachable(category), due_at)




def build_broadcasts(reminders: Reminders) -> BroadcastService:
    """The broadcast service over the reminders' queue and subscriptions."""
    settings = reminders.settings
    return BroadcastService(reminders.announcements, reminders.subscription_store, reminders.clock,
                            expiry=dt.timedelta(hours=settings.reminders.broadcast_expiry_hours),
                            team_name=settings.team_name, redactor=redactor_for(settings))
