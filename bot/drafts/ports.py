"""The storage protocol of bot/drafts/: the service depends on it, not on the SQL repository, so it can be
read and tested against a fake; ``integrations.db.drafts`` implements it."""
from __future__ import annotations

from datetime import datetime
from typing import Optional, Protocol

from integrations.db.drafts import DeckImport, NewDraft, StoredDraft


class DraftStore(Protocol):
    """What the draft review queue needs from storage (integrations.db.drafts.DraftRepository implements it)."""

    async def add_import(self, *, file_name: str, forum_id: str, drafts: list[NewDraft], by: str,
                         now: datetime) -> DeckImport: ...
    async def list(self, *, status: Optional[str] = "pending", kind: Optional[str] = None) -> list[StoredDraft]: ...
    async def get(self, draft_id: str) -> Optional[StoredDraft]: ...
    async def edit(self, draft_id: str, data: dict, *, revision: int, by: str, now: datetime) -> bool: ...
    async def decide(self, draft_id: str, status: str, *, revision: int, by: str, now: datetime,
                     note: Optional[str] = None, published_as: Optional[str] = None) -> bool: ...
    async def get_import(self, import_id: str) -> Optional[DeckImport]: ...
