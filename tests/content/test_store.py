"""The content store's contract on SQLite and PostgreSQL: validated writes, history, revert, stale edits,
concurrent writers, the polled version, and YAML in and out."""
from __future__ import annotations

import asyncio

import pytest

from bot.clock import FixedClock
from bot.content.store import ContentCache, ContentError, ContentStore, StoreCatalogues
from integrations.db.content import ContentRepository
from knowledge.deadlines import load_deadlines
from knowledge.events import load_events
from knowledge.forums import load_forums
from knowledge.loader import DEFAULT_DATA_DIR, load_knowledge
from tests.content.conftest import NOW_2027


def webinar(capacity=50, **extra):
    return {"id": "webinar-2027-03-10", "kind": "webinar", "title": "SEND QA webinar", "description": "Reviews.",
            "start": "2027-03-10T16:00", "end": "2027-03-10T17:00", "booking_opens": "2027-02-01T09:00",
            "booking_closes": "2027-03-09T17:00", "status": "scheduled", "venue": None,
            "join_url": "https://teams.microsoft.com/l/x", "capacity": capacity, **extra}


@pytest.fixture
def store(any_db):
    return ContentStore(ContentRepository(any_db), FixedClock(NOW_2027))


async def test_changes_are_validated_recorded_and_revertible(store, any_db):
    cache = ContentCache(ContentRepository(any_db))
    catalogues = StoreCatalogues(cache)
    with pytest.raises(ContentError, match="end must be after start"):
        await store.add("event", webinar(end="2027-03-10T15:00"), by="Clara", why="typo")
    added = await store.add("event", webinar(), by="Clara", why="announced")
    with pytest.raises(ContentError, match="already exists"):
        await store.add("event", webinar(), by="Clara", why="again")
    edited = await store.edit("event", "webinar-2027-03-10", webinar(capacity=80), by="Ruth", why="bigger licence")
    assert await cache.refresh() is True and await cache.refresh() is False
    assert catalogues.events().get("webinar-2027-03-10").capacity == 80

    history = await store.history(kind="event")
    assert [(h.action, h.changed_by, h.why) for h in history] == [("edit", "Ruth", "bigger licence"),
                                                                  ("add", "Clara", "announced")]
    assert history[0].previous["capacity"] == 50 and history[0].changed_at == NOW_2027
    await store.revert(edited.id, by="Ruth", why="licence not renewed")
    await cache.refresh()
    assert catalogues.events().get("webinar-2027-03-10").capacity == 50
    await store.revert(added.id, by="Ruth", why="not happening")        # before the add: no item
    await cache.refresh()
    assert catalogues.events().get("webinar-2027-03-10") is None
    assert [h.action for h in await store.history(key="webinar-2027-03-10")] == ["revert", "revert", "edit", "add"]


async def test_an_edit_based_on_an_old_read_is_refused(store, any_db):
    await store.add("event", webinar(), by="a", why="x")
    repo = ContentRepository(any_db)
    current = await repo.get("event", "webinar-2027-03-10")
    await store.edit("event", "webinar-2027-03-10", webinar(capacity=70), by="b", why="y")
    from integrations.db.content import StaleContent

    with pytest.raises(StaleContent):
        await repo.change([("event", "webinar-2027-03-10", webinar(capacity=60), "edit")], by="c", why="z",
                          now=NOW_2027, expect={("event", "webinar-2027-03-10"): current.revision})


async def test_concurrent_writers_each_get_their_change_and_the_version_counts_them(store, any_db):
    repo = ContentRepository(any_db)
    before = await repo.version()
    terms = [{"term": f"T{n}", "expansion": f"Term {n}", "variants": [], "source": "deck"} for n in range(12)]
    await asyncio.gather(*(store.add("glossary", t, by="bulk", why="concurrent") for t in terms))
    assert await repo.version() == before + 12
    assert len(await store.history(kind="glossary")) == 12


async def test_import_then_export_round_trips_the_knowledge_folder(store, tmp_path):
    counts = await store.import_directory(DEFAULT_DATA_DIR, by="ops", why="seed")
    assert counts["faq"] == len(load_knowledge(DEFAULT_DATA_DIR).entries)
    assert await store.import_directory(DEFAULT_DATA_DIR, by="ops", why="again") == {}
    await store.export_directory(tmp_path)
    assert load_events(tmp_path / "events.yaml") == load_events(DEFAULT_DATA_DIR / "events.yaml")
    assert load_forums(tmp_path / "forums.yaml") == load_forums(DEFAULT_DATA_DIR / "forums.yaml")
    assert load_deadlines(tmp_path).deadlines == load_deadlines(DEFAULT_DATA_DIR).deadlines
    exported, packaged = load_knowledge(tmp_path), load_knowledge(DEFAULT_DATA_DIR)
    assert {e.id: (e.question, e.answer, e.date) for e in exported.entries} == \
        {e.id: (e.question, e.answer, e.date) for e in packaged.entries}
    assert exported.glossary == packaged.glossary
