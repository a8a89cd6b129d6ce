"""How features ask for a proactive Teams message without knowing how it is delivered.

The reminder scheduler implements ``Notifier`` by writing an outbound row that its
sender delivers exactly once (rate-limited, retried, recorded). Features only say
who, what, and an idempotency key, so a retried request never sends twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional, Protocol


@dataclass(frozen=True)
class Notice:
    user_id: str                 # Teams user id (the key of conversation_refs)
    text: str                    # plain text, also the fallback for clients without cards
    idempotency_key: str         # same key = same message: delivered at most once
    kind: str = "notice"         # e.g. "booking.promoted", "inbox.answer", "evaluation.invite"
    card: Optional[dict] = None  # an Adaptive Card to send with the text
    not_before: Optional[datetime] = None  # send at or after this instant (UTC); None = now
    meta: dict = field(default_factory=dict)


class Notifier(Protocol):
    async def notify(self, notice: Notice) -> None: ...


class RecordingNotifier:
    """Keeps notices in a list: for tests, and until a delivering notifier is configured."""

    def __init__(self):
        self.notices: list[Notice] = []
        self._keys: set[str] = set()

    async def notify(self, notice: Notice) -> None:
        if notice.idempotency_key in self._keys:
            return
        self._keys.add(notice.idempotency_key)
        self.notices.append(notice)
