"""The review queue: drafts wait, staff accept/edit/reject, who and when are recorded, the shared content
store changes only on accept (with who and why), and an accepted FAQ entry is answered at once."""
import datetime as dt

import pytest

from bot.content.store import ContentCache, ContentStore, StoreCatalogues
from bot.drafts.install import build_draft_service
from bot.drafts.service import DraftError
from bot.faq.service import FaqService
from integrations.db.content import ContentRepository
from knowledge.deck_import import import_deck
from knowledge.engine import Thresholds
from tests.deck_import.conftest import DECK, variant_deck


@pytest.fixture
def content(sqlite_db, clock):
    return StoreCatalogues(ContentCache(ContentRepository(sqlite_db)))


@pytest.fixture
def store(sqlite_db, clock):
    return ContentStore(ContentRepository(sqlite_db), clock)


@pytest.fixture
def faq(data_dir, clock, content):
    faq = FaqService.from_directory(data_dir, Thresholds(), clock)
    faq.store = content
    return faq


@pytest.fixture
def service(settings, sqlite_db, data_dir, clock, faq, content):
    async def refresh():
        await content.cache.refresh()
        faq.refresh_if_changed()

    return build_draft_service(settings.replace(**{"knowledge.data_dir": str(data_dir)}), database=sqlite_db,
                               clock=clock, refresh=refresh)


def _by_key(drafts, key):
    return next(d for d in drafts if d.key == key)


async def test_an_import_queues_every_draft_pending_and_changes_no_content(service, store, data_dir):
    before = {p.name: p.read_text() for p in data_dir.rglob("*.yaml")}
    drafts = import_deck(DECK)
    record = await service.queue(drafts, by="Clara Green")
    pending = await service.pending()
    assert record.drafts == len(pending) == len(drafts.all())
    assert {d.kind for d in pending} == {"forum", "event", "deadline", "faq"}
    assert all(d.status == "pending" and d.decided_by is None for d in pending)
    assert not await store.is_seeded() and await store.history() == []
    assert {p.name: p.read_text() for p in data_dir.rglob("*.yaml")} == before


async def test_accepting_an_faq_draft_records_who_and_when_and_answers_it_at_once(service, faq, store, data_dir,
                                                                                    clock):
    await service.queue(import_deck(DECK), by="Clara Green")
    draft = next(d for d in await service.pending("faq") if d.data["topic"] == "New Ways of Working")
    question = "What are the new ways of working for Communities of Schools?"
    assert faq.ask(question).entry is None or faq.ask(question).entry.id != draft.key
    decision = await service.accept(draft.id, by="Clara Green", changes={"question": question})
    assert decision.draft.status == "accepted"
    assert (decision.draft.decided_by, decision.draft.decided_at) == ("Clara Green", clock.now())
    assert decision.draft.edited_by == "Clara Green"
    result = faq.ask(question)
    assert result.outcome == "answer" and result.entry.id == draft.key
    assert "LIFT will cease to exist 31st July 2025" in result.answer_text
    # It is in the shared store (every replica, kept over a restart), recorded with who and why; the YAML
    # files are not written any more.
    [change] = await store.history(kind="faq", key=draft.key)
    assert (change.action, change.changed_by, change.changed_at) == ("add", "Clara Green", clock.now())
    assert "accepted from the review queue (senco-forum-term4-2025.txt)" == change.why
    assert "imported.yaml" not in {p.name for p in (data_dir / "faq").iterdir()}
    # The store was seeded from the knowledge folder first, so the answerer still knows everything else.
    assert faq.ask("What is the NPQ for SENCOs?").outcome == "answer"
    with pytest.raises(DraftError, match="already accepted by Clara Green"):
        await service.accept(draft.id, by="Someone Else")


async def test_a_draft_the_catalogue_already_has_is_refused_and_stays_pending(service, store):
    await service.queue(import_deck(DECK), by="Clara Green")
    draft = _by_key(await service.pending("event"), "induction-east-2025-05-06")
    await store.seed_if_empty(None)
    before = await store.history(limit=1000)
    with pytest.raises(DraftError, match="the catalogue already has a event with id induction-east-2025-05-06"):
        await service.accept(draft.id, by="Clara Green")
    assert (await service.get(draft.id)).status == "pending"
    assert await store.history(limit=1000) == before


async def test_a_new_event_goes_into_the_catalogue_in_london_time(service, content, tmp_path):
    deck = variant_deck(tmp_path, ("East Tuesday 6th May 1pm -4pm", "East Tuesday 13th May 1pm -4pm"))
    await service.queue(import_deck(deck), by="Clara Green")
    draft = _by_key(await service.pending("event"), "induction-east-2025-05-13")
    await service.accept(draft.id, by="Clara Green")
    event = content.events().get("induction-east-2025-05-13")
    assert event.start.utcoffset() == dt.timedelta(hours=1)          # BST
    assert (event.start.hour, event.end.hour, event.venue, event.area) == (13, 16, "University of Kent, Canterbury",
                                                                          "East")
    assert event.end_assumed is False


async def test_an_undated_deadline_must_be_given_a_day_before_it_is_accepted(service, content):
    await service.queue(import_deck(DECK), by="Clara Green")
    draft = next(d for d in await service.pending("deadline") if d.data["detail"] == "LIFT Stops end of this term.")
    assert draft.data["on"] is None and draft.flags
    with pytest.raises(DraftError, match="gives no day"):
        await service.accept(draft.id, by="Clara Green")
    # British dates are read (trial point 12); one that cannot exist is refused with the reason.
    with pytest.raises(DraftError, match="on: 31 February 2025 doesn't exist"):
        await service.edit(draft.id, {"on": "31/02/2025"}, by="Clara Green")
    with pytest.raises(DraftError, match="no field 'venue'"):
        await service.edit(draft.id, {"venue": "x"}, by="Clara Green")
    edited = await service.edit(draft.id, {"on": "2025-07-22", "title": "School age LIFT stops"}, by="Ruth Gately")
    assert (edited.data["on"], edited.data["precision"], edited.edited_by) == ("2025-07-22", "day", "Ruth Gately")
    assert edited.original["on"] is None                 # what the deck gave is kept beside the edit
    await service.accept(draft.id, by="Clara Green")
    added = content.deadline_catalogue().by_id()[draft.key]
    assert (added.on, added.title) == (dt.date(2025, 7, 22), "School age LIFT stops")


async def test_rejected_drafts_are_kept_with_who_and_when(service, clock):
    await service.queue(import_deck(DECK), by="Clara Green")
    draft = (await service.pending("deadline"))[0]
    await service.reject(draft.id, by="Clara Green", note="not a deadline")
    kept = await service.get(draft.id)
    assert (kept.status, kept.decided_by, kept.decided_at, kept.decision_note) == (
        "rejected", "Clara Green", clock.now(), "not a deadline")
    assert draft.id not in {d.id for d in await service.pending()}
    with pytest.raises(DraftError):
        await service.edit(draft.id, {"title": "x"}, by="Clara Green")


async def test_the_next_forum_goes_into_the_forum_catalogue(service, data_dir, content):
    text = (data_dir / "forums.yaml").read_text()
    (data_dir / "forums.yaml").write_text(text[: text.index("  - id: term5-2025")])
    await service.queue(import_deck(DECK), by="Clara Green")
    draft = _by_key(await service.pending("forum"), "term5-2025")
    await service.accept(draft.id, by="Clara Green")
    forum = content.forum_catalogue().get("term5-2025")
    assert forum.status == "proposed"
    assert [s.date for s in forum.sessions] == [dt.date(2025, 5, 21), dt.date(2025, 5, 22)]
    assert [a.title for a in forum.agenda][:2] == ["Health TBD", "Transition Plans"]
    held = _by_key(await service.pending("forum"), "term4-2025")
    with pytest.raises(DraftError, match="forum term4-2025 already exists"):
        await service.accept(held.id, by="Clara Green")


async def test_accepted_drafts_reach_the_store_on_sqlite_and_postgresql(any_db, settings, clock, tmp_path):
    """The queue and the store share one database: accepting writes both, on either database."""
    service = build_draft_service(settings, database=any_db, clock=clock)
    deck = variant_deck(tmp_path, ("East Tuesday 6th May 1pm -4pm", "East Tuesday 13th May 1pm -4pm"))
    await service.queue(import_deck(deck), by="Clara Green")
    draft = _by_key(await service.pending("event"), "induction-east-2025-05-13")
    decision = await service.accept(draft.id, by="Clara Green")
    assert decision.published_as == "induction-east-2025-05-13"
    store = ContentStore(ContentRepository(any_db), clock)
    item = await store.get("event", "induction-east-2025-05-13")
    assert item.doc["start"] == "2025-05-13T13:00" and item.updated_by == "Clara Green"
    assert await store.get("faq", "npq-what-is") is not None          # seeded first
