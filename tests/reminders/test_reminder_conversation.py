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


async def test_the_start_command_typed_at_the_label_prompt_is_not_taken_as_the_label(assistant, clock):
    """Trial point 6: "add a tribunal case" typed where the case's label was asked for became the label."""
    clock.set(london(2026, 12, 5, 10, 5))
    user = senco(assistant)
    await user.says("add a tribunal case")
    said = texts(await user.says("add a tribunal case"))
    assert "We're already adding a tribunal case" in said, said
    assert "I've saved" not in said
    await says_in_turn(user, "Case G", "skip")
    said = texts(await user.says("wednesday 3 march 2027"))
    assert 'I\'ve saved case "Case G"' in said, said


async def test_a_weekday_that_disagrees_with_the_hearing_date_is_pointed_out_and_asked_again(assistant, clock):
    """Trial point 7: "monday 3 march 2027" was saved as Wednesday 3 March 2027 without a word."""
    clock.set(london(2026, 12, 5, 10, 30))
    user = senco(assistant)
    await user.says("add a tribunal case")
    await says_in_turn(user, "Case F", "skip")
    replies = await user.says("monday 3 march 2027")
    said = texts(replies)
    assert "3 March 2027 is a Wednesday, not a Monday" in said, said
    assert "I've saved" not in said and "type it again" in said
    replies = await user.says("wednesday 3 march 2027")
    assert "I've saved case \"Case F\"" in texts(replies)
    assert "Wednesday 3 March 2027" in texts(replies)


async def test_a_tribunal_step_that_fails_ends_the_dialog_instead_of_trapping_the_user(assistant, clock, monkeypatch):
    """The host's guard (trial point 4) holds for every dialog: a failed step ends it and says so."""
    clock.set(london(2025, 3, 3, 10))
    user = senco(assistant)
    await user.says("add a tribunal case")
    await says_in_turn(user, "Case G", "6/2/25")

    async def broken(*args, **kwargs):
        raise RuntimeError("the case store fell over")

    monkeypatch.setattr(reminders_of(assistant).tribunal, "add", broken)
    said = texts(await user.says("4 June 2025"))
    assert "something went wrong" in said and "I've stopped what we were doing" in said, said
    monkeypatch.undo()
    # Read afresh, not as the hearing date of a dialog that failed.
    said = texts(await user.says("5 June 2025"))
    assert "I've saved" not in said and "something went wrong" not in said, said
    said = texts(await user.says("my tribunal dates"))
    assert "Case G" not in said, said
