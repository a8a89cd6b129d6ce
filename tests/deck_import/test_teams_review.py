"""Reviewing imported drafts in Teams, end to end over HTTP: staff open the drafts, edit in the card,
accept, save edits, reject; a SENCO's question is answered from the accepted entry at once."""
import json

import pytest

from bot.app import create_app
from bot.drafts.install import build_draft_service
from knowledge.deck_import import import_deck
from tests.deck_import.conftest import DECK
from tests.e2e.conftest import serve_bot
from tests.fakes.connector import ConnectorStandIn
from tests.support.teams import cards, inputs, staff_says, text_of


@pytest.fixture
def staff_settings(settings, data_dir):
    return settings.replace(**{"bot.staff_ids": ["aad-staff"], "knowledge.data_dir": str(data_dir)})


@pytest.fixture
async def bot(staff_settings, clock, sqlite_db):
    await build_draft_service(staff_settings, database=sqlite_db, clock=clock).queue(import_deck(DECK),
                                                                                     by="Clara Green")
    connector = await ConnectorStandIn().start()
    app = create_app(staff_settings, clock=clock, database=sqlite_db, run_background=False)
    async with serve_bot(app, connector) as running:
        yield running


async def test_staff_review_drafts_in_cards_and_a_senco_is_answered_at_once(bot, staff_settings, clock, sqlite_db):
    service = build_draft_service(staff_settings, database=sqlite_db, clock=clock)
    await staff_says(bot, "drafts")
    [listing] = await bot.connector.wait_for(1)
    assert "waiting for review" in listing["text"]
    *shown, more = cards(listing)
    assert shown and all({"Accept", "Save edits", "Reject"} <= {a["title"] for a in c["actions"]} for c in shown)
    # More drafts than fit in one message: the last card pages on.
    assert more["actions"][0]["title"] == "Show the next 10" and more["actions"][0]["data"]["start"] == 10
    # Flagged drafts come first, each saying what to check.
    assert "Check: " in json.dumps(shown[0])

    # Accept an FAQ draft with its question edited in the card.
    faq = next(d for d in await service.pending("faq") if d.data["topic"] == "New Ways of Working")
    question = "What are the new ways of working for Communities of Schools?"
    values = {"f_question": question, "f_answer": faq.data["answer"]}
    await staff_says(bot, value={"action": "drafts.accept", "draft_id": faq.id, **values})
    replies = await bot.connector.wait_for(2)
    assert "Accepted \"What are the new ways of working" in replies[-1]["text"]
    assert "I answer it from now on" in replies[-1]["text"]
    stored = await service.get(faq.id)
    assert (stored.status, stored.decided_by, stored.decided_at) == ("accepted", "Clara Green", clock.now())

    status, _ = await bot.say(question)          # Sam Senco, not staff
    assert status in (200, 201)
    replies = await bot.connector.wait_for(3)
    answer = text_of(replies[-1])
    assert "LIFT will cease to exist 31st July 2025" in answer
    assert "Communities of Schools, Siobhan Price" in answer

    # Save an edit from the card: the reply shows the draft as it now stands.
    deadline = next(d for d in await service.pending("deadline") if d.data["detail"] == "LIFT Stops end of this term.")
    await staff_says(bot, value={"action": "drafts.edit", "draft_id": deadline.id, "f_on": "2025-07-22",
                                 "f_title": deadline.data["title"], "f_detail": deadline.data["detail"],
                                 "f_until": "", "f_category": deadline.data["category"]})
    replies = await bot.connector.wait_for(4)
    assert replies[-1]["text"].startswith("Saved.")
    assert inputs(cards(replies[-1])[0])["f_on"] == "2025-07-22"
    assert (await service.get(deadline.id)).edited_by == "Clara Green"

    # Reject, and a card pressed by someone who is not staff changes nothing.
    other = (await service.pending("deadline"))[0]
    status, _ = await bot.say("", value={"action": "drafts.reject", "draft_id": other.id})
    assert status in (200, 201)
    replies = await bot.connector.wait_for(5)
    assert "only the inclusion team" in replies[-1]["text"]
    assert (await service.get(other.id)).status == "pending"
    await staff_says(bot, value={"action": "drafts.reject", "draft_id": other.id})
    replies = await bot.connector.wait_for(6)
    assert "kept for the record" in replies[-1]["text"]
    assert (await service.get(other.id)).decided_by == "Clara Green"


async def test_a_non_staff_user_cannot_list_drafts(bot):
    status, _ = await bot.say("drafts")
    assert status in (200, 201)
    [reply] = await bot.connector.wait_for(1)
    assert "for the inclusion team" in reply["text"] and not reply.get("attachments")
