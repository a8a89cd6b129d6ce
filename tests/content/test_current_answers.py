"""End to end at Monday 1 March 2027: staff change the catalogues with the CLI (separate processes), and
two app processes on the same PostgreSQL database answer dated questions from them.

Process A is this test's assistant (the handler that serves Teams, on its own FixedClock); process B is
`sencobot chat` (a second app process reading questions on stdin); every staff change is a
`sencobot …` process of its own.
"""
from __future__ import annotations

import time

import pytest

from bot.clock import FixedClock
from bot.assistant import build_assistant
from bot.bookings.service import Person
from bot.core import build_core
from integrations.db.reminders import Announcements
from tests.content.conftest import NOW_2027, sencobot
from tests.support.chat import teams_user

pytestmark = pytest.mark.timeout(300)

WEBINAR = "webinar-2027-03-10"
INDUCTION = "induction-east-2027-04-16"
JOIN = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_term3%40thread.v2/0"


def staff_add_2027_content(url: str) -> None:
    sencobot(url, "forums", "add", "term3-2027", "--title", "Countywide SENCO Forum, Term 3 2027",
             "--display", "Countywide SENCO Forum, March 2027", "--session", "secondary:2027-03-17:09:30-12:30",
             "--session", "primary:2027-03-18", "--item", "Welcome|Ruth Gately", "--item",
             "Tribunal update|Georgette Williams", "--venue", "Oakwood House, Maidstone",
             "--booking-url", "https://example.org/forum-booking", "--by", "Clara Green", "--why", "dates agreed")
    sencobot(url, "events", "add", "--kind", "webinar", "--title", "SEND Quality Assurance webinar",
             "--description", "Annual reviews and the revised EHCP template.", "--start", "2027-03-10T16:00",
             "--end", "2027-03-10T17:00", "--join-url", JOIN, "--capacity", "50")
    sencobot(url, "events", "add", "--kind", "induction", "--area", "East",
             "--title", "Community Induction Meeting – East", "--description", "For new SENCOs.",
             "--start", "2027-04-16T13:00", "--end", "2027-04-16T16:00",
             "--venue", "University of Kent, Canterbury", "--capacity", "40")
    sencobot(url, "deadlines", "add", "--id", "continuum-refresh-2027", "--category", "funding",
             "--title", "Continuum of Need refresh published", "--on", "2027-05-01", "--month",
             "--detail", "The refreshed Continuum is published in May.", "--session", "Continuum of Need")
    sencobot(url, "deadlines", "add", "--id", "npq-applications-2027", "--category", "training",
             "--title", "NPQ for SENCOs applications close", "--on", "2027-04-04",
             "--detail", "Apply through the Best Practice Network.", "--session", "NPQ for SENCOs")


@pytest.fixture
def process_a(settings, pg_db, pg_url):
    """Builds the assistant on demand (after the CLI has seeded the store), on the shared database; returns it
    and the first SENCO talking to it."""
    built = {}

    def make():
        if not built:
            core = build_core(settings.replace(**{"database.url": pg_url}), clock=FixedClock(NOW_2027),
                              database=pg_db)
            built["assistant"] = build_assistant(core)
        return built["assistant"], senco(built["assistant"])

    return make


def senco(assistant, n=1):
    return teams_user(assistant, f"29:u{n}", aad_object_id=f"aad-{n}")


async def ask(user, text) -> str:
    return "\n".join(r.text for r in await user.says(text))


async def test_staff_changes_through_the_cli_are_answered_by_both_app_processes(pg_url, process_a):
    sencobot(pg_url, "kb", "import", "--by", "ops", "--why", "seed")
    staff_add_2027_content(pg_url)
    assistant, user = process_a()

    forum = await ask(user, "When is the next forum?")
    assert "Countywide SENCO Forum, Term 3 2027" in forum
    assert "Wednesday 17 March 2027, 09:30 to 12:30 (secondary); Thursday 18 March 2027 (primary)" in forum
    assert "Oakwood House, Maidstone" in forum
    assert "Tribunal update (Georgette Williams)" in forum
    assert "Book a place: https://example.org/forum-booking" in forum
    inbox = assistant.features.inbox.service
    logged = [q for q in await inbox.export.list_queries(include_all=True) if q.text == "When is the next forum?"]
    assert [(q.outcome, q.needs_answer) for q in logged] == [("answer", False)]

    deadlines = await ask(user, "what deadlines are coming up?")
    assert deadlines.index("NPQ for SENCOs applications close") < deadlines.index("Continuum of Need refresh")
    assert "When: Sunday 4 April 2027" in deadlines
    assert "When: May 2027" in deadlines                      # month-only, as given
    assert "2025" not in deadlines

    bookable = await ask(user, "what can I book?")
    assert bookable.index("SEND Quality Assurance webinar") < bookable.index("Community Induction Meeting – East")
    assert "Places left: 50" in bookable and "Places left: 40" in bookable
    assert "Wednesday 10 March 2027, 16:00 to 17:00" in bookable

    booked = await assistant.features.bookings.book(WEBINAR, Person("29:u1", "Sam Senco", "Oakwood Primary",
                                                                    "sam@oakwood.kent.sch.uk"))
    assert booked.outcome == "confirmed"
    link = await ask(user, "what's the joining link for my webinar?")
    assert "Your booking:" in link and f"Joining link: {JOIN}" in link
    assert await ask(senco(assistant, 2), "what's the joining link for my webinar?") != link

    # Process B: another app process on the same database sees the same catalogues and the booking.
    chat = sencobot(pg_url, "chat", stdin="when's the next senco forum\nwhat can I book?\n").stdout
    assert "Wednesday 17 March 2027" in chat
    assert "Places left: 49" in chat

    # A change made through another process is answered here within 5 s (no restart, no sleep).
    sencobot(pg_url, "events", "edit", WEBINAR, "--capacity", "80", "--why", "bigger licence")
    changed_at = time.perf_counter()
    assert "Places left: 79" in await ask(user, "any webinars I can book?")
    assert time.perf_counter() - changed_at < 5

    # History names who, when and why; reverting the edit puts the old capacity back everywhere.
    history = sencobot(pg_url, "kb", "history", "--kind", "event", "--id", WEBINAR).stdout.splitlines()
    assert "edit" in history[0] and "bigger licence" in history[0] and "Monday 1 March 2027, 09:00" in history[0]
    assert "add" in history[1]
    change = history[0].split()[0]
    sencobot(pg_url, "kb", "revert", change, "--by", "Clara Green", "--why", "licence not renewed")
    assert "Places left: 49" in await ask(user, "what can I book?")
    assert "Places left: 49" in sencobot(pg_url, "chat", stdin="what can I book?\n").stdout
    assert "revert" in sencobot(pg_url, "kb", "history", "--limit", "1").stdout


async def test_only_past_items_gives_a_plain_nothing_upcoming_with_what_happened_last(pg_url, process_a):
    sencobot(pg_url, "kb", "import")            # the deck's March 2025 catalogues only
    assistant, user = process_a()
    forum = await ask(user, "when is the next forum?")
    assert "I don't have a date for the next Countywide SENCO Forum yet." in forum
    assert "The last one was the Countywide SENCO Forum, Term 5 2025, Wednesday 21 May 2025 and Thursday 22 May 2025." in forum
    assert "Tell me when new dates are added" in forum
    deadlines = await ask(user, "what deadlines are coming up?")
    assert "There are no upcoming deadlines in my list." in deadlines
    assert "August 2026" in deadlines and "31 August 2026" not in deadlines     # the deck: "August '26"
    bookable = await ask(user, "what can I book?")
    assert "There's nothing open for booking at the moment." in bookable
    assert "Tuesday 6 May 2025" in bookable

    # The offer to be told: pressing it subscribes to forum news; staff adding a forum tells the subscriber.
    await ask(user, "when is the next forum?")
    await user.button("Tell me when new dates are added")
    added = sencobot(pg_url, "forums", "add", "term3-2027", "--title", "Countywide SENCO Forum, Term 3 2027",
                     "--display", "Countywide SENCO Forum, March 2027", "--session", "any:2027-03-17").stdout
    assert "1 forum subscriber(s) will be told it was added" in added
    told = await Announcements(assistant.core.database).get_by_key("broadcast:content.added.forum.term3-2027")
    assert "New forum date: the Countywide SENCO Forum, Term 3 2027, Wednesday 17 March 2027." in told.text
    assert "Wednesday 17 March 2027" in await ask(user, "when is the next forum?")
