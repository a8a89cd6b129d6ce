"""The user trial of 5 December 2026, replayed: staff added a January 2027 forum, a QA webinar on Tuesday
9 March 2027, an NPQ deadline on Friday 12 February 2027 and a one-place North induction on 13 January 2027
to a store seeded from the deck's YAML. Each assistant is a fresh app process on that database (nothing
asked before the message under test), at a fixed instant: Saturday 5 December 2026, 10:30 (GMT), or
Thursday 15 July 2027, 09:30 (BST)."""
from __future__ import annotations

import json
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.bookings.service import Person
from bot.clock import FixedClock
from bot.content.store import ContentStore
from bot.faq.service import is_yes_no_question
from integrations.db.content import ContentRepository
from integrations.db.reminders import Announcements
from tests.content.conftest import SENCOBOT, cli_env
from tests.support.chat import assistant_for, teams_user, texts

pytestmark = pytest.mark.timeout(300)

ROOT = Path(__file__).resolve().parents[2]
DECEMBER = datetime(2026, 12, 5, 10, 30, tzinfo=timezone.utc)      # 10:30 in London (GMT)
JULY_BST = datetime(2027, 7, 15, 8, 30, tzinfo=timezone.utc)       # 09:30 in London (BST)

FORUM = {"id": "term3-2027", "title": "Countywide SENCO Forum, Term 3 2027",
         "display": "Countywide SENCO Forum, January 2027", "status": "scheduled",
         "sessions": [{"phase": "secondary", "date": "2027-01-20", "start": None, "end": None},
                      {"phase": "primary", "date": "2027-01-21", "start": None, "end": None}],
         "agenda": [], "presenters": [], "evaluation": None, "contact": None, "source": None}
WEBINAR = {"id": "webinar-2027-03-09", "kind": "webinar", "title": "SEND Quality Assurance webinar",
           "description": "QA webinar", "start": "2027-03-09T16:00", "end": "2027-03-09T17:00", "end_assumed": True,
           "venue": None, "join_url": "https://teams.microsoft.com/l/meetup-join/trial", "area": None,
           "capacity": 60, "booking_opens": "2026-12-01T09:00", "booking_closes": "2027-03-08T17:00",
           "status": "scheduled"}
NPQ = {"id": "npq-senco-applications-close-2027", "category": "training",
       "title": "NPQ for SENCOs spring applications close", "on": "2027-02-12",
       "detail": "Apply via the Best Practice Network.", "source": {"session": "NPQ for SENCOs", "presenter": None}}
INDUCTION = {"id": "induction-north-2027-01-13", "kind": "induction", "title": "Community Induction Meeting – North",
             "description": "Induction", "start": "2027-01-13T09:00", "end": "2027-01-13T12:00", "end_assumed": False,
             "venue": "Inn on the Lake, Shorne", "join_url": None, "area": "North", "capacity": 1,
             "booking_opens": "2026-12-01T09:00", "booking_closes": "2027-01-12T17:00", "status": "scheduled"}


@pytest.fixture
async def trial_db(sqlite_db):
    """The trial's database: the deck's YAML imported into the store, then the four staff items."""
    store = ContentStore(ContentRepository(sqlite_db), FixedClock(DECEMBER))
    await store.import_directory(ROOT / "knowledge" / "data", by="tester", why="seed")
    for kind, doc in (("forum", FORUM), ("event", WEBINAR), ("deadline", NPQ), ("event", INDUCTION)):
        await store.add(kind, doc, by="tester", why="trial")
    return sqlite_db


@pytest.fixture
def fresh(settings, trial_db):
    """A new app process on the trial database at ``now``, and a SENCO talking to it."""
    def make(now=DECEMBER, user_id="29:trial"):
        assistant = assistant_for(settings, FixedClock(now), trial_db)
        return assistant, teams_user(assistant, user_id, aad_object_id=f"aad-{user_id}")
    return make


async def said(user, text) -> str:
    return texts(await user.says(text))


# -- 1: a question about the course is not the course's deadline -----------------------------------------


async def test_how_long_is_the_npq_course_is_the_course_not_its_deadline(fresh):
    _, user = fresh()
    # Whether the FAQ engine answers this wording is the answerer's business; it is not the deadline.
    course = await said(user, "how long is the npq course")
    assert "12 February 2027" not in course and "applications close" not in course
    # Asking when it closes is still answered from the catalogue.
    assert "Friday 12 February 2027" in await said(user, "when do npq apps close")


# -- 2 and 9: the newest item of the same kind first, "What the forum said:" once ------------------------


@pytest.mark.parametrize("question", ["what dates are the qa webinars", "what does the qa webinar cover"])
async def test_faq_answer_with_a_passed_webinar_date_names_the_open_one_first(fresh, question):
    _, user = fresh()
    answer = await said(user, question)
    assert answer.startswith("Newer: the SEND Quality Assurance webinar, Tuesday 9 March 2027, 16:00, "
                             "open for booking.")
    assert "Tuesday 6 May 2025; it has passed." in answer
    assert answer.count("What the forum said:") == 1


async def test_term_5_forum_answer_names_the_next_forum_then_what_the_forum_said_once(fresh):
    _, user = fresh()
    answer = await said(user, "when is the term 5 forum")
    assert answer.startswith("Newer: the next forum is the Countywide SENCO Forum, Term 3 2027, "
                             "Wednesday 20 January 2027 (secondary); Thursday 21 January 2027 (primary). "
                             "The Term 5 Countywide SENCO Forum was Wednesday 21 May 2025; it has passed. "
                             "What the forum said: The next (Term 5)")
    assert answer.count("What the forum said:") == 1


async def test_in_summer_2027_the_npq_answer_says_the_latest_deadline_has_passed_too(fresh):
    _, user = fresh(JULY_BST)
    answer = await said(user, "when do npq apps close")
    assert answer.startswith("The latest in my list was NPQ for SENCOs spring applications close, "
                             "Friday 12 February 2027; it has passed.")
    assert "Sunday 6 April 2025; it has passed." in answer
    assert answer.count("What the forum said:") == 1


# -- 5: a command as the first message sees the store ---------------------------------------------------


async def test_book_as_the_first_message_lists_the_open_events(fresh):
    _, user = fresh()
    listed = await said(user, "book")
    assert "Community Induction Meeting – North" in listed and "SEND Quality Assurance webinar" in listed
    assert "nothing open" not in listed.lower()


async def test_my_bookings_as_the_first_message_shows_the_date_and_venue(fresh):
    booker, _ = fresh()
    await booker.features.content.poll()
    done = await booker.features.bookings.book(
        INDUCTION["id"], Person("29:trial", "Sam Senco", "Oakwood Primary", "sam@oakwood.kent.sch.uk"))
    assert done.outcome == "confirmed"
    _, user = fresh()                                   # another process, nothing asked yet
    mine = await said(user, "my bookings")
    assert "Wednesday 13 January 2027" in mine and "Inn on the Lake, Shorne" in mine
    assert "induction-north-2027-01-13" not in mine


async def test_deadlines_as_the_first_message_lists_the_forum_events_and_deadline_in_date_order(fresh):
    _, user = fresh()
    card = await said(user, "deadlines")
    assert "Coming up" in card
    order = ["Wednesday 13 January 2027: Community Induction Meeting – North",
             "Wednesday 20 January 2027 to Thursday 21 January 2027: Countywide SENCO Forum, Term 3 2027",
             "Friday 12 February 2027: NPQ for SENCOs spring applications close",
             "Tuesday 9 March 2027: SEND Quality Assurance webinar"]
    positions = [card.find(line) for line in order]
    assert -1 not in positions and positions == sorted(positions), card


async def test_the_content_poll_runs_before_the_app_takes_requests(fresh):
    assistant, _ = fresh()
    content = assistant.features.content
    job = next(j for j in assistant.registry.jobs if getattr(j, "background_name", None) == "content store poll")
    started = job(None)
    await started.__anext__()                           # start-up: what runs before the first request
    try:
        assert content.cache.active
        assert any(e.id == WEBINAR["id"] for e in assistant.features.bookings.events())
    finally:
        with pytest.raises(StopAsyncIteration):
            await started.__anext__()


async def test_the_reminder_schedulers_first_sync_plans_from_the_store_not_the_yaml(fresh):
    first, _ = fresh()
    await first.features.content.poll()                 # a process that has been running a while
    await first.features.reminders.deadlines.sync()
    key = "deadline:npq-senco-applications-close-2027:2027-02-12:7d"
    announcements = Announcements(first.core.database)
    assert (await announcements.get_by_key(key)).status == "pending"
    # A restarted process whose scheduler runs before anything has read the store keeps that reminder.
    restarted, _ = fresh()
    await restarted.features.reminders.deadlines.sync()
    assert (await announcements.get_by_key(key)).status == "pending"
    assert (await announcements.get_by_key("deadline:webinar-2027-03-09:2027-03-09:7d")).status == "pending"


# -- 11: events reminders know the open events ----------------------------------------------------------


async def test_turning_on_events_reminders_names_the_next_event(fresh):
    _, user = fresh()
    reply = await said(user, "turn on events reminders")
    assert "Nothing upcoming for Events" not in reply
    assert "Next Events reminder:" in reply and "Community Induction Meeting – North" in reply


# -- 13: month-only dates, and no "Yes." for a question that is not yes or no ---------------------------


async def test_month_only_ehcp_top_up_date_has_no_invented_day(fresh):
    _, user = fresh()
    answer = await said(user, "what happens to top-up for children with an EHCP above £6k")
    assert "was August 2026; it has passed." in answer
    assert "31 August 2026" not in answer


async def test_an_open_question_gets_no_yes_and_a_yes_no_question_keeps_it(fresh):
    _, user = fresh()
    assert (await said(user, "how much does the npq cost")).startswith("The NPQ for SENCOs is fully funded by the DfE.")
    assert (await said(user, "is the npq free?")).startswith("Yes. The NPQ for SENCOs is fully funded by the DfE.")


def test_yes_no_questions():
    for question in ("is the npq free?", "Does the NPQ cost anything", "npq free?", "hi, can I still apply",
                     "I wonder if the npq is funded"):
        assert is_yes_no_question(question), question
    for question in ("how much does the npq cost", "npq funding", "what does the npq cost?", "who pays for the npq?"):
        assert not is_yes_no_question(question), question


# -- 3: `sencobot ask` answers as the chat does, in the same JSON lines --------------------------------------


def test_sencobot_ask_answers_from_the_store_with_the_same_json_lines(trial_db):
    env = cli_env(trial_db.url, SENCOBOT_NOW="2026-12-05T10:30")
    done = subprocess.run(SENCOBOT + ["ask", "--jsonl"], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=240, input="when is the next forum\nhow long does the npq take\n")
    assert done.returncode == 0, done.stderr
    forum, course = [json.loads(line) for line in done.stdout.splitlines()]
    keys = ["question", "outcome", "answer", "faq_id", "confidence", "source", "suggestions"]
    assert list(forum) == keys and list(course) == keys
    assert forum["outcome"] == "answer" and "Countywide SENCO Forum, Term 3 2027" in forum["answer"]
    assert "Wednesday 20 January 2027" in forum["answer"]
    assert course["faq_id"] == "npq-duration" and course["source"].startswith("Countywide SENCO Forum, March 2025")
