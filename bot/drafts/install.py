"""Plugs the review queue into the assistant: staff review of drafts (and new content typed by hand) in Teams.

An FAQ entry accepted in Teams goes straight into the running answerer, so it is answered at once."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from bot.core import Core
from bot.drafts.service import DraftService
from bot.drafts.sink import YamlDraftSink
from bot.registry import Registry
from dialogs.drafts import DraftsFeature
from integrations.db.drafts import DraftRepository


def build_draft_service(settings, *, database, clock, publish_faq: Optional[Callable] = None) -> DraftService:
    data_dir = Path(settings.knowledge.data_dir) if settings.knowledge.data_dir else None
    # The same file the bookings feature reads: its own setting, else the knowledge folder's.
    events_file = Path(settings.bookings.events_file) if settings.bookings.events_file else None
    sink = YamlDraftSink(data_dir, events_file=events_file, default_capacity=settings.bookings.default_capacity)
    return DraftService(DraftRepository(database), sink, clock, publish_faq=publish_faq)


def install(core: Core, registry: Registry) -> DraftService:
    service = build_draft_service(core.settings, database=core.database, clock=core.clock,
                                  publish_faq=core.answerer.publish)
    DraftsFeature(service, staff_ids=core.staff_ids, forum=core.settings.inbox.forum).install(registry.router,
                                                                                              registry.dialogs)
    return service
