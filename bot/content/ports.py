"""The storage protocol of bot/content/: the service depends on it, not on the SQL repository, so it can be
read and tested against a fake; ``integrations.db.content`` implements it."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Optional, Protocol

from integrations.db.content import Revision, StoredItem


class ContentRecords(Protocol):
    """What the content store needs from storage (integrations.db.content.ContentRepository implements it)."""

    database: Any   # the commands reach the rest of the database through it

    async def version(self) -> int: ...
    async def snapshot(self) -> tuple[int, list[StoredItem]]: ...
    async def get(self, kind: str, key: str) -> Optional[StoredItem]: ...
    async def change(self, changes: Iterable[tuple[str, str, Optional[dict], str]], *, by: str, why: str,
                     now: datetime, expect: Optional[dict[tuple[str, str], Optional[int]]] = None) -> list[Revision]: ...
    async def history(self, *, kind: Optional[str] = None, key: Optional[str] = None,
                      limit: int = 50) -> list[Revision]: ...
    async def revision(self, revision_id: int) -> Optional[Revision]: ...
    async def count(self) -> int: ...
