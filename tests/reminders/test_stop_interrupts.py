"""'stop reminders' always works, even in the middle of a booking."""
from datetime import datetime, timezone

from bot.clock import FixedClock
from bot.console import Conversation
from bot.assistant import build_assistant
from bot.core import build_core


async def test_stop_reminders_interrupts_a_booking_in_progress(settings, sqlite_db):
    clock = FixedClock(datetime(2025, 4, 1, 9, 0, tzinfo=timezone.utc))  # the induction meetings are open
    services = build_core(settings, clock=clock, database=sqlite_db)
    assistant = build_assistant(services)
    user = Conversation(assistant.bot, user_id="29:u-stop", name="Sam Senco", channel_id="msteams")
    await user.says("book an induction meeting")
    replies = await user.says("stop reminders")
    assert any("reminder" in reply.text.lower() for reply in replies), [r.text for r in replies]
    followup = await user.says("2")
    assert not any("booked" in reply.text.lower() for reply in followup), "the booking dialog should have ended"
