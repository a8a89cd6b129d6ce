"""Limits: long messages are truncated with a note, each user is rate-limited, card data is sanity-checked."""
import json
from datetime import timedelta

import pytest

from bot.console import Conversation
from bot.handler import SLOW_DOWN, UNREADABLE_CARD
from bot.ratelimit import SlidingWindowLimiter
from bot.security import MAX_CARD_DATA_BYTES, card_data_problem
from bot.assistant import build_assistant
from bot.core import build_core
from tests.e2e.conftest import payload
from tests.security.conftest import serve


@pytest.fixture
def assistant_for(sqlite_db, clock):
    def build(settings):
        return build_assistant(build_core(settings, clock=clock, database=sqlite_db))

    return build


def texts(replies) -> str:
    return " ".join(reply.text for reply in replies)


# -- long messages -----------------------------------------------------------------------------------

def _spy_on_fallback(assistant) -> list:
    """What reaches the answerer (and, unanswered, the inbox)."""
    seen = []
    original = assistant.registry.fallback

    async def spy(turn_context, asker, text):
        seen.append(text)
        await original(turn_context, asker, text)

    assistant.registry.fallback = spy
    return seen


async def test_a_long_message_is_answered_by_its_last_question_not_its_first_4000_characters(settings, assistant_for):
    """Trial point 8: 5,722 characters ending "when is the next forum" were cut to the first 4,000, answered
    "I don't know" and logged for the team."""
    assistant = assistant_for(settings)
    user = Conversation(assistant.bot, user_id="29:long", name="Lee Long", channel_id="msteams")
    seen = _spy_on_fallback(assistant)
    context = "Our Year 5 pupil's annual review was moved again and the family are upset. " * 76
    message = context + "when is the next forum"
    assert len(message) > 5700
    replies = await user.says(message)
    assert "only read the first" not in texts(replies)
    assert "so I've read only its last question: \"when is the next forum\"" in replies[0].text
    assert seen == ["when is the next forum"]
    assert len(replies) >= 2, "the question is answered after the note"

    seen.clear()
    replies = await user.says("when do NPQ applications close? " + "x" * 5000)
    assert seen == ["when do NPQ applications close?"]


async def test_a_long_message_with_no_question_is_handed_back_and_not_logged(settings, assistant_for):
    assistant = assistant_for(settings)
    user = Conversation(assistant.bot, user_id="29:paste", channel_id="msteams")
    seen = _spy_on_fallback(assistant)
    replies = await user.says("The annual review was moved again. " * 150)
    assert [r.text for r in replies] == [
        "Your message is too long for me to read (5,249 characters; I can read 4,000), and I couldn't find a "
        "question in it. Please send just your question, in a sentence or two."]
    assert seen == []
    assert await assistant.features.inbox.service.repo.list_queries() == []


async def test_a_message_at_the_limit_is_not_truncated(settings, assistant_for):
    assistant = assistant_for(settings)
    user = Conversation(assistant.bot, user_id="29:exact", channel_id="msteams")
    replies = await user.says("when do NPQ applications close? ".ljust(4000, "."))
    assert "only read the first" not in texts(replies)


@pytest.mark.parametrize("sent", ["<p>what is stls</p>", "<div>what&nbsp;is <b>stls</b>?</div>",
                                  "<p>what is</p><p>stls</p>"])
async def test_a_question_sent_as_html_is_read_as_its_words(settings, assistant_for, sent):
    """Trial point 13: "<p>what is stls</p>" (Teams may send HTML) was answered "I didn't catch a question"."""
    assistant = assistant_for(settings)
    user = Conversation(assistant.bot, user_id="29:html", channel_id="msteams")
    seen = _spy_on_fallback(assistant)
    replies = await user.says(sent)
    assert "didn't catch" not in texts(replies)
    assert [" ".join(t.replace("?", "").split()) for t in seen] == ["what is stls"], seen
    assert "<" not in texts(replies)


# -- rate limit ----------------------------------------------------------------------------------------

async def test_the_31st_message_in_a_minute_gets_one_friendly_reply_then_silence(settings, assistant_for, clock):
    assistant = assistant_for(settings)
    assert settings.bot.rate_limit_per_minute == 30
    user = Conversation(assistant.bot, user_id="29:fast", channel_id="msteams")
    for _ in range(30):
        replies = await user.says("help")
        assert SLOW_DOWN not in texts(replies)
        clock.advance(timedelta(seconds=1))
    assert texts(await user.says("help")) == SLOW_DOWN
    assert await user.says("help") == [], "one reply per burst, not one per message"
    # The window slides: 60 s after the first message only that one has dropped out, so one more is allowed.
    clock.advance(timedelta(seconds=30))
    assert SLOW_DOWN not in texts(await user.says("help"))
    assert texts(await user.says("help")) == SLOW_DOWN, "a second one would be 31 in the last 60 s"


async def test_each_user_has_their_own_allowance(settings, assistant_for):
    assistant = assistant_for(settings.replace(**{"bot.rate_limit_per_minute": 2}))
    one = Conversation(assistant.bot, user_id="29:one", channel_id="msteams")
    two = Conversation(assistant.bot, user_id="29:two", channel_id="msteams")
    await one.says("help")
    await one.says("help")
    assert texts(await one.says("help")) == SLOW_DOWN
    assert SLOW_DOWN not in texts(await two.says("help"))


async def test_a_limited_user_can_carry_on_after_a_quiet_minute(settings, assistant_for, clock):
    assistant = assistant_for(settings.replace(**{"bot.rate_limit_per_minute": 1}))
    user = Conversation(assistant.bot, user_id="29:patient", channel_id="msteams")
    await user.says("help")
    assert texts(await user.says("help")) == SLOW_DOWN
    clock.advance(timedelta(seconds=60))
    replies = await user.says("when do NPQ applications close?")
    assert "NPQ" in texts(replies)


async def test_zero_means_no_limit(settings, assistant_for):
    assistant = assistant_for(settings.replace(**{"bot.rate_limit_per_minute": 0}))
    user = Conversation(assistant.bot, user_id="29:unlimited", channel_id="msteams")
    for _ in range(40):
        assert SLOW_DOWN not in texts(await user.says("help"))


async def test_an_over_limit_invoke_gets_a_200_with_the_friendly_message(settings, clock):
    async with serve(settings.replace(**{"bot.rate_limit_per_minute": 1}), clock) as bot:
        status, _ = await bot.post(payload("teams_invoke_card_action", id="inv-1"))
        assert status == 200
        status, body = await bot.post(payload("teams_invoke_card_action", id="inv-2"))
        assert status == 200
        assert json.loads(body)["value"] == SLOW_DOWN


def test_the_limiter_forgets_idle_users_instead_of_growing(clock):
    limiter = SlidingWindowLimiter(5, clock, max_keys=100)
    for n in range(100):
        limiter.check(f"user-{n}")
    clock.advance(timedelta(minutes=2))
    for n in range(100, 150):
        assert limiter.check(f"user-{n}").allowed
    assert len(limiter._accepted) <= 100


# -- card data -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, problem", [
    ({"action": "help"}, None),
    ({"action": "bookings.confirm", "event": "qa-webinar-1", "places": 1, "waitlist": False, "note": None}, None),
    ({"action": "x", "choices": ["a", "b"], "form": {"rating": 4}}, None),
    ("help", "not an object"),
    (["help"], "not an object"),
    ({"action": "x", "blob": "y" * MAX_CARD_DATA_BYTES}, "too large"),
    ({"action": "x", "a": {"b": {"c": {"d": {"e": 1}}}}}, "nested too deeply"),
    ({"action": "x", "a": [[[["deep"]]]]}, "nested too deeply"),
    ({"action": "x", 1: "numeric key"}, "a key is not text"),
    ({"action": "x", "n": float("nan")}, "not plain JSON"),
    ({"action": "x", "o": object()}, "not plain JSON"),
])
def test_card_data_guard(data, problem):
    assert card_data_problem(data) == problem


@pytest.mark.parametrize("value", [
    {"action": "help", "blob": "y" * (MAX_CARD_DATA_BYTES + 1)},
    {"action": "help", "a": {"b": {"c": {"d": {"e": "deep"}}}}},
    "help",
    ["help"],
    42,
])
async def test_odd_card_submissions_get_a_polite_refusal_and_touch_nothing(settings, assistant_for, value):
    assistant = assistant_for(settings)
    user = Conversation(assistant.bot, user_id="29:odd", channel_id="msteams")
    replies = await user._send(user._activity(type="message", text="", value=value))
    assert texts(replies) == UNREADABLE_CARD


async def test_a_normal_card_submission_still_works(settings, assistant_for):
    assistant = assistant_for(settings)
    user = Conversation(assistant.bot, user_id="29:normal", channel_id="msteams")
    replies = await user.presses({"action": "help"})
    assert "Here's what I can do" in texts(replies)


async def test_an_invoke_with_odd_card_data_gets_a_200_refusal(running_bot):
    activity = payload("teams_invoke_card_action")
    activity["value"]["action"]["data"] = {"action": "help", "junk": [[[["deep"]]]]}
    status, body = await running_bot.post(activity)
    assert status == 200
    assert json.loads(body)["value"] == UNREADABLE_CARD
    assert running_bot.connector.activities() == []


# -- mentions in team channels ------------------------------------------------------------------------

BOT_ID = "28:0b7c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3"


@pytest.mark.parametrize("entities", [
    [{"type": "mention", "text": "<at>SENCO Forum Assistant</at>",
      "mentioned": {"id": BOT_ID, "name": "SENCO Forum Assistant"}}],
    [{"type": "mention", "text": "<at>SENCO Forum Assistant</at>"}],           # no "mentioned"
    [{"type": "mention", "mentioned": {"name": "no id"}}],                       # no id, no text
    [{"type": "mention", "text": 7, "mentioned": {"id": BOT_ID}}],             # text not a string
])
async def test_a_channel_mention_is_removed_and_malformed_mentions_do_no_harm(running_bot, entities):
    activity = payload("teams_message", text="<at>SENCO Forum Assistant</at> when do NPQ applications close?",
                       entities=entities)
    status, _ = await running_bot.post(activity)
    assert status == 201
    [reply] = await running_bot.connector.wait_for(1)
    assert "NPQ" in json.dumps(reply) and "something went wrong" not in json.dumps(reply)
