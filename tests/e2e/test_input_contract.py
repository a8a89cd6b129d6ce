"""One input contract for both databases: what SQLite stores, PostgreSQL stores too, and what neither
can store is refused at the edge with a message that names the field (never a 500)."""
from __future__ import annotations

import uuid

import pytest

from bot.app import create_app
from integrations.db.host import ConversationReferences
from tests.e2e.conftest import payload, serve_bot
from tests.fakes.connector import ConnectorStandIn


def message(**changes) -> dict:
    activity = payload("teams_message", id=uuid.uuid4().hex)
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        holder = activity
        for part in parents:
            holder = holder.setdefault(part, {})
        holder[last] = value
    return activity


ACCEPTED = {
    "NUL in the sender's name": {"from.name": "Sam\x00 Senco"},
    "NUL in the activity id": {"id": "abc\x00def"},
    "NUL in the text": {"text": "when do NPQ\x00 applications close?"},
    "NUL in the sender's id": {"from.id": "29:user\x00-x"},
    "a 5,000-character name": {"from.name": "N" * 5000},
}
REFUSED = {
    "from.id": {"from.id": "2" * 1000},
    "conversation.id": {"conversation.id": "a:" + "c" * 1000},
    "conversation.tenantId": {"conversation.tenantId": "t" * 1000},
    "from.aadObjectId": {"from.aadObjectId": "a" * 1000},
    "serviceUrl": {"serviceUrl": "https://example.test/" + "s" * 1000},
    "id": {"id": "i" * 1000},
    "channelData.tenant.id": {"channelData.tenant.id": "t" * 1000},
}


@pytest.fixture
async def bot(settings, clock, any_db):
    connector = await ConnectorStandIn().start()
    async with serve_bot(create_app(settings, clock=clock, database=any_db, run_background=False),
                         connector) as running:
        yield running


async def test_nul_characters_and_long_names_are_accepted_on_both_databases(bot, any_db):
    for case, changes in ACCEPTED.items():
        status, text = await bot.post(message(**changes))
        assert status == 201, (case, text)
    stored = await ConversationReferences(any_db).get("29:user-x")
    assert stored is not None and "\x00" not in stored.user_name


async def test_over_long_ids_are_refused_with_the_field_named_on_both_databases(bot):
    for field, changes in REFUSED.items():
        activity = message(**changes)
        if field == "serviceUrl":
            status, text = await bot.post(activity, raw=__import__("json").dumps(activity).encode())
        else:
            status, text = await bot.post(activity)
        assert status == 400, (field, status, text)
        assert field in text and "longer than" in text


async def test_a_repository_cuts_a_value_to_its_column_on_both_databases(any_db, clock):
    references = ConversationReferences(any_db)
    await references.save(user_id="29:long", channel_id="msteams", conversation_id="a:1", service_url="https://x/",
                          tenant_id="t\x00" * 200, user_name="N" * 1000, aad_object_id=None, reference={"a": "\x00"},
                          now=clock.now())
    stored = await references.get("29:long")
    assert len(stored.user_name) == 256 and "\x00" not in stored.tenant_id
