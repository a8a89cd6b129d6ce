"""The free-text "why" of a knowledge-base change is typed by staff like any other message: it goes
through the one redactor before it is stored in the history (and before it is told to askers)."""
from __future__ import annotations

import pytest

from bot.clock import FixedClock
from bot.content.store import ContentStore
from integrations.db.content import ContentRepository
from tests.content.conftest import NOW_2027, sencobot
from tests.content.test_store import webinar

pytestmark = pytest.mark.timeout(300)


async def test_why_of_a_change_is_redacted_before_it_is_stored(any_db):
    store = ContentStore(ContentRepository(any_db), FixedClock(NOW_2027))
    await store.add("event", webinar(), by="Clara Green",
                    why="Tyler Brooks (Year 5) asked; mum on 07700 900123")
    await store.edit("event", "webinar-2027-03-10", webinar(capacity=80), by="Ruth Gately",
                     why="jayden's mum wants a place")
    await store.withdraw("event", "webinar-2027-03-10", by="Ruth Gately", why="Amelia-Rose in Year 4 is ill")
    stored = [h.why for h in await store.history(kind="event")]
    text = " | ".join(stored)
    for leaked in ("Tyler", "Brooks", "07700", "jayden", "Amelia-Rose"):
        assert leaked not in text, text
    assert "[name]" in text and "[phone]" in text
    assert "asked" in text and "a place" in text  # the reason itself survives


def test_why_typed_at_the_command_line_is_redacted(settings):
    url = settings.database.url
    sencobot(url, "kb", "import", "--why", "asked by Tyler Brooks's mum, jo.brooks@gmail.com")
    history = sencobot(url, "kb", "history", "--limit", "3").stdout
    assert "Brooks" not in history and "jo.brooks@gmail.com" not in history, history
    assert "[email]" in history
