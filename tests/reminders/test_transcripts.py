"""Reminders in conversation: the welcome question, subscriptions, "stop reminders", the tribunal
tracker (redaction, bad dates, edit, close); plus one proactive delivery over HTTP (staff broadcasts: tests/broadcast/)."""
import asyncio
import datetime as dt

import pytest

from bot.app import ASSISTANT_KEY
from bot.console import Conversation
from bot.notify import Notice
from bot.reminders.service import ScheduledNotifier
from tests.e2e.conftest import payload, running_bot  # noqa: F401  (the e2e fixture, reused here)
from tests.reminders.conftest import STAFF, active_reminders, assert_all_reminders_off, london, reminders_of, senco
from tests.support.chat import says_and_hears, says_in_turn, texts


async def test_the_app_delivers_through_the_scheduled_notifier(assistant):
    assert isinstance(assistant.core.notifier, ScheduledNotifier)
    assert assistant.registry.jobs, "the scheduler runs as a background task of the web app"


async def test_a_new_user_is_asked_about_reminders_once_after_the_welcome(assistant):
    user = senco(assistant)
    first = await user.joins()
    assert "I'm the SENCO Forum Assistant" in first[0].text
    assert "Would you like reminders?" in first[-1].text
    again = await user.joins()
    assert "Would you like reminders?" not in texts(again)
    replies = await user.button("Yes, all reminders")
    assert "Funding: On" in replies[-1].text and "Forum: On" in replies[-1].text
    assert await active_reminders(assistant) == {"funding", "tribunal", "training", "events", "forum"}


async def test_subscriptions_by_text_and_stop_reminders(assistant):
    user = senco(assistant)
    replies = await user.says("turn on funding and tribunal reminders")
    assert "You'll get Funding and Tribunal reminders here." in replies[-1].text
    replies = await user.says("turn off funding reminders")
    assert "Funding: Off" in replies[-1].text and "Tribunal: On" in replies[-1].text
    replies = await user.says("stop reminders")
    await assert_all_reminders_off(assistant, replies[-1].text)


async def test_the_stop_button_on_an_old_reminder_works_in_the_middle_of_a_dialog(assistant):
    user = senco(assistant)
    await user.says("reminders")
    await user.button("Turn all on")
    await user.says("add a tribunal case")                       # a dialog is now waiting for a reference
    replies = await user.presses({"action": "reminders.stop"})   # a reminder card's "Stop all reminders"
    await assert_all_reminders_off(assistant, replies[-1].text)


async def test_stop_reminders_typed_inside_the_tribunal_dialog_still_works(assistant):
    user = senco(assistant)
    await user.says("turn on tribunal reminders")
    await user.says("add a tribunal case")
    replies = await user.says("stop reminders")
    assert "stopped what we were doing" in texts(replies)
    await assert_all_reminders_off(assistant, texts(replies))


async def test_tracking_a_tribunal_case_from_start_to_close(assistant, clock):
    clock.set(london(2025, 3, 3, 10))
    user = senco(assistant)
    await says_and_hears(user, "add a tribunal case", "don't type the child's name")
    # Since issue 19 the redactor itself recognises a bare full name, so the
    # reference is refused as personal information before the name heuristic.
    await says_and_hears(user, "Leo Jones", "looks like personal information, so I haven't kept it")
    replies = await says_and_hears(user, "Case A UPN A123456789012", "When was the final EHCP issued?")
    assert "removed something that looked like personal information" in texts(replies)
    await says_and_hears(user, "31/02/2025", "31 February 2025 doesn't exist")
    await says_and_hears(user, "6/2/25", "When is the tribunal hearing?")
    replies = await user.says("2 April 2025")
    summary = texts(replies)
    assert 'saved case "Case A UPN [pupil-id]"' in summary
    assert "turned tribunal reminders on" in summary
    assert "Hearing bundle should arrive: Around Wednesday 5 March 2025" in summary
    assert "Parents' 8-week window to register an appeal closes: Thursday 3 April 2025" in summary

    reminders = reminders_of(assistant)
    (case,) = await reminders.tribunal.cases("29:senco-1")
    assert case.case.reference == "Case A UPN [pupil-id]"          # the pupil number was never stored
    pending = await reminders.outbox.find(source=f"tribunal-case:{case.case.id}", status="pending")
    assert len(pending) == 7

    listing = await user.says("my tribunal dates")
    assert "Pre-hearing preparation meeting: Around Wednesday 26 March 2025" in listing[-1].text

    replies = await user.button("Change dates for Case A UPN [pupil-id]")
    assert "At the moment: Thursday 6 February 2025" in replies[-1].text
    await user.says("keep")
    replies = await user.says("9 April 2025")
    assert "updated case" in texts(replies)
    assert "Tribunal hearing: Wednesday 9 April 2025" in texts(replies)
    statuses = {m.idempotency_key.split(":", 2)[2]: m.status
                for m in await reminders.outbox.find(source=f"tribunal-case:{case.case.id}")}
    assert statuses["hearing:2025-04-02:1d"] == "cancelled" and statuses["hearing:2025-04-09:1d"] == "pending"
    assert statuses["appeal-window-closes:2025-04-03:1d"] == "pending"   # unchanged dates keep their reminders

    replies = await user.button("Close Case A UPN [pupil-id]")
    assert "closed case" in replies[-1].text
    assert not await reminders.outbox.find(source=f"tribunal-case:{case.case.id}", status="pending")
    listing = await user.says("my tribunal dates")
    assert "not tracking any tribunal cases" in listing[-1].text


async def test_a_case_needs_at_least_one_date(assistant, clock):
    clock.set(london(2025, 3, 3, 10))
    user = senco(assistant)
    replies = await says_in_turn(user, "track a tribunal", "Case B", "skip", "skip")
    assert "I need at least one date" in replies[-1].text
    replies = await user.says("tomorrow")
    assert 'saved case "Case B"' in texts(replies)


async def test_another_user_cannot_close_my_case(assistant, clock):
    clock.set(london(2025, 3, 3, 10))
    reminders = reminders_of(assistant)
    summary = await reminders.tribunal.add("29:senco-1", "Case A", final_ehcp_issued=None,
                                           hearing_on=dt.date(2025, 5, 1))
    other = senco(assistant, user_id="29:someone-else", aad="aad-2")
    replies = await other.presses({"action": "tribunal.close", "case_id": summary.case.id})
    assert "can't find it" in replies[-1].text
    assert (await reminders.tribunal.cases("29:senco-1"))[0].case.status == "open"


async def test_deadlines_are_listed_and_past_ones_say_so(assistant):
    replies = await senco(assistant).says("deadlines")   # the default clock is in November 2026
    assert "All of the dates the forum announced have passed" in replies[-1].text
    assert "August 2026: EHCP top-ups above £6k and notional top funding end (passed)" in replies[-1].text
    assert "31 August 2026" not in replies[-1].text      # the deck gives the month only


@pytest.fixture
def settings(settings):
    # The scheduler polls quickly so the end-to-end test sees a delivery within a second.
    return settings.replace(**{"reminders.poll_seconds": 0.2})


async def rounds_until(clock, connector, count: int, rounds: int = 500) -> list[dict]:
    """Moves the scheduler on, one poll interval of the fake clock at a time, until ``count`` replies arrived."""
    for _ in range(rounds):
        if len(connector.activities()) >= count:
            break
        clock.advance(dt.timedelta(seconds=1))
        await asyncio.sleep(0.005)
    return await connector.wait_for(count, timeout=1)


async def test_a_notice_is_delivered_proactively_by_the_running_app(running_bot, clock):  # noqa: F811
    status, _ = await running_bot.say("hello")
    assert status in (200, 201)
    before = len(await running_bot.connector.wait_for(1))
    services = running_bot.app[ASSISTANT_KEY].core
    user_id = payload("teams_message")["from"]["id"]
    await services.notifier.notify(Notice(user_id=user_id, text="Your question has been answered",
                                          idempotency_key="e2e-1", kind="inbox.answer"))
    activities = await rounds_until(clock, running_bot.connector, before + 1)
    assert activities[-1]["text"] == "Your question has been answered"
    assert activities[-1]["conversation"]["id"] == payload("teams_message")["conversation"]["id"]
    for _ in range(3):                        # later rounds find nothing left to send
        clock.advance(dt.timedelta(seconds=1))
        await running_bot.connector.wait_for(before + 1, timeout=1)
    assert len(running_bot.connector.activities()) == before + 1   # and only once
