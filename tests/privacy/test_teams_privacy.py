"""'What data do you hold' and 'delete my data' in Teams, on SQLite and PostgreSQL."""
from __future__ import annotations

import json

from integrations.db.host import bot_state, conversation_refs
from tests.privacy.conftest import email_of, rows, seed_teams_person, teams_id


async def test_what_data_do_you_hold_shows_a_summary_of_the_persons_own_records(world):
    await seed_teams_person(world, 1)
    await seed_teams_person(world, 2)
    sam = world.talk(1)

    [summary] = await sam.says("What data do you hold about me?")

    assert "What I hold about you" in summary.text
    for line in ("Questions: 1 asked, the first on Tuesday 1 April 2025",
                 "Bookings: 2: Community Induction Meeting – South, SEND Quality Assurance webinar",
                 "Reminders: forum, tribunal", "Tribunal cases: \"Year 1 appeal\"", "Forum evaluations: term4-2025"):
        assert line in summary.text, summary.text
    assert "Year 2 appeal" not in summary.text
    assert [title for title, _ in summary.choices] == ["Delete my data"]


async def test_someone_with_nothing_stored_is_told_so(world):
    [summary] = await world.talk(5).says("what data do you hold")
    # The chat itself is remembered (to reply), which is not listed as data about them.
    assert "Nothing apart from what I need to reply to you in this chat" in summary.text


async def test_delete_my_data_asks_first_and_no_keeps_everything(world):
    await seed_teams_person(world, 1)
    sam = world.talk(1)
    [card] = await sam.says("please delete all my data")
    assert "Delete everything I hold about you?" in card.text
    assert "Tribunal cases: \"Year 1 appeal\"" in card.text and "can't be undone" in card.text

    [reply] = await sam.button("No, keep it")

    assert reply.text == "OK, I haven't deleted anything."
    assert len((await world.privacy.export_user(teams_id(1)))["bookings"]) == 2


async def test_yes_erases_the_persons_data_and_nothing_of_anyone_elses(world):
    await seed_teams_person(world, 1)
    await seed_teams_person(world, 2)
    other_before = await world.privacy.export_user(teams_id(2))
    sam = world.talk(1)
    await sam.says("delete my data")

    [done] = await sam.button("Yes, delete my data")

    assert done.text.startswith("Done: I've deleted what I held about you.")
    assert "I cancelled 2 bookings for events still to come" in done.text
    left = await world.privacy.export_user(teams_id(1))
    assert not any(v for k, v in left.items() if isinstance(v, list)), left
    stored = json.dumps([r["document"] for r in await rows(world.database, bot_state)])
    for personal in ("School 1", "Sam Senco 1", email_of(1), teams_id(1)):
        assert personal not in stored
    other_after = await world.privacy.export_user(teams_id(2))
    assert {k: v for k, v in other_after.items() if k != "exported_at"} == \
        {k: v for k, v in other_before.items() if k != "exported_at"}

    # Talking again stores what is needed to reply (the handler forgot its cached copy).
    await sam.says("hello")
    assert [r["user_id"] for r in await rows(world.database, conversation_refs)
            if r["user_id"] == teams_id(1)] == [teams_id(1)]


async def test_a_confirmation_forwarded_to_someone_else_erases_nothing(world):
    await seed_teams_person(world, 1)
    await seed_teams_person(world, 2)
    [card] = await world.talk(1).says("delete my data")
    confirm = dict(card.choices)["Yes, delete my data"]

    [reply] = await world.talk(2).presses(confirm)

    assert "That button was for someone else" in reply.text
    for n in (1, 2):
        assert len((await world.privacy.export_user(teams_id(n)))["bookings"]) == 2


async def test_a_half_finished_booking_form_is_dropped_with_the_data(world):
    sam = world.talk(1)
    await sam.says("book the webinar on 6 May")
    await sam.says("Joy Lane Primary School")
    await sam.says("cancel")
    stored = json.dumps([r["document"] for r in await rows(world.database, bot_state)])
    assert "Joy Lane" in stored
    await sam.says("delete my data")
    await sam.button("Yes, delete my data")
    stored = json.dumps([r["document"] for r in await rows(world.database, bot_state)])
    assert "Joy Lane" not in stored


def test_privacy_requests_are_recognised_and_nearby_questions_are_left_alone(sqlite_world):
    router = sqlite_world.assistant.bot.router

    def intent(text):
        found = router.best(text, is_staff=False)
        return found.name if found else None

    for text in ("delete my data", "Please erase all of my personal data", "forget me", "right to erasure"):
        assert intent(text) == "privacy.delete", text
    for text in ("export my data", "What data do you hold about me?", "show me my personal information",
                 "what information does the bot keep", "subject access request", "my data"):
        assert intent(text) == "privacy.export", text
    for text in ("remove my booking details", "show me my booking details", "what data does the LA hold on pupils",
                 "how do I delete a pupil's records from SIMS?", "update my details"):
        assert intent(text) not in ("privacy.delete", "privacy.export"), text
