"""Staff correct live content in Teams (end to end over HTTP) and from the CLI: an FAQ entry, an event, a
deadline and a forum. Every correction goes through the shared content store with who, when and why, is
answered at once, and can be reverted; a press by someone who is not staff changes nothing."""
from __future__ import annotations

import json

import pytest

from bot.app import create_app
from bot.content.store import ContentStore
from integrations.db.content import ContentRepository
from tests.content.conftest import sencobot
from tests.e2e.conftest import serve_bot
from tests.support.teams import as_staff, button, cards, inputs, staff_says, text_of


@pytest.fixture
async def bot(settings, clock, sqlite_db):
    app = create_app(as_staff(settings), clock=clock, database=sqlite_db, run_background=False)
    async with serve_bot(app) as running:
        yield running


class Replies:
    def __init__(self, bot):
        self.bot = bot
        self.seen = 0

    async def next(self) -> dict:
        self.seen += 1
        return (await self.bot.connector.wait_for(self.seen))[-1]


async def test_staff_correct_an_faq_entry_event_deadline_and_forum_in_teams(bot, sqlite_db, clock):
    replies = Replies(bot)
    store = ContentStore(ContentRepository(sqlite_db), clock)

    # FAQ entry: found by words of its question, corrected in the card, answered at once.
    await staff_says(bot, "correct faq what is the npq for sencos")
    card = cards(await replies.next())[0]
    shown = inputs(card)
    assert "Empowering SENCO Leadership" in shown["f_answer"] and shown["why"] == ""
    save = button(card, "Save correction")
    await staff_says(bot, value={**save, **shown, "f_answer": "The NPQ for SENCOs is an 18-month qualification."})
    assert "Say why" in (await replies.next())["text"]          # a reason is required; nothing changed
    await staff_says(bot, value={**save, **shown, "why": "the old answer quoted a closed deadline",
                                 "f_answer": "The NPQ for SENCOs is an 18-month qualification."})
    assert "Corrected faq entry npq-what-is (answer)" in (await replies.next())["text"]
    status, _ = await bot.say("What is the NPQ for SENCOs?")        # a SENCO, not staff
    assert status in (200, 201)
    assert "an 18-month qualification" in text_of(await replies.next())
    change, seeded = await store.history(kind="faq", key="npq-what-is")
    assert seeded.action == "import"            # the empty store was seeded from YAML before the first change
    assert (change.action, change.changed_by, change.changed_at, change.why) == (
        "edit", "Clara Green", clock.now(), "the old answer quoted a closed deadline")

    # The same card pressed again is stale: someone (here, the same person) changed it since it was shown.
    await staff_says(bot, value={**save, **shown, "why": "again", "f_answer": "Something else."})
    assert "changed by someone else since you opened it" in (await replies.next())["text"]

    # Deadline: a date typed in the card.
    await staff_says(bot, "correct deadline npq-senco-applications-close")
    card = cards(await replies.next())[0]
    await staff_says(bot, value={**button(card, "Save correction"), **inputs(card), "f_on": "2025-04-07",
                                 "why": "the DfE extended it by a day"})
    assert "Corrected deadline npq-senco-applications-close (on)" in (await replies.next())["text"]
    assert (await store.get("deadline", "npq-senco-applications-close")).doc["on"] == "2025-04-07"

    # Event: several match, so staff choose one, then correct its places.
    await staff_says(bot, "correct event webinar")
    pick = cards(await replies.next())[0]
    assert "match. Choose one" in json.dumps(pick)
    await staff_says(bot, value={**button(pick, "Open"), "key": "webinar-2025-04-30"})
    card = cards(await replies.next())[0]
    await staff_says(bot, value={**button(card, "Save correction"), **inputs(card), "f_capacity": "120",
                                 "why": "bigger Teams licence"})
    assert "Corrected event webinar-2025-04-30 (capacity)" in (await replies.next())["text"]
    assert (await store.get("event", "webinar-2025-04-30")).doc["capacity"] == 120

    # Forum: an invalid status is refused by the catalogue's own rules and nothing changes.
    await staff_says(bot, "correct forum term5-2025")
    card = cards(await replies.next())[0]
    await staff_says(bot, value={**button(card, "Save correction"), **inputs(card), "f_status": "maybe",
                                 "why": "test"})
    assert "Not saved: " in (await replies.next())["text"]
    await staff_says(bot, value={**button(card, "Save correction"), **inputs(card), "f_venue": "Oakwood House",
                                 "why": "venue booked"})
    assert "Corrected forum term5-2025 (venue)" in (await replies.next())["text"]
    assert (await store.get("forum", "term5-2025")).doc["venue"] == "Oakwood House"

    # Someone who is not staff presses a saved card: refused, nothing changes.
    status, _ = await bot.say("", value={**button(card, "Save correction"), **inputs(card), "f_venue": "Elsewhere",
                                         "why": "x"})
    assert status in (200, 201)
    assert "only the inclusion team" in (await replies.next())["text"]
    assert (await store.get("forum", "term5-2025")).doc["venue"] == "Oakwood House"
    status, _ = await bot.say("correct forum term5-2025")
    assert "for the inclusion team" in (await replies.next())["text"]


async def test_staff_typed_corrections_are_redacted_and_an_faq_answer_can_be_withdrawn(bot, sqlite_db, clock):
    replies = Replies(bot)
    store = ContentStore(ContentRepository(sqlite_db), clock)
    await staff_says(bot, "correct faq npq-what-is")
    card = cards(await replies.next())[0]
    await staff_says(bot, value={**button(card, "Save correction"), **inputs(card),
                                 "f_answer": "Ask Mrs Patel about the NPQ; a pupil in my Year 5 class called Lily needed it.",
                                 "why": "clarified"})
    assert "Corrected" in (await replies.next())["text"]
    stored = (await store.get("faq", "npq-what-is")).doc["entry"]["answer"]
    assert "Lily" not in stored and "Patel" not in stored and "[name]" in stored
    await staff_says(bot, "correct faq npq-what-is")
    card = cards(await replies.next())[0]
    await staff_says(bot, value={**button(card, "Withdraw"), **inputs(card), "why": "superseded"})
    assert "Withdrawn" in (await replies.next())["text"]
    assert await store.get("faq", "npq-what-is") is None
    assert (await store.history(kind="faq", key="npq-what-is"))[0].changed_by == "Clara Green"


@pytest.mark.timeout(300)
async def test_staff_correct_content_from_the_cli(settings):
    url = settings.database.url
    shown = sencobot(url, "kb", "show", "deadline", "npq-senco-applications-close").stdout
    assert "on: 2025-04-06" in shown
    done = sencobot(url, "kb", "edit", "deadline", "npq-senco-applications-close", "--set", "on=2025-04-07",
                    "--why", "extended", "--by", "Ruth Gately").stdout
    assert "corrected deadline npq-senco-applications-close (on)" in done
    history = sencobot(url, "kb", "history", "--kind", "deadline", "--id", "npq-senco-applications-close").stdout
    assert "edit" in history and "by Ruth Gately: extended" in history
    sencobot(url, "kb", "edit", "event", "webinar-2025-04-30", "--set", "start=2025-04-30T16:30",
             "--set", "end=2025-04-30T17:30", "--why", "moved", "--by", "Ruth Gately")
    sencobot(url, "kb", "edit", "forum", "term5-2025", "--set", "display=Countywide SENCO Forum, May 2025 (Maidstone)",
             "--why", "venue", "--by", "Ruth Gately")
    sencobot(url, "kb", "edit", "faq", "npq-what-is", "--set", "question=What is the SENCO NPQ?", "--why", "wording",
             "--by", "Ruth Gately")
    history = sencobot(url, "kb", "history", "--limit", "4").stdout
    assert [line.split()[6] for line in history.splitlines()[:4]] == ["faq", "forum", "event", "deadline"] or \
        history.count("by Ruth Gately") == 4, history
