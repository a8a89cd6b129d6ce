"""Withdrawing and correcting a published FAQ answer: the answerer stops giving it at once, the people it
was sent to are told, the FAQ document shows the live state with its last-updated date, and revert works."""
from __future__ import annotations

import re

import pytest

from bot.clock import FixedClock
from bot.console import Conversation
from bot.assistant import build_assistant
from bot.core import build_core
from integrations.db.reminders import Outbox
from tests.content.conftest import NOW_2027, sencobot

pytestmark = pytest.mark.timeout(300)

QUESTION = "What is the NPQ for SENCOs?"


async def test_withdraw_and_correct_an_answer_tell_askers_and_export_the_live_state(settings, tmp_path):
    url = settings.database.url
    sencobot(url, "kb", "import")
    services = build_core(settings, clock=FixedClock(NOW_2027))
    assistant = build_assistant(services)
    try:
        user = Conversation(assistant.bot, user_id="29:asker", name="Sam Senco", aad_object_id="aad-1",
                            channel_id="msteams")
        before = "\n".join(r.text for r in await user.says(QUESTION))
        assert "Empowering SENCO Leadership" in before

        corrected = sencobot(url, "faq", "edit", "npq-what-is", "--answer",
                             "The NPQ for SENCOs is an 18-month qualification funded by the DfE.",
                             "--why", "the deadline sentence was out of date", "--by", "Ruth Gately").stdout
        assert "1 asker(s) will be told" in corrected
        change = re.search(r"\(change (\d+)\)", corrected).group(1)
        notice = await Outbox(services.database).get(f"faq.correction.{change}.29:asker")
        assert notice is not None and "an 18-month qualification funded by the DfE" in notice.text
        after = "\n".join(r.text for r in await user.says(QUESTION))
        assert "an 18-month qualification funded by the DfE" in after and "6 April 2025" not in after

        withdrawn = sencobot(url, "faq", "withdraw", "npq-what-is", "--why", "superseded by the DfE's page").stdout
        assert "1 asker(s) will be told" in withdrawn
        gone = "\n".join(r.text for r in await user.says(QUESTION))
        assert "an 18-month qualification" not in gone

        out = tmp_path / "FAQ.md"
        sencobot(url, "faq", "export", "--format", "md", "--out", str(out))
        document = out.read_text()
        assert "Last updated Monday 1 March 2027." in document
        assert f"### {QUESTION}" not in document, document[document.find(QUESTION) - 300:][:600]
        # A dated promise the deck made is shown as passed, with the month as the deck gave it.
        assert "Publication of the Continuum of Need and Provision (May 2025) was May 2025; it has passed." in document

        history = sencobot(url, "kb", "history", "--kind", "faq", "--id", "npq-what-is").stdout.splitlines()
        assert [line.split()[6] for line in history[:3]] == ["withdraw", "edit", "import"]
        sencobot(url, "kb", "revert", history[0].split()[0], "--why", "withdrawn by mistake")
        back = "\n".join(r.text for r in await user.says(QUESTION))
        assert "an 18-month qualification funded by the DfE" in back
    finally:
        await services.database.dispose()
