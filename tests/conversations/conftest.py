"""A SENCO and the assistant over the same handler Teams uses, with the FAQ inbox to inspect."""
from __future__ import annotations

import pytest

from bot.console import Conversation
from bot.assistant import build_assistant
from bot.core import build_core

STAFF = "aad-staff"


@pytest.fixture
def assistant(settings, clock, sqlite_db):
    settings = settings.replace(**{"bot.staff_ids": [STAFF]})
    return build_assistant(build_core(settings, clock=clock, database=sqlite_db))


def senco(assistant, n: int = 1) -> Conversation:
    return Conversation(assistant.bot, user_id=f"29:senco-{n}", name="Sam Senco", aad_object_id=f"aad-senco-{n}",
                        channel_id="msteams")


def staff(assistant) -> Conversation:
    return Conversation(assistant.bot, user_id="29:officer", name="Olu Officer", aad_object_id=STAFF,
                        channel_id="msteams")


def texts(replies) -> str:
    return "\n".join(r.text for r in replies)


async def logged(assistant) -> list:
    """Every question the FAQ collation inbox holds, whatever its status."""
    return await assistant.features.inbox.service.repo.list_queries()
