"""The FAQ answer card in conversation: each outcome, its buttons, and the feedback they store."""
from datetime import datetime, timezone

import pytest

from bot.clock import FixedClock
from bot.console import Conversation
from bot.assistant import build_assistant
from bot.core import build_core


@pytest.fixture
async def world(settings, sqlite_db):
    clock = FixedClock(datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc))
    services = build_core(settings, clock=clock, database=sqlite_db)
    assistant = build_assistant(services)
    user = Conversation(assistant.bot, user_id="29:faq-user", name="Sam Senco", channel_id="msteams")
    return assistant, user


async def queries(services):
    return await services.features.inbox.service.export.list_queries(include_all=True)


async def test_an_answer_card_cites_its_source_and_offers_related_questions(world):
    services, user = world
    [reply] = await user.says("what has to go in a witness statement for tribunal?")
    assert "Source: Countywide SENCO Forum, March 2025" in reply.text
    assert "Georgette Williams" in reply.text
    titles = [title for title, _ in reply.choices]
    assert {"Yes", "No", "Ask the inclusion team"} <= set(titles)
    related = [data for _, data in reply.choices if data.get("action") == "faq.show"]
    assert related, "an answer offers its related entries as follow-up buttons"
    [follow_up] = await user.presses(related[0])
    assert "Source: Countywide SENCO Forum" in follow_up.text
    assert follow_up.text != reply.text


async def test_was_this_helpful_is_stored_against_the_query(world):
    services, user = world
    await user.says("when does LIFT end?")
    [thanks] = await user.button("Yes")
    assert "thanks" in thanks.text.lower()
    [query] = await queries(services)
    assert query.helpful is True and query.outcome == "answer"
    await user.button("No")
    [query] = await queries(services)
    assert query.helpful is False


async def test_someone_else_cannot_give_feedback_on_my_question(world, settings):
    services, user = world
    [reply] = await user.says("when does LIFT end?")
    yes = next(data for title, data in reply.choices if title == "Yes")
    other = Conversation(user._bot, user_id="29:other", name="Other", channel_id="msteams")
    [refused] = await other.presses(yes)
    assert "couldn't record" in refused.text
    [query] = await queries(services)
    assert query.helpful is None


async def test_a_bare_topic_gets_did_you_mean_buttons_that_answer(world):
    services, user = world
    [reply] = await user.says("npq")
    assert "Did you mean" in reply.text
    suggestions = [data for _, data in reply.choices if data.get("action") == "faq.show"]
    assert 1 <= len(suggestions) <= 3
    [answer] = await user.presses(suggestions[0])
    assert "NPQ" in answer.text and "Source:" in answer.text


async def test_a_question_the_forum_did_not_cover_is_declined_and_logged_for_the_team(world):
    services, user = world
    [reply] = await user.says("how do I apply for a blue badge for my car?")
    assert "I don't know" in reply.text and "inclusion team" in reply.text
    [query] = await queries(services)
    assert query.outcome == "decline" and query.needs_answer


async def test_ask_the_inclusion_team_flags_an_answered_question(world):
    services, user = world
    await user.says("when does LIFT end?")
    [reply] = await user.button("Ask the inclusion team")
    assert "passed your question" in reply.text
    [query] = await queries(services)
    assert query.needs_answer


async def test_a_passed_deadline_is_reported_as_passed_with_its_date(world):
    services, user = world
    [reply] = await user.says("when do applications for the NPQ for SENCOs close?")
    assert "was Sunday 6 April 2025; it has passed" in reply.text
