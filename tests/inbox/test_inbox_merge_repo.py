"""The storage behind merge, correct and unpublish, on SQLite and PostgreSQL: who merged and when is kept, an
unpublished entry's group is answered again, and 0008_inbox_merge creates exactly what the code declares."""
from __future__ import annotations

from datetime import timedelta

from integrations.db.inbox import InboxRepository, PublishedEntry, inbox_merges
from integrations.db.migrate import current_revisions
from tests.inbox.test_inbox_repos import new_query
from tests.migrations import schema_differences


async def test_the_merge_migration_matches_its_table(any_db):
    assert "0008_inbox_merge" in await current_revisions(any_db)
    assert await schema_differences(any_db, {inbox_merges.name}) == []


async def test_merge_records_who_and_when_and_unpublish_reopens_the_group(any_db, clock):
    repo = InboxRepository(any_db)
    first = await repo.create_cluster("Is there parking?", clock.now())
    second = await repo.create_cluster("Where do I park?", clock.now())
    for cluster, asker in ((first, "29:a"), (second, "29:b")):
        query = await repo.add_query(new_query(clock, asker=asker))
        await repo.place_in_cluster(query.id, cluster.id, "new", clock.now())
    clock.advance(timedelta(minutes=3))
    assert await repo.merge_cluster(second.id, first.id, clock.now(), by="Clara Green") is not None
    assert await repo.merges(first.id) == [(second.id, "Clara Green", clock.now())]

    await repo.answer_cluster(first.id, "Free parking.", "Clara Green", clock.now())
    entry = PublishedEntry(faq_id="inbox-parking-abc123", cluster_id=first.id, question="Is there parking?",
                           answer="Free parking.", alternatives=("Where do I park?",),
                           tags=("venues", "inbox"), session="Inclusion team answer, 26 November 2026",
                           presenter=None, forum="term4-2025", published_at=clock.now(), published_by="Clara Green")
    assert await repo.publish_cluster(first.id, entry)
    assert await repo.correct_published(entry.faq_id, "Free until 9am.", None, clock.now())
    assert (await repo.published_entries())[0].answer == "Free until 9am."
    assert (await repo.get_cluster(first.id)).answer == "Free until 9am."

    assert await repo.unpublish(entry.faq_id, clock.now())
    assert await repo.published_entries() == []
    reopened = await repo.get_cluster(first.id)
    assert (reopened.status, reopened.faq_id) == ("answered", None)
    assert {q.status for q in await repo.members([first.id])} == {"answered"}
    assert not await repo.unpublish(entry.faq_id, clock.now())
