"""What the booking service needs from storage, declared here so the service depends on this and not on the
SQL repository (``integrations.db.bookings.BookingRepository`` implements it; tests may pass a fake).

The records it hands back (``Booking``, ``EventState``…) are plain frozen dataclasses defined with the table."""
from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Iterable, Optional, Protocol

from integrations.db.bookings import Booking, EventChange, EventCounts, EventState


class BookingStore(Protocol):
    async def get(self, ref: str) -> Optional[Booking]: ...
    async def for_user(self, user_id: str, *, active_only: bool = True) -> list[Booking]: ...
    async def for_event(self, event_id: str) -> list[Booking]: ...
    async def counts(self) -> dict[str, EventCounts]: ...
    async def states(self) -> dict[str, EventState]: ...
    async def waitlist_positions(self, booking_ids: Iterable[int]) -> dict[int, int]: ...

    def change(self, event_id: str, initial: EventState, now: datetime,
               for_user: Optional[str] = None) -> AbstractAsyncContextManager[EventChange]:
        """One event's bookings changed in one transaction, its row locked; BookingConflict when full."""
        ...
