"""Building the review queue from settings, for the CLI and for the running assistant."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from bot.drafts.service import DraftService
from bot.drafts.sink import YamlDraftSink
from integrations.db.drafts import DraftRepository


def build_draft_service(settings, *, database, clock, publish_faq: Optional[Callable] = None) -> DraftService:
    data_dir = Path(settings.knowledge.data_dir) if settings.knowledge.data_dir else None
    # The same file the bookings feature reads: its own setting, else the knowledge folder's.
    events_file = Path(settings.bookings.events_file) if settings.bookings.events_file else None
    sink = YamlDraftSink(data_dir, events_file=events_file, default_capacity=settings.bookings.default_capacity)
    return DraftService(DraftRepository(database), sink, clock, publish_faq=publish_faq)


def install(services, router, dialogs) -> DraftService:
    """Staff review of drafts in Teams; an accepted FAQ entry goes straight into the running answerer."""
    from dialogs.drafts import DraftsFeature

    service = build_draft_service(services.settings, database=services.database, clock=services.clock,
                                  publish_faq=services.faq.publish)
    DraftsFeature(service, staff_ids=frozenset(services.settings.bot.staff_ids),
                  forum=services.settings.inbox.forum).install(router, dialogs)
    services.extras["drafts"] = service
    return service
