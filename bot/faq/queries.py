"""What the FAQ answerer needs from the query log (the FAQ collation inbox implements it)."""
from __future__ import annotations

from typing import Optional, Protocol

from knowledge.models import AnswerResult


class QueryRecorder(Protocol):
    async def record(
        self, *, channel: str, asker_id: str, asker_name: str, text: str, result: AnswerResult
    ) -> Optional[str]:
        """Stores the (redacted) query with its outcome; returns the query id for feedback buttons."""
        ...

    async def feedback(self, *, query_id: str, asker_id: str, helpful: bool) -> bool:
        """Records "Was this helpful?"; False when the query is not the asker's own."""
        ...

    async def escalate(self, *, query_id: str, asker_id: str) -> bool:
        """Flags the query for the inclusion team ("Ask the inclusion team")."""
        ...
