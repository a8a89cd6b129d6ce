"""Export and erasure of one person, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from integrations.db.bookings import bookings
from integrations.db.host import bot_state
from tests.privacy.conftest import (
    SOUTH,
    WEBINAR,
    email_of,
    person,
    rows,
    seed_email_person,
    seed_teams_person,
    table_counts,
    teams_id,
)

# After the South induction (28 April) but before the webinar (6 May).
BETWEEN = datetime(2025, 4, 29, 9, 0, tzinfo=timezone.utc)


async def test_export_holds_everything_about_the_person_and_nothing_about_anyone_else(world):
    await seed_teams_person(world, 1)
    await seed_teams_person(world, 2)

    data = await world.privacy.export_user(teams_id(1))

    json.dumps(data)  # JSON-able as it is
    assert data["identifiers"] == {"teams_user_ids": [teams_id(1)], "emails": []}
    assert [r["user_name"] for r in data["conversation_references"]] == ["Sam Senco 1"]
    assert sorted(s["key"] for s in data["bot_state"]) == ["msteams/conversations/a:conv-1",
                                                          f"msteams/users/{teams_id(1)}"]
    assert data["bot_state"][1]["document"] == {"BookingProfile": {"school": "School 1"}}
    [query] = data["queries"]
    # Stored redacted: the child's name and the phone number never reached the database.
    assert "Tyler" not in query["text"] and "07700" not in query["text"] and "[phone]" in query["text"]
    assert sorted(b["event_id"] for b in data["bookings"]) == sorted([SOUTH, WEBINAR])
    assert {b["event_title"] for b in data["bookings"]} >= {"Community Induction Meeting – South"}
    assert sorted(s["category"] for s in data["subscriptions"]) == ["forum", "tribunal"]
    assert [p["user_id"] for p in data["reminder_prompts"]] == [teams_id(1)]
    assert [c["reference"] for c in data["tribunal_cases"]] == ["Year 1 appeal"]
    [response] = data["evaluation_responses"]
    assert response["most_useful"] == "The tribunal talk (person 1)" and response["ratings"] == {"a": 5}
    assert [p["forum_id"] for p in data["evaluation_invitations"]] == ["term4-2025"]
    assert data["messages"] and {m["user_id"] for m in data["messages"]} == {teams_id(1)}
    text = json.dumps(data)
    assert teams_id(2) not in text and "Sam Senco 2" not in text and "School 2" not in text


async def test_an_aad_object_id_finds_the_teams_ids_seen_with_it(world):
    await seed_teams_person(world, 1)
    data = await world.privacy.export_user("aad-1")
    assert data["identifiers"]["teams_user_ids"] == [teams_id(1), "aad-1"]
    assert len(data["bookings"]) == 2


async def test_an_email_address_finds_what_was_emailed_or_booked_with_it(world):
    await seed_teams_person(world, 1)
    await seed_email_person(world, 1)
    await seed_email_person(world, 2)

    data = await world.privacy.export_user(email_of(1).upper())

    assert data["identifiers"]["emails"] == [email_of(1)]
    assert [q["channel"] for q in data["queries"]] == ["email"]
    assert data["queries"][0]["subject"] == "Question from school 1"
    assert len(data["bookings"]) == 2  # booked in Teams with this address
    assert [m["subject"] for m in data["mail"]["replies_waiting"]] == ["Re: Question from school 1"]
    assert [w["replies"] for w in data["mail"]["auto_reply_windows"]] == [1]
    assert data["tribunal_cases"] == []  # Teams-only records stay with the Teams identity


async def test_delete_erases_the_person_and_leaves_everyone_else_as_they_were(world):
    await seed_teams_person(world, 1)
    await seed_teams_person(world, 2)
    before = await world.privacy.export_user(teams_id(2))
    counts_before = await table_counts(world.database)
    world.clock.set(BETWEEN)

    erased = await world.privacy.delete_user(teams_id(1))

    after = await world.privacy.export_user(teams_id(1))
    assert all(not value for key, value in after.items()
               if isinstance(value, list)), {k: v for k, v in after.items() if isinstance(v, list) and v}
    assert erased.counts["inbox_queries"] == 1 and erased.counts["tribunal_cases"] == 1
    assert erased.counts["conversation_refs"] == 1 and erased.counts["bot_state"] == 2
    assert erased.counts["evaluation_responses"] == 1 and erased.counts["reminder_subscriptions"] == 2
    unchanged = await world.privacy.export_user(teams_id(2))
    assert {k: v for k, v in unchanged.items() if k != "exported_at"} == \
        {k: v for k, v in before.items() if k != "exported_at"}
    counts_after = await table_counts(world.database)
    # Past bookings stay (anonymised); the future one is gone; person 2's rows all remain.
    assert counts_after["bookings"] == counts_before["bookings"] - 1
    assert counts_after["inbox_queries"] == counts_before["inbox_queries"] - 1


async def test_past_bookings_are_anonymised_and_future_ones_cancelled_so_the_waiting_list_moves(world, events_path):
    from tests.bookings.conftest import edit_event

    edit_event(events_path, WEBINAR, capacity=1)
    await seed_teams_person(world, 1)          # takes the only webinar place
    await seed_teams_person(world, 2)          # waits for it
    assert (await world.bookings.book(SOUTH, person(3))).outcome == "confirmed"
    counts = await world.bookings._repo.counts()
    assert (counts[SOUTH].confirmed, counts[WEBINAR].confirmed, counts[WEBINAR].waitlisted) == (3, 1, 1)
    world.clock.set(BETWEEN)

    erased = await world.privacy.delete_user(teams_id(1))

    assert (erased.bookings_anonymised, erased.bookings_cancelled, erased.places_offered) == (1, 1, 1)
    counts = await world.bookings._repo.counts()
    assert counts[SOUTH].confirmed == 3, "attendance of the past event is kept"
    assert (counts[WEBINAR].confirmed, counts[WEBINAR].waitlisted) == (1, 0)
    [promoted] = [b for b in await world.bookings.my_bookings(teams_id(2)) if b.booking.event_id == WEBINAR]
    assert promoted.booking.status == "confirmed"
    south = await rows(world.database, bookings, bookings.c.event_id == SOUTH)
    anonymised = [b for b in south if b["user_id"].startswith("anonymised:")]
    assert len(anonymised) == 1
    assert (anonymised[0]["name"], anonymised[0]["school"], anonymised[0]["email"]) == ("Anonymised", "", "")
    assert not await rows(world.database, bookings, bookings.c.email == email_of(1))
    # The person promoted is told through the queue.
    assert any(m.kind == "booking.promoted" for m in await world.reminders.outbox.find(user_id=teams_id(2)))


async def test_delete_by_email_removes_emailed_questions_the_waiting_reply_and_the_window(world):
    await seed_email_person(world, 1)
    await seed_email_person(world, 2)

    erased = await world.privacy.delete_user(email_of(1))

    # The two similar questions share a group, which stays for person 2's question.
    assert erased.counts == {"inbox_queries": 1, "mail_outbox": 1, "mail_senders": 1}
    left = await world.privacy.export_user(email_of(2))
    assert len(left["queries"]) == 1 and len(left["mail"]["replies_waiting"]) == 1


async def test_erasing_someone_with_no_data_changes_nothing(world):
    await seed_teams_person(world, 2)
    counts = await table_counts(world.database)
    erased = await world.privacy.delete_user("29:nobody")
    assert erased.total == 0
    assert await table_counts(world.database) == counts


async def test_a_team_channels_shared_state_is_never_erased(world):
    from integrations.db.host import ConversationReferences, StateDocuments

    now = world.clock.now()
    await ConversationReferences(world.database).save(
        user_id=teams_id(1), channel_id="msteams", conversation_id="19:channel@thread.tacv2",
        service_url="https://smba.example/", tenant_id=None, user_name="Sam", aad_object_id=None,
        reference={"conversation": {"id": "19:channel@thread.tacv2", "conversationType": "channel"}}, now=now)
    await StateDocuments(world.database).write("msteams/conversations/19:channel@thread.tacv2", "{}", None, now)
    await world.privacy.delete_user(teams_id(1))
    keys = [r["key"] for r in await rows(world.database, bot_state)]
    assert keys == ["msteams/conversations/19:channel@thread.tacv2"]


async def test_without_the_booking_service_live_bookings_are_deleted_and_the_report_says_nobody_was_promoted(world):
    from bot.privacy.service import PrivacyService, Retention
    from integrations.db.privacy import PrivacyRepository

    await seed_teams_person(world, 1)
    bare = PrivacyService(PrivacyRepository(world.database), world.clock, Retention())
    assert "bookings" not in await bare.purge(datetime(2030, 1, 1, tzinfo=timezone.utc)), \
        "no event dates without the catalogue: bookings are left alone"

    erased = await bare.delete_user(teams_id(1))

    assert (erased.bookings_cancelled, erased.waitlist_not_promoted, erased.counts["bookings"]) == (2, 2, 2)
    assert not await rows(world.database, bookings)
