"""Logs at INFO and above carry no message text and no personal data, through a whole day's use:
a question naming a child, a booking, a tribunal case, an evaluation, staff answering from the inbox,
the reminder scheduler delivering the answer, and the person erasing their data."""
from __future__ import annotations

import logging

from bot.evaluations.messages import SUBMIT_ACTION
from tests.reminders.conftest import RecordingSender

PERSONAL = (
    # who
    "Sam Senco", "29:user-1", "aad-1", "sam.senco@joylane.kent.sch.uk", "joylane", "Joy Lane",
    # what they typed
    "Tyler", "Brooks", "quantum", "Oak class", "Y6 appeal", "wonderful", "07700 900123",
    # what staff typed back
    "Yes, if the panel agrees", "03000 410816",
)


def _logged(caplog) -> str:
    lines = []
    for record in caplog.records:
        if record.levelno >= logging.INFO:
            lines.append(record.getMessage())
            if record.exc_text:
                lines.append(record.exc_text)
    return "\n".join(lines)


async def test_a_full_conversation_logs_nothing_personal_at_info(sqlite_world, caplog):
    world = sqlite_world
    caplog.set_level(logging.INFO)
    sam = world.talk(1)
    sam.user.name = "Sam Senco"

    await sam.says("Can my pupil Tyler Brooks in Oak class get quantum support? Ring 07700 900123")
    await sam.says("book the webinar on 6 May")
    await sam.says("Joy Lane Primary School")
    await sam.says("sam.senco@joylane.kent.sch.uk")
    confirmed = await sam.button("Confirm booking")
    assert any("You're booked" in r.text for r in confirmed)
    await sam.says("add a tribunal case")
    await sam.says("Y6 appeal Oak class")
    await sam.says("1 March 2025")
    saved = await sam.says("10 July 2025")
    assert any("saved case" in r.text for r in saved)
    thanks = await sam.presses({"action": SUBMIT_ACTION, "forum_id": "term4-2025", "overall": "4",
                                "most_useful": "The wonderful talk about Tyler Brooks"})
    assert any("evaluation of the" in r.text for r in thanks)

    staff = world.staff()
    cards = await staff.says("inbox")
    answer = next(data for r in cards for title, data in r.choices if title == "Answer")
    done = await staff.presses(dict(answer, answer="Yes, if the panel agrees. Ask Clara Green on 03000 410816."))
    assert any("that's answered" in r.text for r in done)
    sender = RecordingSender()
    await world.reminders.worker(sender).run_once()
    assert sender.to("29:user-1"), "the answer was delivered"

    await sam.says("delete my data")
    await sam.button("Yes, delete my data")

    logged = _logged(caplog)
    assert logged, "the flow logs something (so the check below can fail)"
    for fragment in PERSONAL:
        assert fragment.lower() not in logged.lower(), f"{fragment!r} appears in the logs:\n{logged}"
