"""Staff are data subjects too: the inbox answers, dismissals, published entries and broadcasts they
made carry who made them. Export lists that work; erasure keeps the work and removes the person."""
from __future__ import annotations

import json

from integrations.db.inbox import inbox_clusters, inbox_published
from bot.content.store import SEEDED_BY
from integrations.db.content import ContentRepository
from integrations.db.content_tables import content_items, content_revisions
from integrations.db.drafts import content_drafts, deck_imports
from integrations.db.privacy import FORMER_STAFF, STAFF_RECORD_KINDS
from integrations.db.reminders import reminders
from tests.privacy.conftest import STAFF_AAD, rows, seed_teams_person, teams_id
from tests.privacy.test_redaction_channels import database_text

STAFF_ID = "29:staff"
STAFF_NAME = "Clara Green"     # world.staff()'s Teams display name


async def _staff_at_work(world) -> None:
    """In Teams: answer and publish one group, dismiss another, broadcast once."""
    sam, jo = world.talk(1), world.talk(2)
    await sam.says("Can the school claim back the cost of a private speech and language report?")
    await jo.says("What colour should the annual review paperwork be printed on?")
    inbox = world.assistant.features.inbox.service
    for query in await inbox.export.list_queries(include_all=True):
        await inbox.log.escalate(query_id=query.id, asker_id=query.asker_id)
    staff = world.staff()
    cards = await staff.says("inbox")
    groups = [(r.text, dict(r.choices)) for r in cards if r.choices]
    assert len(groups) == 2
    for text, choices in groups:
        if "speech" in text:
            await staff.presses(dict(choices["Publish"], answer="Only where the plan names it; ask the LA first."))
        else:
            await staff.presses(choices["Dismiss"])
    await world.reminders.subscriptions.subscribe(teams_id(1), ["forum"])
    await staff.says("broadcast forum The Term 5 forum is confirmed for 21 and 22 May.")
    await staff.button("Send broadcast")


async def test_export_lists_the_work_a_staff_member_did(world):
    await _staff_at_work(world)
    await seed_teams_person(world, 3)

    for identifier in (STAFF_ID, STAFF_AAD):
        data = await world.privacy.export_user(identifier)
        json.dumps(data)
        work = data["staff_records"]
        assert sorted(a["status"] for a in work["inbox_answers"]) == ["dismissed", "published"]
        assert [a["answer"] for a in work["inbox_answers"] if a["status"] == "published"] == [
            "Only where the plan names it; ask the LA first."]
        [entry] = work["published_entries"]
        assert "speech and language" in entry["question"]
        [broadcast] = work["broadcasts"]
        assert broadcast["category"] == "forum" and "21 and 22 May" in broadcast["text"]

    # Someone who never acted as staff has no staff records.
    other = await world.privacy.export_user(teams_id(3))
    assert other["staff_records"] == {kind: [] for kind in STAFF_RECORD_KINDS}


async def test_erasing_a_staff_member_keeps_the_work_without_them(world):
    await _staff_at_work(world)

    erased = await world.privacy.delete_user(STAFF_AAD)

    # The published answer also lives in the content store (one item, one revision) under their name.
    assert erased.pseudonymised == {"inbox_clusters": 2, "inbox_published": 1, "reminders": 1,
                                    "content_items": 1, "content_revisions": 1}
    clusters = await rows(world.database, inbox_clusters)
    assert sorted(c["status"] for c in clusters) == ["dismissed", "published"]
    assert all(c["answered_by"] is None for c in clusters)
    [published] = await rows(world.database, inbox_published)
    assert published["published_by"] == FORMER_STAFF and published["answer"].startswith("Only where")
    [broadcast] = await rows(world.database, reminders)
    assert broadcast["created_by"] is None and "21 and 22 May" in broadcast["text"]
    # The world's staff member is also a presenter at the forum: the deck's content, seeded into the store from
    # the knowledge folder, credits her as presenter. That is the forum's published record, not her data.
    tables = await database_text(world.database, skip=lambda table, row: (
        (table == "content_items" and row["updated_by"] == SEEDED_BY)
        or (table == "content_revisions" and row["changed_by"] == SEEDED_BY)))
    for key, text in tables.items():
        assert STAFF_NAME.lower() not in text.lower(), key
        assert STAFF_AAD not in text, key
        # A console conversation's id contains the user id, and processed activity keys contain that
        # (for a day, then purged); in Teams conversation ids never do.
        if not key.startswith("processed_activities."):
            assert STAFF_ID not in text, key
    again = await world.privacy.export_user(STAFF_AAD)
    assert again["staff_records"] == {kind: [] for kind in STAFF_RECORD_KINDS}


async def test_a_staff_member_deleting_their_data_in_teams(world):
    await _staff_at_work(world)
    staff = world.staff()
    summary = await staff.says("what data do you hold")
    assert any("team's work" in r.text for r in summary)
    await staff.says("delete my data")
    done = await staff.button("Yes, delete my data")
    assert any("deleted" in r.text for r in done)
    assert all(c["answered_by"] is None for c in await rows(world.database, inbox_clusters))
    assert [p["published_by"] for p in await rows(world.database, inbox_published)] == [FORMER_STAFF]


async def test_work_recorded_by_name_on_the_command_line_is_found_by_that_name(world):
    inbox = world.assistant.features.inbox.service
    await world.talk(1).says("Can the school claim back the cost of a private speech and language report?")
    [query] = await inbox.export.list_queries(include_all=True)
    await inbox.log.escalate(query_id=query.id, asker_id=query.asker_id)
    # `sencobot inbox answer ID --by "Emily Bambridge"`: no Teams id is ever seen for her.
    await inbox.answers.answer_query(query.id, "Only where the plan names it.", by="Emily Bambridge")
    data = await world.privacy.export_user("Emily Bambridge")
    assert [a["answered_by"] for a in data["staff_records"]["inbox_answers"]] == ["Emily Bambridge"]
    erased = await world.privacy.delete_user("emily bambridge")
    assert erased.pseudonymised == {"inbox_clusters": 1}
    assert [c["answered_by"] for c in await rows(world.database, inbox_clusters)] == [None]


async def _knowledge_base_work(world, by: str) -> None:
    """`sencobot content add --by NAME`, a deck import and a draft reviewed by the same person."""
    from sqlalchemy import insert

    now = world.clock.now()
    await ContentRepository(world.database).change(
        [("glossary", "LIFT", {"term": "LIFT", "definition": "Local Inclusion Forum Team"}, "add")],
        by=by, why="glossary seeded from the Term 4 deck", now=now)
    async with world.database.begin() as conn:
        await conn.execute(insert(deck_imports).values(
            id="imp1", file_name="term4.pptx", forum_id="term4-2025", drafts=1, imported_by=by, imported_at=now))
        await conn.execute(insert(content_drafts).values(
            id="d1", import_id="imp1", kind="faq", draft_key="faq-1", title="What is LIFT?", original="{}",
            current="{}", flags="[]", status="rejected", revision=1, created_at=now, edited_by=by, edited_at=now,
            decided_by=by, decided_at=now, decision_note="duplicate of the glossary entry"))


async def test_knowledge_base_changes_and_draft_reviews_are_exported_and_erased(world):
    # Recorded by name (the command line's --by): found by that name, in any case.
    await _knowledge_base_work(world, "Emily Bambridge")
    work = (await world.privacy.export_user("Emily Bambridge"))["staff_records"]
    [change] = work["content_changes"]
    assert (change["kind"], change["key"], change["action"]) == ("glossary", "LIFT", "add")
    assert [i["file_name"] for i in work["deck_imports"]] == ["term4.pptx"]
    assert [d["decision_note"] for d in work["draft_reviews"]] == ["duplicate of the glossary entry"]

    erased = await world.privacy.delete_user("emily bambridge")
    assert erased.pseudonymised == {"content_items": 1, "content_revisions": 1, "deck_imports": 1,
                                    "content_drafts": 2}
    # The knowledge base and its history stay; who changed it goes.
    [item] = await rows(world.database, content_items)
    [revision] = await rows(world.database, content_revisions)
    assert item["updated_by"] == revision["changed_by"] == FORMER_STAFF and revision["why"]
    [draft] = await rows(world.database, content_drafts)
    assert draft["status"] == "rejected" and draft["edited_by"] is None and draft["decided_by"] is None
    tables = await database_text(world.database)
    assert not [key for key, text in tables.items() if "bambridge" in text.lower()]
    again = await world.privacy.export_user("Emily Bambridge")
    assert again["staff_records"] == {kind: [] for kind in STAFF_RECORD_KINDS}
