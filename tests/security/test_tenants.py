"""Tenant allow-list: people from another organisation's Teams get one polite refusal and nothing else."""
import json
import logging
import uuid

import pytest

from bot.app import ASSISTANT_KEY
from bot.console import Conversation
from bot.assistant import build_assistant
from bot.core import build_core
from tests.e2e.conftest import payload
from tests.security.conftest import TENANT_ID, serve

OTHER_TENANT = "9d2f7c1e-0000-4a5b-8c6d-000000000bad"
SECRET_QUESTION = "my pupil Jamie Fletcher needs an EHCP, call me on 07700 900123"


def from_tenant(name: str, tenant: str | None, **changes) -> dict:
    activity = payload(name, id=uuid.uuid4().hex, **changes)
    if tenant is None:
        activity.pop("channelData", None)
        activity["conversation"].pop("tenantId", None)
    else:
        activity["channelData"] = {**activity.get("channelData", {}), "tenant": {"id": tenant}}
        activity["conversation"]["tenantId"] = tenant
    return activity


@pytest.fixture
async def gated_bot(settings, clock):
    gated = settings.replace(**{"bot.allowed_tenants": [TENANT_ID.upper()]})
    async with serve(gated, clock) as bot:
        yield bot


def reply_text(activity: dict) -> str:
    return activity.get("text") or json.dumps(activity.get("attachments"))


async def test_people_in_an_allowed_tenant_are_answered(gated_bot):
    status, _ = await gated_bot.post(from_tenant("teams_message", TENANT_ID))
    assert status == 201
    [reply] = await gated_bot.connector.wait_for(1)
    assert "NPQ" in reply_text(reply)


async def test_another_tenant_gets_one_polite_refusal_and_nothing_is_stored(gated_bot, caplog):
    caplog.set_level(logging.INFO)
    activity = from_tenant("teams_message", OTHER_TENANT, text=SECRET_QUESTION)
    status, _ = await gated_bot.post(activity)
    assert status == 201
    [reply] = await gated_bot.connector.wait_for(1)
    assert reply["text"].startswith("Sorry, this assistant is only available to schools in Kent.")
    assert reply["text"].count(".") <= 3, "one short message"

    services = gated_bot.app[ASSISTANT_KEY].core
    assert await services.references.get(activity["from"]["id"]) is None
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert OTHER_TENANT in logged and "allowed_tenants" in logged
    for fragment in ("Jamie", "Fletcher", "07700", "EHCP", "Sam Senco"):
        assert fragment not in logged


async def test_an_activity_with_no_tenant_is_refused_when_a_list_is_set(gated_bot):
    await gated_bot.post(from_tenant("teams_message", None))
    [reply] = await gated_bot.connector.wait_for(1)
    assert "only available to schools in Kent" in reply["text"]


async def test_a_card_action_from_another_tenant_gets_a_200_refusal(gated_bot):
    status, body = await gated_bot.post(from_tenant("teams_invoke_card_action", OTHER_TENANT))
    assert status == 200
    assert "only available to schools in Kent" in json.loads(body)["value"]
    assert gated_bot.connector.activities() == [], "said once, on the card, not again in the chat"


async def test_installing_in_another_tenant_sends_no_welcome(gated_bot):
    status, _ = await gated_bot.post(from_tenant("teams_conversation_update", OTHER_TENANT))
    assert status in (200, 201)
    assert gated_bot.connector.activities() == []


async def test_an_empty_list_lets_every_tenant_in(running_bot):
    await running_bot.post(from_tenant("teams_message", OTHER_TENANT))
    [reply] = await running_bot.connector.wait_for(1)
    assert "NPQ" in reply_text(reply)


async def test_the_console_is_not_behind_the_tenant_gate(settings, clock, sqlite_db):
    gated = settings.replace(**{"bot.allowed_tenants": [TENANT_ID]})
    assistant = build_assistant(build_core(gated, clock=clock, database=sqlite_db))
    replies = await Conversation(assistant.bot, user_id="operator").says("when do NPQ applications close?")
    assert "NPQ" in " ".join(reply.text for reply in replies)
