"""Only staff see staff things: a non-staff user cannot triage the inbox, broadcast, see booking numbers
or other people's bookings, tribunal cases or evaluation answers, or export anyone else's data, whether
they type the staff commands or press the staff buttons' data directly. Every staff action is also
refused by its feature when the router's gate is taken away (the check is on the server, twice)."""
from __future__ import annotations

import dataclasses

import pytest

from bot.router import CardAction
from integrations.db.evaluations import EvaluationResponses
from integrations.db.inbox import inbox_clusters, inbox_published
from integrations.db.reminders import reminders, tribunal_cases
from tests.privacy.conftest import WEBINAR, person, rows, table_counts, teams_id

STAFF_ONLY = "only the inclusion team"


async def _staff_cards(world):
    """A question in the inbox and the staff cards for it (the buttons a non-staff user will forge)."""
    await world.talk(2).says("Can a parent ask for a transfer review of an EHCP for a child in Year 9?")
    replies = await world.staff().says("inbox")
    cluster_card = next(r for r in replies if r.choices and r.choices[0][1].get("action") == "inbox.answer")
    return {title: data for title, data in cluster_card.choices}


async def test_a_non_staff_user_cannot_triage_the_inbox(sqlite_world):
    world = sqlite_world
    buttons = await _staff_cards(world)
    assert set(buttons) >= {"Answer", "Dismiss", "Publish"}
    sam = world.talk(1)

    [refused] = await sam.says("inbox")
    assert "The inbox is for the inclusion team" in refused.text
    before = await rows(world.database, inbox_clusters)
    for title, data in buttons.items():
        forged = dict(data, answer="A forged answer", question="Forged?", topic="send", merge_into="x")
        [reply] = await sam.presses(forged)
        assert STAFF_ONLY in reply.text, title
    assert await rows(world.database, inbox_clusters) == before
    assert await rows(world.database, inbox_published) == []

    # The same buttons work for staff (so the test above is not refusing everything).
    [done] = await world.staff().presses(dict(buttons["Answer"], answer="Yes, at any time."))
    assert "that's answered" in done.text


async def test_a_non_staff_user_cannot_broadcast(sqlite_world):
    world = sqlite_world
    await world.talk(2).says("hello")  # a subscriber Teams can reach: a broadcast to nobody offers no Send button
    await world.reminders.subscriptions.subscribe(teams_id(2), ["forum"])
    [confirm] = await world.staff().says("broadcast forum The Term 5 forum is confirmed for 21 May.")
    send = dict(confirm.choices)["Send broadcast"]
    sam = world.talk(1)

    typed = await sam.says("broadcast forum Everyone come to my party")
    assert not any("Send broadcast" in r.text for r in typed)
    [reply] = await sam.presses(send)

    assert STAFF_ONLY in reply.text
    assert await rows(world.database, reminders, reminders.c.kind == "broadcast") == []


async def test_a_non_staff_user_sees_neither_booking_numbers_nor_anyone_elses_bookings(sqlite_world):
    world = sqlite_world
    other = (await world.bookings.book(WEBINAR, person(2))).booking
    [staff_view] = await world.staff().says("places")
    assert "taken" in staff_view.text
    sam = world.talk(1)

    assert not any("taken" in r.text for r in await sam.says("places"))
    [mine] = await sam.says("my bookings")
    assert "You have no upcoming bookings" in mine.text
    [reply] = await sam.presses({"action": "booking.cancel", "ref": other.ref})
    assert "isn't yours" in reply.text
    [reply] = await sam.presses({"action": "booking.cancel_yes", "ref": other.ref})
    assert "isn't yours" in reply.text
    assert (await world.bookings.get(other.ref)).status == "confirmed"


async def test_a_non_staff_user_cannot_see_or_change_someone_elses_tribunal_case(sqlite_world):
    world = sqlite_world
    from datetime import date

    case = (await world.reminders.tribunal.add(teams_id(2), "Case B", final_ehcp_issued=date(2025, 3, 1),
                                               hearing_on=date(2025, 7, 10))).case
    sam = world.talk(1)

    listed = await sam.says("my tribunal dates")
    assert not any("Case B" in r.text for r in listed)
    [reply] = await sam.presses({"action": "tribunal.edit", "case_id": case.id})
    assert "can't find that case" in reply.text
    [reply] = await sam.presses({"action": "tribunal.close", "case_id": case.id})
    assert "can't find it" in reply.text
    [stored] = await rows(world.database, tribunal_cases)
    assert (stored["status"], stored["reference"]) == ("open", "Case B")


async def test_a_non_staff_user_cannot_see_evaluation_answers(sqlite_world):
    world = sqlite_world
    await EvaluationResponses(world.database).save(
        forum_id="term4-2025", respondent=teams_id(2), channel="teams", phase="primary", overall=2,
        ratings={}, most_useful="Nothing at all, said person two", could_be_better=None, topics=[],
        topics_other=None, now=world.clock.now())
    staff_view = await world.staff().says("evaluation results")
    assert any("Evaluation results" in r.text for r in staff_view)
    sam = world.talk(1)

    [refused] = await sam.says("evaluation results")
    assert "only the inclusion team can see evaluation results" in refused.text
    survey = await sam.says("evaluate")
    assert survey and not any("person two" in r.text for r in survey)


async def test_a_non_staff_user_cannot_export_someone_elses_data(sqlite_world):
    world = sqlite_world
    await world.bookings.book(WEBINAR, person(2))
    # The export button carries no user: whatever is added, it shows the presser's own data.
    [reply] = await world.talk(1).presses({"action": "privacy.export", "user": teams_id(2)})
    assert "Bookings" not in reply.text and "SEND Quality Assurance webinar" not in reply.text


def _staff_actions(world) -> list[CardAction]:
    router = world.assistant.bot.router
    return [router.action(name) for name in sorted(router._actions) if router.action(name).staff_only]


async def test_every_staff_button_is_refused_to_a_non_staff_user_and_changes_nothing(sqlite_world):
    world = sqlite_world
    buttons = await _staff_cards(world)
    actions = _staff_actions(world)
    assert {a.name for a in actions} >= {"inbox.answer", "inbox.merge", "inbox.dismiss", "inbox.publish",
                                         "reminders.broadcast_send"}
    counts = await table_counts(world.database)
    cluster_id = buttons["Answer"]["cluster_id"]
    for action in actions:
        data = {"action": action.name, "cluster_id": cluster_id, "answer": "x", "category": "forum",
                "text": "x", "key": "k"}
        [reply] = await world.talk(1).presses(data)
        assert STAFF_ONLY in reply.text, action.name
    after = await table_counts(world.database)
    # Only the conversation's own bookkeeping (reference, state, activity ids, messages counted
    # against the per-user limit) changed.
    changed = {t for t, n in after.items() if n != counts[t]}
    assert changed <= {"conversation_refs", "bot_state", "processed_activities", "rate_limit_hits"}, changed


async def test_staff_features_refuse_non_staff_even_without_the_routers_gate(sqlite_world):
    """Each staff intent and button checks the sender itself: with the router's staff gate removed
    (a registration mistake), a non-staff user still changes nothing and sees nothing."""
    world = sqlite_world
    buttons = await _staff_cards(world)
    router = world.assistant.bot.router
    for action in _staff_actions(world):
        router._actions[action.name] = dataclasses.replace(action, staff_only=False)
    router._intents[:] = [dataclasses.replace(i, staff_only=False) for i in router._intents]
    before = await rows(world.database, inbox_clusters)
    sam = world.talk(1)

    for title, data in buttons.items():
        [reply] = await sam.presses(dict(data, answer="Forged", merge_into="x"))
        assert STAFF_ONLY in reply.text, title
    [reply] = await sam.presses({"action": "reminders.broadcast_send", "category": "forum", "text": "x", "key": "k"})
    assert STAFF_ONLY in reply.text
    for command, refusal in (("inbox", "only the inclusion team"),
                             ("broadcast forum hello", "only the inclusion team"),
                             ("places", "only the inclusion team can see booking numbers"),
                             ("evaluation results", "only the inclusion team can see evaluation results")):
        replies = await sam.says(command)
        assert any(refusal in r.text for r in replies), (command, [r.text for r in replies])
    assert await rows(world.database, inbox_clusters) == before
    assert await rows(world.database, reminders) == []


@pytest.mark.parametrize("staff_by", ["aad", "user id"])
async def test_staff_are_recognised_by_aad_object_id_or_teams_user_id(privacy_settings, clock, sqlite_db, staff_by):
    from bot.console import Conversation
    from bot.assistant import build_assistant
    from bot.core import build_core

    settings = privacy_settings.replace(**{"bot.staff_ids": ["aad-lead" if staff_by == "aad" else "29:lead"]})
    assistant = build_assistant(build_core(settings, clock=clock, database=sqlite_db))
    lead = Conversation(assistant.bot, user_id="29:lead", name="Lead", aad_object_id="aad-lead", channel_id="msteams")
    [reply] = await lead.says("places")
    assert "taken" in reply.text
