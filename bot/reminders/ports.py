"""What the reminder services need from storage, declared here so they depend on these and not on the SQL
repositories (``integrations.db.reminders`` implements them; tests may pass fakes)."""
from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Iterable, Optional, Protocol

from integrations.db.reminders import TribunalCase


class SubscriptionStore(Protocol):
    """Which categories each person has chosen (bot.reminders.subscriptions)."""

    async def active_categories(self, user_id: str) -> frozenset[str]: ...
    async def set(self, user_id: str, categories: Iterable[str], active: bool, now: datetime) -> None: ...
    async def count_reachable(self, category: str) -> int: ...


class PromptStore(Protocol):
    """Whether a person has been asked about reminders yet: the question is asked once."""

    async def first_time(self, user_id: str, now: datetime) -> bool: ...


class CaseStore(Protocol):
    """A person's tribunal cases (bot.reminders.tribunal); every read and write names the owner."""

    async def add(self, *, user_id: str, reference: str, final_ehcp_issued: Optional[dt.date],
                  hearing_on: Optional[dt.date], now: datetime) -> TribunalCase: ...
    async def get(self, case_id: str, user_id: str) -> Optional[TribunalCase]: ...
    async def open_cases(self, user_id: str) -> list[TribunalCase]: ...
    async def update_dates(self, case_id: str, user_id: str, *, final_ehcp_issued: Optional[dt.date],
                           hearing_on: Optional[dt.date], now: datetime) -> Optional[TribunalCase]: ...
    async def close(self, case_id: str, user_id: str, now: datetime) -> Optional[TribunalCase]: ...
