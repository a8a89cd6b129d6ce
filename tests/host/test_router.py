"""Routing by score, with interrupting commands that work inside any dialog."""
from bot.router import Intent, Router


async def _noop(*args):
    return None


def test_best_intent_needs_the_threshold_and_respects_staff_only():
    router = Router()
    router.add_intent(Intent("book", _noop, examples=("book an induction meeting",)))
    router.add_intent(Intent("inbox", _noop, patterns=(r"^inbox$",), staff_only=True))
    assert router.best("book an induction meeting please", is_staff=False).name == "book"
    assert router.best("what is the NPQ for SENCOs?", is_staff=False) is None
    assert router.best("inbox", is_staff=False) is None
    assert router.best("inbox", is_staff=True).name == "inbox"


def test_only_interrupting_intents_claimed_by_a_pattern_interrupt():
    router = Router()
    router.add_intent(Intent("stop", _noop, patterns=(r"^stop reminders$",), interrupts=True))
    router.add_intent(Intent("book", _noop, patterns=(r"^book$",)))
    assert router.interrupting("stop reminders", is_staff=False).name == "stop"
    assert router.interrupting("book", is_staff=False) is None
    assert router.interrupting("please stop the reminders eventually", is_staff=False) is None


def test_a_dialog_that_gives_way_to_commands_lets_other_claimed_intents_through_but_keeps_its_own():
    router = Router()
    router.add_intent(Intent("book", _noop, patterns=(r"^book\b",)))
    router.add_intent(Intent("mine", _noop, patterns=(r"\bmy bookings\b",)))
    router.add_intent(Intent("places", _noop, patterns=(r"^places$",), staff_only=True))
    router.leave_on_commands("booking", own=("book",))
    assert router.interrupting("my bookings", is_staff=False, dialog_id="booking").name == "mine"
    assert router.interrupting("book the webinar", is_staff=False, dialog_id="booking") is None
    assert router.interrupting("places", is_staff=False, dialog_id="booking") is None
    assert router.interrupting("places", is_staff=True, dialog_id="booking").name == "places"
    # Other dialogs (a staff member typing an answer) read the same words as their answer.
    assert router.interrupting("my bookings", is_staff=False, dialog_id="inbox.answer") is None
    assert router.interrupting("my bookings", is_staff=False) is None
