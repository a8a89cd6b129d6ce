"""Plugs the shared content store into an assistant: one cache per process, polled for its version.

Each replica keeps a snapshot of the store and checks one number (content_version) every
``knowledge.content_poll_seconds``; the live answers also check it before answering, so a change made
through any process is answered by every other within about a second, without a restart.
"""
from __future__ import annotations

import logging
from pathlib import Path

from bot.background import periodic
from bot.content.catalogues import FileCatalogues
from bot.content.store import ContentCache, ContentStore, StoreCatalogues
from integrations.db.content import ContentRepository

log = logging.getLogger(__name__)


class Catalogues:
    """What live answers read: the store once it holds content, the YAML files before that."""

    def __init__(self, store: StoreCatalogues, files: FileCatalogues):
        self.store = store
        self.files = files

    def forums(self):
        return self.store.forums() if self.store.cache.active else self.files.forums()

    def deadlines(self):
        return self.store.deadlines() if self.store.cache.active else self.files.deadlines()


def install_content(services) -> StoreCatalogues:
    settings = services.settings
    data_dir = Path(settings.knowledge.data_dir) if settings.knowledge.data_dir else None
    repo = ContentRepository(services.database)
    cache = ContentCache(repo)
    store_catalogues = StoreCatalogues(cache, default_capacity=settings.bookings.default_capacity)
    services.extras["content_cache"] = cache
    services.extras["content"] = store_catalogues
    services.extras["content_store"] = ContentStore(repo, services.clock,
                                                    default_capacity=settings.bookings.default_capacity)
    services.extras["catalogues"] = Catalogues(store_catalogues, FileCatalogues(data_dir))
    services.faq.store = store_catalogues

    async def poll():
        if await cache.refresh():
            services.faq.refresh_if_changed()
            bookings = services.extras.get("bookings")
            if bookings is not None:
                await bookings.refresh()

    services.extras["content_poll"] = poll
    services.background.append(periodic("content store poll", poll,
                                        max(0.2, settings.knowledge.content_poll_seconds), clock=services.clock))
    return store_catalogues


def attach_store(services) -> None:
    """Points the catalogue readers built by other features at the store (after they are built)."""
    store = services.extras.get("content")
    if store is None:
        return
    bookings = services.extras.get("bookings")
    if bookings is not None:
        bookings.catalogue.store = store
    reminders = services.extras.get("reminders")
    if reminders is not None:
        reminders.deadlines.store = store
    evaluations = services.extras.get("evaluations")
    if evaluations is not None:
        evaluations.forums_source.store = store
