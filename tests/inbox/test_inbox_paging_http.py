"""The staff inbox in Teams, over real HTTP: more than one page of groups, most asked and longest waiting first."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.app import ASSISTANT_KEY, create_app
from integrations.db import Database
from integrations.db.migrate import upgrade
from knowledge.models import AnswerResult
from tests.e2e.conftest import serve_bot
from tests.fakes.connector import ConnectorStandIn

STAFF_AAD = "6c4e9a41-0d1b-4c2a-9f3e-1b2c3d4e5f60"  # the recorded Teams payload's sender
QUESTIONS = [
    "Is there parking at County Hall?", "Can governors attend the forum?", "Who pays for sensory equipment?",
    "Do academies follow the same top-up rules?", "Is there a Welsh translation of the EHCP guidance?",
    "How are hospital education places allocated?", "What is the policy on part-time timetables?",
    "Can a child attend two schools at once?", "Who assesses hearing impairment in nursery?",
    "Are there grants for minibus transport?", "What happens to records when a pupil moves abroad?",
    "Can the forum slides be shared with parents?", "Is the speech and language waiting list shorter in the east?",
]


@pytest.fixture
async def staff_bot(settings, clock):
    settings = settings.replace(**{"bot.staff_ids": [STAFF_AAD], "inbox.max_clusters_shown": 10})
    connector = await ConnectorStandIn().start()
    database = Database(settings.database.url)
    await upgrade(database)
    app = create_app(settings, clock=clock, database=database, run_background=False)
    async with serve_bot(app, connector) as bot:
        yield bot


def titles(activity: dict) -> list[str]:
    return [a["content"]["body"][0]["text"] for a in activity.get("attachments") or []]


async def test_the_inbox_pages_past_ten_groups_in_order_of_demand_then_waiting(staff_bot, clock):
    recorder = staff_bot.app[ASSISTANT_KEY].features.inbox.service
    declined = AnswerResult(question="", outcome="decline", confidence=0.0)
    start = clock.now()
    # Asked in this order, a minute apart; the last one is asked three times, so it leads.
    for minute, text in enumerate(QUESTIONS):
        clock.set(start + timedelta(minutes=minute))
        await recorder.log.record(channel="teams", asker_id=f"29:s{minute}", asker_name="", text=text, result=declined)
    for n in range(2):
        await recorder.log.record(channel="teams", asker_id=f"29:again{n}", asker_name="", text=QUESTIONS[-1],
                              result=declined)

    await staff_bot.say("inbox")
    [first] = await staff_bot.connector.wait_for(1)
    shown = titles(first)
    assert "13 groups of questions (15 questions) are waiting" in first["text"]
    assert "groups 1 to 10" in first["text"]
    assert shown[0] == QUESTIONS[-1]
    assert shown[1:10] == QUESTIONS[:9]
    more = first["attachments"][-1]["content"]
    assert "3 more groups waiting." in json.dumps(more)
    [button] = more["actions"]

    await staff_bot.say("", value=button["data"])
    second = (await staff_bot.connector.wait_for(2))[-1]
    assert "groups 11 to 13" in second["text"]
    assert titles(second) == QUESTIONS[9:12]
