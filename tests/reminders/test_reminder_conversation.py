"""Reminder conversations the user trial found wrong: subscribing said nothing about when, editing a case
turned stopped reminders back on, and a question in the tribunal dialog was read as a bad date."""
from __future__ import annotations

import re

from tests.reminders.conftest import active_reminders, london, reminders_of, senco
from tests.support.chat import says_and_hears, says_in_turn, texts


async def test_subscribing_says_when_the_next_reminder_is_due(assistant, clock):
    clock.set(london(2025, 3, 3, 10))
    user = senco(assistant)
    replies = await user.says("turn on funding reminders")
    said = texts(replies)
    assert "You'll get Funding reminders here." in said
    due = reminders_of(assistant).deadlines.next_due("funding")
    assert due is not None
    assert re.search(r"Next Funding reminder: \w+day \d+ \w+ 2025, \d\d:\d\d, about ", said), said
    assert due[1].title in said


async def test_subscribing_when_the_catalogue_has_nothing_upcoming_says_so(assistant, clock):
    clock.set(london(2030, 1, 6, 10))  # every date in the catalogue has passed
    user = senco(assistant)
    replies = await user.says("turn on training reminders")
    assert "Nothing upcoming for Training is in the catalogue yet" in texts(replies)
    assert "Next Training reminder" not in texts(replies)


async def test_editing_a_tribunal_case_never_turns_stopped_reminders_back_on(assistant, clock):
    clock.set(london(2025, 3, 3, 10))
    user = senco(assistant)
    replies = await says_in_turn(user, "add a tribunal case", "Case C", "6/2/25", "2 April 2025")
    assert "turned tribunal reminders on" in texts(replies)
    await user.says("stop reminders")
    assert "tribunal" not in await active_reminders(assistant)

    await user.button("Change dates for Case C")
    await user.says("keep")
    replies = await user.says("9 April 2025")
    assert "updated case" in texts(replies)
    assert "turned tribunal reminders on" not in texts(replies)
    assert "tribunal" not in await active_reminders(assistant)


async def test_a_question_in_the_tribunal_dialog_is_answered_not_read_as_a_date(assistant, clock):
    clock.set(london(2025, 3, 3, 10))
    user = senco(assistant)
    await user.says("add a tribunal case")
    await says_and_hears(user, "Case D", "When was the final EHCP issued?")
    replies = await user.says("what is the bundle?")
    said = texts(replies)
    assert "doesn't look like a date" not in said.lower() and "couldn't read" not in said.lower()
    assert "Back to your tribunal case" in said
    assert "When was the final EHCP issued?" in replies[-1].text
    await says_and_hears(user, "6/2/25", "When is the tribunal hearing?")


async def test_a_command_typed_in_the_tribunal_dialog_runs_and_its_own_words_stay_with_it(assistant, clock):
    clock.set(london(2025, 3, 3, 10))
    user = senco(assistant)
    await user.says("add a tribunal case")
    await user.says("Case E")
    replies = await user.says("my bookings")
    said = texts(replies)
    assert "I've stopped what we were doing" in said and "You have no upcoming bookings" in said, said
    assert "doesn't look like a date" not in said.lower()
