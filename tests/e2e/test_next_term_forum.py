"""The README's walk-through, "Next term's forum in under an hour", end to end and in exactly its steps:

1. `sencobot import deck` a generated .pptx deck (its own process, as staff run it on the server);
2. staff review in Teams over HTTP: `event drafts` and `faq drafts`, then Accept on the cards (one edited);
3. a SENCO asks over HTTP and is answered from the new content at once: the new FAQ entry and the new webinar.

The deck is next term's: the March deck with a webinar moved to a date the catalogue does not hold and a new
line in the "New Ways of Working" section.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

import pytest

from bot.app import create_app
from bot.clock import FixedClock
from integrations.db import Database
from integrations.db.migrate import upgrade
from tests.content.conftest import sencobot
from tests.deck_import.conftest import REPO, variant_deck
from tests.e2e.conftest import serve_bot
from tests.fakes.connector import ConnectorStandIn
from tests.support.teams import STAFF, STAFF_CHAT, as_staff, button, cards, inputs, text_of

sys.path.insert(0, str(REPO / "bench"))

pytestmark = pytest.mark.timeout(300)

# Tuesday 1 April 2025, 10:00 in London: after the March forum, before the webinars it announced.
NOW = datetime(2025, 4, 1, 9, 0, tzinfo=timezone.utc)
QUESTION = "What are the new ways of working for Communities of Schools?"


async def test_next_terms_forum_import_review_in_teams_answered_live(settings, tmp_path):
    from make_deck_fixtures import make_all

    # The deck as the forum's presenters hand it over: a PowerPoint file (generated, never hand-made).
    text = variant_deck(tmp_path, ("Tuesday 6th May at 10am", "Tuesday 13th May at 10am"),
                        ("- This will take about 18 months to complete\n\n\n\nInduction",
                         "- This will take about 18 months to complete\n"
                         "- Community chairs will hold drop-in surgeries every Thursday afternoon\n\n\n\nInduction"))
    deck = make_all(text, tmp_path / "deck")[".pptx"]
    url = settings.database.url
    database = Database(url)
    await upgrade(database)

    # 1. Import.
    imported = sencobot(url, "import", "deck", str(deck), "--by", "Clara Green", SENCOBOT_NOW=NOW.isoformat())
    assert "drafts queued for review" in imported.stdout

    # 2. Review in Teams.
    app = create_app(as_staff(settings), clock=FixedClock(NOW), database=database, run_background=False)
    connector = await ConnectorStandIn().start()
    seen = 0
    async with serve_bot(app, connector) as bot:
        async def staff(text="", value=None) -> dict:
            nonlocal seen
            status, _ = await bot.say(text, **{"from": STAFF, "conversation": STAFF_CHAT},
                                      **({"value": value} if value is not None else {}))
            assert status in (200, 201)
            seen += 1
            return (await connector.wait_for(seen))[-1]

        async def senco(text) -> str:
            nonlocal seen
            status, _ = await bot.say(text)
            assert status in (200, 201)
            seen += 1
            return text_of((await connector.wait_for(seen))[-1])

        before = await senco(QUESTION)
        assert "drop-in surgeries every Thursday afternoon" not in before

        listing = await staff("event drafts")
        assert "event drafts waiting for review" in listing["text"]
        webinar = next(c for c in cards(listing) if inputs(c).get("f_day") == "2025-05-13")
        assert "Check: " in json.dumps(webinar)                 # the deck gives no end time: flagged, not guessed
        done = await staff(value={**button(webinar, "Accept"), **inputs(webinar), "f_end": "11:00"})
        assert "It is in the catalogue now." in done["text"], done["text"]

        listing = await staff("faq drafts")
        faq = next(c for c in cards(listing) if "New Ways of Working" in json.dumps(c))
        done = await staff(value={**button(faq, "Accept"), **inputs(faq), "f_question": QUESTION})
        assert "I answer it from now on." in done["text"], done["text"]

        # 3. Answered live, to a SENCO, from the new content.
        answer = await senco(QUESTION)
        assert "Community chairs will hold drop-in surgeries every Thursday afternoon" in answer
        assert "LIFT will cease to exist 31st July 2025" in answer
        bookable = await senco("What webinars can I book?")
        assert "13 May" in bookable, bookable
    await database.dispose()
