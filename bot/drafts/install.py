"""Plugs the review queue into the assistant: staff review of drafts (and new content typed by hand) in Teams.

Accepted drafts go into the shared content store; this process refreshes its copy at once, so an
accepted FAQ entry is answered straight away."""
from __future__ import annotations

from pathlib import Path
from typing import Awaitable, Callable, Optional

from bot.content.store import ContentStore
from bot.core import Core
from bot.drafts.service import DraftService
from bot.drafts.sink import StoreDraftSink
from bot.registry import Registry
from dialogs.drafts import DraftsFeature
from integrations.db.content import ContentRepository
from integrations.db.drafts import DraftRepository


def build_draft_service(settings, *, database, clock, redactor=None,
                        refresh: Optional[Callable[[], Awaitable]] = None) -> DraftService:
    store = ContentStore(ContentRepository(database), clock, default_capacity=settings.bookings.default_capacity)
    seed_dir = Path(settings.knowledge.data_dir) if settings.knowledge.data_dir else None
    sink = StoreDraftSink(store, seed_dir=seed_dir, default_capacity=settings.bookings.default_capacity,
                          refresh=refresh)
    if redactor is None:
        from bot.privacy.edge import redactor_for

        redactor = redactor_for(settings)
    return DraftService(DraftRepository(database), sink, clock, redactor=redactor)


def install(core: Core, registry: Registry, *, content) -> DraftService:
    service = build_draft_service(core.settings, database=core.database, clock=core.clock, redactor=core.redactor,
                                  refresh=content.poll)
    DraftsFeature(service, staff_ids=core.staff_ids, forum=core.settings.inbox.forum).install(registry.router,
                                                                                              registry.dialogs)
    return service
