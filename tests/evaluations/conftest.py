"""Evaluation fixtures: the Term 4 2025 forum's survey open, a staff member, the app on a port."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import aiohttp
import pytest

from bot.app import ASSISTANT_KEY, create_app
from bot.clock import FixedClock
from bot.console import Conversation
from bot.assistant import build_assistant
from bot.core import build_core
from tests.fakes.http import serving

FORUM = "term4-2025"
# The Term 4 forum's last session was on Thursday 20 March 2025; its survey is open the next morning.
OPEN_INSTANT = datetime(2025, 3, 21, 9, 0, tzinfo=timezone.utc)
STAFF_AAD = "aad-staff"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(OPEN_INSTANT)


@pytest.fixture
def eval_settings(settings):
    return settings.replace(**{
        "bot.staff_ids": [STAFF_AAD],
        "link_signing_key": "test-signing-key-for-evaluations",
        "server.public_base_url": "http://bot.test",
    })


@pytest.fixture
async def assistant(eval_settings, clock, sqlite_db):
    services = build_core(eval_settings, clock=clock, database=sqlite_db)
    return build_assistant(services)


@pytest.fixture
def evaluations(assistant):
    return assistant.features.evaluations.service


def senco(assistant, number: int = 1) -> Conversation:
    return Conversation(assistant.bot, user_id=f"29:senco-{number}", name=f"Sam Senco {number}",
                        aad_object_id=f"aad-senco-{number}", channel_id="msteams")


def staff(assistant) -> Conversation:
    return Conversation(assistant.bot, user_id="29:staff", name="Clara Green", aad_object_id=STAFF_AAD,
                        channel_id="msteams")


@dataclass
class WebBot:
    url: str
    session: aiohttp.ClientSession
    services: object
    assistant: object

    @property
    def evaluations(self):
        return self.assistant.features.evaluations.service


@pytest.fixture
async def web_bot(eval_settings, clock, sqlite_db):
    services = build_core(eval_settings, clock=clock, database=sqlite_db)
    app = create_app(eval_settings, core=services, run_background=False)
    async with serving(app) as base, aiohttp.ClientSession() as session:
        yield WebBot(base, session, services, app[ASSISTANT_KEY])


def local_path(link: str) -> str:
    """The path of a link the bot made for its public address (http://bot.test/...)."""
    assert link.startswith("http://bot.test/"), link
    return link[len("http://bot.test"):]
