"""Plugs the shared content store and the live answers into the assistant.

Each replica keeps a snapshot of the store and checks one number (content_version) every
``knowledge.content_poll_seconds`` and before every answer, so a change made through any process is
answered by every other within about a second, without a restart. Dated questions are answered from
the live catalogues before the FAQ fallback sees them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from bot.background import periodic
from bot.bookings.service import BookingService
from bot.content.catalogues import FileCatalogues
from bot.content.corrections import FaqCorrections
from bot.content.editing import ContentEditor
from bot.content.live import LiveService
from bot.content.store import ContentCache, ContentStore, StoreCatalogues
from bot.core import Core
from bot.registry import Registry
from dialogs.content import LiveFeature
from dialogs.content_edit import ContentEditFeature
from integrations.db.content import ContentRepository


class Catalogues:
    """What live answers read: the store once it holds content, the YAML files before that."""

    def __init__(self, store: StoreCatalogues, files: FileCatalogues):
        self.store = store
        self.files = files

    def forums(self):
        return self.store.forums() if self.store.cache.active else self.files.forums()

    def deadlines(self):
        return self.store.deadlines() if self.store.cache.active else self.files.deadlines()


@dataclass
class Content:
    cache: ContentCache
    catalogues: StoreCatalogues
    store: ContentStore
    live: LiveService
    editor: Optional[ContentEditor] = None
    corrections: Optional[FaqCorrections] = None

    async def poll(self) -> bool:
        return await self._poll()


def install(core: Core, registry: Registry, *, bookings: BookingService, reminders, evaluations,
            inbox) -> Content:
    settings = core.settings
    data_dir = Path(settings.knowledge.data_dir) if settings.knowledge.data_dir else None
    repo = ContentRepository(core.database)
    cache = ContentCache(repo)
    catalogues = StoreCatalogues(cache, default_capacity=settings.bookings.default_capacity)
    # The catalogue readers of the other features follow the store once it is seeded.
    core.answerer.store = catalogues
    bookings.catalogue.store = catalogues
    reminders.deadlines.store = catalogues
    evaluations.service.forums_source.store = catalogues

    async def poll() -> bool:
        if not await cache.refresh():
            return False
        core.answerer.refresh_if_changed()
        await bookings.refresh()
        return True

    live = LiveService(core.clock, Catalogues(catalogues, FileCatalogues(data_dir)), bookings)
    core.answerer.add_note_source(live.newer_note)
    feature = LiveFeature(live, core.staff_ids, refresh=poll, recorder=inbox.service.log)
    feature.install(registry.router, registry.dialogs)
    # Dated questions ("when is the next forum?") are answered from the live catalogues first.
    registry.fallback = feature.answering(registry.fallback)
    registry.router.add_question_recogniser(live.is_dated_question)
    # Every turn (commands and card presses too, not only questions) and the app's start-up read the store
    # first: until then the catalogues are the YAML files of March 2025.
    registry.refresh_before_each_turn(poll)
    registry.add_job(periodic("content store poll", poll, max(0.2, settings.knowledge.content_poll_seconds),
                              clock=core.clock, before=poll))
    content = Content(cache, catalogues, ContentStore(repo, core.clock,
                                                      default_capacity=settings.bookings.default_capacity), live)
    content._poll = poll
    # Staff correct live items from Teams; withdrawing an FAQ answer tells the people it was sent to.
    content.editor = ContentEditor(content.store, redactor=core.redactor, seed_dir=data_dir, refresh=poll)
    content.corrections = FaqCorrections(content.store, inbox.service.repo, core.notifier, core.clock,
                                         team_name=settings.team_name)
    ContentEditFeature(content.editor, staff_ids=core.staff_ids,
                       corrections=content.corrections).install(registry.router, registry.dialogs)
    # Answers published from the inbox are FAQ items in the store too: answered everywhere, unpublished by
    # withdrawing them.
    inbox.service.publishing.attach(store=content.store, corrections=content.corrections, refresh=poll,
                                    seed_dir=data_dir)
    return content
