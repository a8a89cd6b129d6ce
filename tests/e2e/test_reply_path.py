"""The reply path under Teams' limits: throttled replies are retried or queued, never a failed turn,
and a staff action that notifies a thousand people answers at once and delivers in the background."""
from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

from bot.app import ADAPTER_KEY, create_app
from bot.clock import monotonic
from bot.core import build_core
from integrations.db import Database
from integrations.db.inbox import InboxRepository, NewQuery
from integrations.db.migrate import upgrade
from tests.e2e.conftest import payload, serve_bot
from tests.fakes.connector import ConnectorStandIn

APOLOGY = "something went wrong"


def message_from(user: int, text: str = "when do NPQ applications close?") -> dict:
    return payload("teams_message", id=uuid.uuid4().hex, text=text,
                   **{"from": {"id": f"29:user-{user}", "name": f"User {user}", "aadObjectId": f"aad-{user}"},
                      "conversation": {"id": f"a:user-{user}", "conversationType": "personal",
                                       "tenantId": "tenant-1"}})


def texts(connector: ConnectorStandIn) -> list[str]:
    return [json.dumps(body) for body in connector.activities()]


async def test_a_429_on_the_first_reply_of_every_conversation_is_retried_and_delivered_once(settings, clock):
    connector = await ConnectorStandIn(throttle_first_per_conversation=1).start()
    database = Database(settings.database.url)
    await upgrade(database)
    async with serve_bot(create_app(settings, clock=clock, database=database), connector) as bot:
        results = await asyncio.gather(*(bot.post(message_from(user)) for user in range(10)))

    assert [status for status, _ in results] == [201] * 10
    assert sorted(connector.throttled) == sorted(f"a:user-{user}" for user in range(10))
    # Every conversation got its answer exactly once, and nobody got the apology of a failed turn.
    assert connector.delivered() == {f"a:user-{user}": 1 for user in range(10)}
    assert not any(APOLOGY in text for text in texts(connector))
    assert all("NPQ" in text for text in texts(connector))


async def test_a_reply_throttled_for_longer_than_a_turn_waits_goes_to_the_outbox_and_arrives_once(settings, clock):
    connector = await ConnectorStandIn(throttle_first_per_conversation=1).start()
    database = Database(settings.database.url)
    await upgrade(database)
    app = create_app(settings, clock=clock, database=database)
    adapter = app[ADAPTER_KEY]
    # A turn that may not wait even the one second Teams asks for: the reply must be queued.
    adapter.policy = type(adapter.policy)(throttle_retries=1, transient_retries=1, max_wait_seconds=0.1)
    async with serve_bot(app, connector) as bot:
        status, _ = await bot.post(message_from(7))
        assert status == 201
        assert connector.delivered() == {}, "the turn ended without a delivered reply"
        # The scheduler's next round (its wait is on the test clock) sends the queued reply.
        clock.advance(timedelta(seconds=settings.reminders.poll_seconds))
        await connector.wait_for_accepted(1)

    assert connector.delivered() == {"a:user-7": 1}
    assert not any(APOLOGY in text for text in texts(connector))
    assert "NPQ" in texts(connector)[-1]


async def test_answering_a_group_of_1000_askers_answers_staff_at_once_and_delivers_all_within_limits(settings, clock):
    tenant_ceiling = 200
    settings = settings.replace(**{"bot.staff_ids": ["aad-staff"], "reminders.tenant_per_second": tenant_ceiling})
    connector = await ConnectorStandIn().start()
    database = Database(settings.database.url)
    await upgrade(database)
    core = build_core(settings, clock=clock, database=database)
    inbox, references = InboxRepository(database), core.references
    now = clock.now()
    cluster = await inbox.create_cluster("Can the council lend a laptop to a pupil?", now)
    for n in range(1000):
        user = f"29:asker-{n}"
        await references.save(
            user_id=user, channel_id="msteams", conversation_id=f"a:asker-{n}", service_url=connector.url,
            tenant_id="tenant-1", user_name=f"Asker {n}", aad_object_id=None, now=now,
            reference={"channelId": "msteams", "serviceUrl": connector.url, "user": {"id": user},
                       "bot": {"id": "28:bot"}, "conversation": {"id": f"a:asker-{n}", "conversationType": "personal",
                                                                 "tenantId": "tenant-1"}})
        query = await inbox.add_query(NewQuery(
            asked_at=now, channel="teams", asker_id=user, asker_name=f"Asker {n}",
            text="Can my pupil borrow a laptop from the council?", outcome="decline", faq_id=None,
            confidence=0.1, needs_answer=True))
        await inbox.place_in_cluster(query.id, cluster.id, "new", now)

    officer = {"from": {"id": "29:officer", "name": "Olu Officer", "aadObjectId": "aad-staff"},
               "conversation": {"id": "a:officer", "conversationType": "personal", "tenantId": "tenant-1"}}
    async with serve_bot(create_app(settings, core=core), connector) as bot:
        # As in Teams, the officer opens the inbox first (which also warms the freshly started server).
        assert (await bot.post(payload("teams_message", id=uuid.uuid4().hex, text="inbox", **officer)))[0] == 201
        opened = len(connector.activities("a:officer"))
        staff = payload("teams_message", id=uuid.uuid4().hex, text="", value={
            "action": "inbox.answer", "cluster_id": cluster.id,
            "answer": "The council does not lend laptops; schools fund assistive technology."}, **officer)
        started = monotonic()
        status, _ = await bot.post(staff)
        answered_in = monotonic() - started
        assert status == 201
        assert answered_in < 1.0, f"the staff member waited {answered_in:.2f} s"
        [confirmation] = connector.activities("a:officer")[opened:]
        assert "1,000 people" in json.dumps(confirmation) or "1000 people" in json.dumps(confirmation)

        clock.advance(timedelta(seconds=settings.reminders.poll_seconds))
        await connector.wait_for_accepted(1001 + opened, timeout=90)

    delivered = connector.delivered()
    assert delivered == {"a:officer": 1 + opened, **{f"a:asker-{n}": 1 for n in range(1000)}}
    # Within the limits the sender was given: the tenant's ceiling and Teams' 7 a second per conversation.
    assert connector.busiest(1.0) <= tenant_ceiling
    assert max(connector.busiest(1.0, c) for c in delivered) <= 7
