"""Small talk and non-questions get a short friendly reply; they are not questions for the FAQ inbox."""
from __future__ import annotations

import pytest

from tests.conversations.conftest import logged, senco, texts

PASSED_ON = "passed your question"


@pytest.mark.parametrize("said, expected", [
    ("hello", "Ask me anything"),
    ("hi there", "Ask me anything"),
    ("Good morning!", "Ask me anything"),
    ("thanks!", "You're welcome"),
    ("thank you, that helped", "You're welcome"),
    ("bye", "Bye for now"),
    ("ok", "I'm here if you need anything else"),
    (".", "I didn't catch a question"),
    ("👍", "I'm here if you need anything else"),
    ("test", "I didn't catch a question"),
])
async def test_small_talk_gets_a_short_reply_and_nothing_is_logged(assistant, said, expected):
    user = senco(assistant)
    replies = await user.says(said)
    assert len(replies) == 1 and not replies[0].card
    assert expected in replies[0].text
    assert PASSED_ON not in texts(replies)
    assert await logged(assistant) == []


@pytest.mark.parametrize("junk", [
    "🎉" * 3000,
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "'; DROP TABLE inbox_queries; --",
    "%s%s%s%n {0} {{7*7}} ${jndi:ldap://x}",
])
async def test_junk_is_not_offered_to_staff_as_a_question(assistant, junk):
    user = senco(assistant)
    replies = await user.says(junk)
    assert PASSED_ON not in texts(replies)
    assert await assistant.features.inbox.service.triage.clusters() == []


async def test_a_greeting_with_a_question_is_a_question(assistant):
    user = senco(assistant)
    replies = await user.says("Hello, can pupils with dyslexia borrow a laptop from the council?")
    assert "Ask me anything" not in texts(replies)
    [query] = await logged(assistant)
    assert "dyslexia" in query.text


async def test_a_real_question_is_still_logged_after_small_talk(assistant):
    user = senco(assistant)
    await user.says("hi")
    await user.says("What is the deadline for the NPQ application?")
    await user.says("thanks")
    assert [q.text for q in await logged(assistant)] == ["What is the deadline for the NPQ application?"]


async def test_junk_by_email_never_waits_for_staff(assistant):
    from knowledge.models import AnswerResult

    recorder = assistant.features.inbox.service
    declined = AnswerResult(question="", outcome="decline", confidence=0.0)
    for text in ("😀😀😀😀", "<p>&nbsp;</p>", "test"):
        await recorder.log.record(channel="email", asker_id="a@school.example", asker_name="", text=text, result=declined)
    await recorder.log.record(channel="email", asker_id="a@school.example", asker_name="",
                          text="Can pupils with dyslexia borrow a laptop?", result=declined)
    waiting = await recorder.repo.list_queries(needs_answer=True)
    assert [q.text for q in waiting] == ["Can pupils with dyslexia borrow a laptop?"]
    assert len(await recorder.triage.clusters()) == 1
