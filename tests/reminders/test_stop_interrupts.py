"""'stop reminders' always works, even in the middle of a booking."""
from datetime import datetime, timezone

from bot.clock import FixedClock
from tests.support.chat import assistant_for, teams_user


async def test_stop_reminders_interrupts_a_booking_in_progress(settings, sqlite_db):
    clock = FixedClock(datetime(2025, 4, 1, 9, 0, tzinfo=timezone.utc))  # the induction meetings are open
    user = teams_user(assistant_for(settings, clock, sqlite_db), "29:u-stop")
    await user.says("book an induction meeting")
    replies = await user.says("stop reminders")
    assert any("reminder" in reply.text.lower() for reply in replies), [r.text for r in replies]
    followup = await user.says("2")
    assert not any("booked" in reply.text.lower() for reply in followup), "the booking dialog should have ended"
