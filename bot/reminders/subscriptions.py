"""Which reminder categories each SENCO receives. Opt-in: nobody gets reminders they did not ask for.

"stop reminders" turns every category off, including the reminders of their own tribunal
cases, and works at any time: delivery checks the subscription again when a reminder is sent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from bot.clock import Clock
from bot.reminders.ports import PromptStore, SubscriptionStore
from knowledge.deadlines import CATEGORIES

CATEGORY_LABELS: dict[str, str] = {
    "funding": "Funding: top-up claims, LIFT and STLS changes",
    "tribunal": "Tribunal: your own tribunal case dates",
    "training": "Training: courses and qualifications such as the NPQ for SENCOs",
    "events": "Events: webinars and Community induction meetings",
    "forum": "Forum: the next forum, publications and announcements",
}


def short_label(category: str) -> str:
    """The category's name without its explanation ("Forum" of "Forum: dates and agendas")."""
    return CATEGORY_LABELS[category].split(":")[0]

_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "funding": ("funding", "fund", "top-up", "top up", "topup", "money", "lift", "stls"),
    "tribunal": ("tribunal", "tribunals", "appeal", "appeals", "hearing"),
    "training": ("training", "npq", "course", "courses", "qualification"),
    "events": ("events", "event", "webinar", "webinars", "induction", "meetings"),
    "forum": ("forum", "forums", "announcement", "announcements", "continuum"),
}


def categories_in(text: str) -> tuple[str, ...]:
    """Categories named in free text ("funding and tribunal reminders"), in catalogue order."""
    lowered = f" {text.lower()} "
    if re.search(r"\ball\b|\beverything\b|\bevery\b", lowered):
        return CATEGORIES
    found = []
    for category in CATEGORIES:
        if any(re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", lowered) for word in _CATEGORY_WORDS[category]):
            found.append(category)
    return tuple(found)


@dataclass(frozen=True)
class SubscriptionView:
    user_id: str
    active: frozenset[str]

    def rows(self) -> list[dict]:
        return [
            {"category": c, "label": CATEGORY_LABELS[c], "on": c in self.active}
            for c in CATEGORIES
        ]


class SubscriptionService:
    def __init__(self, subscriptions: SubscriptionStore, prompts: PromptStore, clock: Clock):
        self._subscriptions = subscriptions
        self._prompts = prompts
        self._clock = clock

    async def view(self, user_id: str) -> SubscriptionView:
        return SubscriptionView(user_id, await self._subscriptions.active_categories(user_id))

    async def subscribe(self, user_id: str, categories: Iterable[str]) -> SubscriptionView:
        await self._subscriptions.set(user_id, _known(categories), True, self._clock.now())
        return await self.view(user_id)

    async def unsubscribe(self, user_id: str, categories: Iterable[str]) -> SubscriptionView:
        await self._subscriptions.set(user_id, _known(categories), False, self._clock.now())
        return await self.view(user_id)

    async def stop_all(self, user_id: str) -> SubscriptionView:
        return await self.unsubscribe(user_id, CATEGORIES)

    async def first_time_asking(self, user_id: str) -> bool:
        """True exactly once per user: the welcome asks about reminders a single time."""
        return await self._prompts.first_time(user_id, self._clock.now())

    async def subscriber_count(self, category: str) -> int:
        return await self._subscriptions.count_reachable(category)


def _known(categories: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(categories))
    unknown = [c for c in wanted if c not in CATEGORIES]
    if unknown:
        raise ValueError(f"unknown reminder category {unknown[0]!r}; use one of {', '.join(CATEGORIES)}")
    return wanted
