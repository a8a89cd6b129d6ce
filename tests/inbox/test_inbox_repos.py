"""The inbox's storage contract, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

from integrations.db.inbox import InboxRepository, NewQuery, PublishedEntry
from integrations.db.migrate import current_revisions


def new_query(clock, asker="29:a", text="Is there parking at the venue?", channel="teams", needs=True, **extra):
    return NewQuery(asked_at=clock.now(), channel=channel, asker_id=asker, asker_name="A Senco", text=text,
                    outcome="decline" if needs else "answer", faq_id=None, confidence=0.1, needs_answer=needs,
                    **extra)


async def test_the_inbox_migration_is_applied(any_db):
    assert "0002_inbox" in await current_revisions(any_db)


async def test_a_query_round_trips_with_aware_utc_times(any_db, clock):
    repo = InboxRepository(any_db)
    stored = await repo.add_query(new_query(clock, channel="email", asker="head@school.example",
                                            message_id="<m1@school.example>", subject="Parking"))
    again = await repo.get_query(stored.id)
    assert again == stored
    assert again.asked_at == clock.now() and again.asked_at.tzinfo is not None
    assert (again.status, again.needs_answer, again.helpful, again.cluster_id) == ("new", True, None, None)
    assert again.message_id == "<m1@school.example>"
    assert [q.id for q in await repo.find_queries(stored.id[:8])] == [stored.id]
    assert await repo.find_queries("zz'; drop") == []


async def test_feedback_and_escalation_only_for_the_askers_own_query(any_db, clock):
    repo = InboxRepository(any_db)
    query = await repo.add_query(new_query(clock, needs=False))
    assert not await repo.set_feedback(query.id, "29:someone-else", False, clock.now())
    assert await repo.set_feedback(query.id, "29:a", False, clock.now())
    assert await repo.flag_needs_answer(query.id, "29:someone-else", clock.now()) is None
    flagged = await repo.flag_needs_answer(query.id, "29:a", clock.now())
    assert flagged.needs_answer and flagged.helpful is False


async def test_cluster_lifecycle_is_conditional_on_status(any_db, clock):
    repo = InboxRepository(any_db)
    cluster = await repo.create_cluster("Is there parking?", clock.now())
    q1 = await repo.add_query(new_query(clock))
    await repo.place_in_cluster(q1.id, cluster.id, "new", clock.now())

    answered = await repo.answer_cluster(cluster.id, "No parking, sorry.", "Olu", clock.now(), "Parking?")
    assert (answered.status, answered.answer, answered.question) == ("answered", "No parking, sorry.", "Parking?")
    assert (await repo.get_query(q1.id)).status == "answered"
    assert not await repo.dismiss_cluster(cluster.id, "Olu", clock.now()), "answered groups are not dismissed"

    entry = PublishedEntry(
        faq_id="inbox-parking-abc123", cluster_id=cluster.id, question="Parking?", answer="No parking, sorry.",
        alternatives=("is there parking",), tags=("questions-from-schools", "inbox"),
        session="Inclusion team answer, 26 November 2026", presenter=None, forum="term4-2025",
        published_at=clock.now(), published_by="Olu",
    )
    assert await repo.publish_cluster(cluster.id, entry)
    assert not await repo.publish_cluster(cluster.id, entry), "published once"
    assert await repo.published_entries() == [entry]
    assert (await repo.get_query(q1.id)).status == "published"
    assert await repo.answer_cluster(cluster.id, "changed", "Olu", clock.now()) is None


async def test_merge_moves_questions_and_joining_an_answered_group_answers_them(any_db, clock):
    repo = InboxRepository(any_db)
    target = await repo.create_cluster("Is there parking?", clock.now())
    source = await repo.create_cluster("Where do we park?", clock.now())
    q1 = await repo.add_query(new_query(clock))
    q2 = await repo.add_query(new_query(clock, asker="29:b", text="Where do we park?"))
    await repo.place_in_cluster(q1.id, target.id, "new", clock.now())
    await repo.place_in_cluster(q2.id, source.id, "new", clock.now())
    await repo.answer_cluster(target.id, "No parking.", "Olu", clock.now())

    assert await repo.merge_cluster(source.id, source.id, clock.now()) is None
    merged_into = await repo.merge_cluster(source.id, target.id, clock.now())
    assert merged_into.id == target.id
    moved = await repo.get_query(q2.id)
    assert (moved.cluster_id, moved.status) == (target.id, "answered")
    assert (await repo.get_cluster(source.id)).status == "merged"
    assert await repo.merge_cluster(source.id, target.id, clock.now()) is None, "a merged group is gone"


async def test_a_delivery_and_a_digest_slot_are_claimed_once(any_db, clock):
    repo = InboxRepository(any_db)
    cluster = await repo.create_cluster("Parking?", clock.now())
    query = await repo.add_query(new_query(clock))
    await repo.place_in_cluster(query.id, cluster.id, "new", clock.now())
    await repo.answer_cluster(cluster.id, "No.", "Olu", clock.now())
    assert [(q.id, c.id) for q, c in await repo.undelivered_answers()] == [(query.id, cluster.id)]
    assert await repo.claim_delivery(query.id, clock.now())
    assert not await repo.claim_delivery(query.id, clock.now())
    assert await repo.undelivered_answers() == []
    await repo.release_delivery(query.id)
    assert len(await repo.undelivered_answers()) == 1

    assert [q.id for q in await repo.undigested_questions()] == []  # answered, no longer new
    assert await repo.claim_digest("2026-11-26T08:00", clock.now())
    assert not await repo.claim_digest("2026-11-26T08:00", clock.now() + timedelta(minutes=1))
    await repo.release_digest("2026-11-26T08:00")
    assert await repo.claim_digest("2026-11-26T08:00", clock.now())
