"""Exactly-once turns on both databases: a turn that never committed is processed when Teams sends it
again; one that committed is not, and only its undelivered replies go out again. Two messages at once in
one conversation never give a 500."""
from __future__ import annotations

import asyncio
import json
import uuid

from botbuilder.schema import Activity

from bot.app import ADAPTER_KEY, ASSISTANT_KEY, create_app
from integrations.db.host import EtagConflict
from integrations.db.inbox import InboxRepository
from tests.e2e.conftest import payload, serve_bot
from tests.fakes.connector import ConnectorStandIn

APOLOGY = "something went wrong"


def message_from(user: int, text: str = "when do NPQ applications close?", **changes) -> dict:
    return payload("teams_message", id=changes.pop("id", uuid.uuid4().hex), text=text,
                   **{"from": {"id": f"29:user-{user}", "name": f"User {user}", "aadObjectId": f"aad-{user}"},
                      "conversation": {"id": f"a:user-{user}", "conversationType": "personal",
                                       "tenantId": "tenant-1"}}, **changes)


def bodies(connector: ConnectorStandIn) -> list[str]:
    return [json.dumps(body) for body in connector.activities()]


async def test_a_turn_cut_off_before_it_committed_is_processed_when_teams_sends_it_again(settings, clock, any_db):
    connector = await ConnectorStandIn().start()
    app = create_app(settings, clock=clock, database=any_db, run_background=False)
    registry = app[ASSISTANT_KEY].registry
    answer, entered = registry.fallback, asyncio.Event()

    async def hangs_the_first_time(turn_context, asker, text):
        if not entered.is_set():
            entered.set()
            await asyncio.Event().wait()    # the process dies here
        await answer(turn_context, asker, text)

    registry.fallback = hangs_the_first_time
    async with serve_bot(app, connector) as bot:
        activity = message_from(1)
        activity["serviceUrl"] = connector.url
        # The first delivery, cut off mid-turn as a crash would (nothing after this point runs).
        first = asyncio.create_task(app[ADAPTER_KEY].process_activity(
            "", Activity().deserialize(activity), app[ASSISTANT_KEY].bot.on_turn))
        await entered.wait()
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
        assert connector.delivered() == {}

        status, _ = await bot.post(activity)          # Teams' retry
        assert status == 201
        assert connector.delivered() == {"a:user-1": 1}
        assert "NPQ" in bodies(connector)[-1]

        status, _ = await bot.post(activity)          # and once more: committed, delivered, so silence
        assert status == 201
        assert connector.delivered() == {"a:user-1": 1}


async def test_a_turn_cut_off_after_logging_its_question_logs_it_once_when_teams_sends_it_again(
        settings, clock, any_db):
    connector = await ConnectorStandIn().start()
    app = create_app(settings, clock=clock, database=any_db, run_background=False)
    ledger = app[ASSISTANT_KEY].bot._turns
    commit, entered = ledger.commit, asyncio.Event()

    async def hangs_the_first_time(**kwargs):
        if not entered.is_set():
            entered.set()
            await asyncio.Event().wait()    # the process dies here: the question is logged, the turn not done
        return await commit(**kwargs)

    ledger.commit = hangs_the_first_time
    async with serve_bot(app, connector) as bot:
        activity = message_from(3)
        activity["serviceUrl"] = connector.url
        first = asyncio.create_task(app[ADAPTER_KEY].process_activity(
            "", Activity().deserialize(activity), app[ASSISTANT_KEY].bot.on_turn))
        await entered.wait()
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
        assert (await bot.post(activity))[0] == 201          # Teams' retry
        assert connector.delivered() == {"a:user-3": 1}
    logged = [q for q in await InboxRepository(any_db).list_queries() if q.asker_id == "29:user-3"]
    assert [q.text for q in logged] == ["when do NPQ applications close?"], "one question, logged once"


async def test_a_turn_run_again_after_a_state_conflict_logs_its_question_and_its_group_once(
        settings, clock, any_db):
    connector = await ConnectorStandIn().start()
    app = create_app(settings, clock=clock, database=any_db, run_background=False)
    ledger = app[ASSISTANT_KEY].bot._turns
    commit, conflicts = ledger.commit, []

    async def another_process_wrote_first(**kwargs):
        if not conflicts:
            conflicts.append(1)
            raise EtagConflict("conversation state")
        return await commit(**kwargs)

    ledger.commit = another_process_wrote_first
    async with serve_bot(app, connector) as bot:
        # Nothing in the forum answers this: it is logged as needing an answer and starts a group.
        assert (await bot.post(message_from(4, "can the council lend us a minibus for a school trip?")))[0] == 201
    assert conflicts and connector.delivered() == {"a:user-4": 1}
    repo = InboxRepository(any_db)
    logged = [q for q in await repo.list_queries() if q.asker_id == "29:user-4"]
    assert len(logged) == 1 and logged[0].needs_answer and logged[0].cluster_id is not None
    assert [c.id for c in await repo.clusters(("open",))] == [logged[0].cluster_id]


async def test_a_committed_turn_whose_reply_did_not_get_through_resends_only_that_reply(settings, clock, any_db):
    connector = await ConnectorStandIn().start()
    app = create_app(settings, clock=clock, database=any_db, run_background=False)
    adapter = app[ADAPTER_KEY]
    adapter.policy = type(adapter.policy)(throttle_retries=0, transient_retries=0, max_wait_seconds=0.1)
    # Teams is briefly unavailable for the first reply.
    connector.scripted = [(503, {}, {"error": {"code": "ServiceUnavailable"}})]
    async with serve_bot(app, connector) as bot:
        activity = message_from(2)
        assert (await bot.post(activity))[0] == 201
        assert connector.delivered() == {}
        assert (await bot.post(activity))[0] == 201     # Teams' retry: the committed reply goes out
        assert connector.delivered() == {"a:user-2": 1}
        assert (await bot.post(activity))[0] == 201
        assert connector.delivered() == {"a:user-2": 1}
    assert "NPQ" in bodies(connector)[-1]
    assert not any(APOLOGY in body for body in bodies(connector))


async def test_the_same_message_twice_at_once_in_twenty_conversations_never_gives_a_500(settings, clock, any_db):
    connector = await ConnectorStandIn().start()
    async with serve_bot(create_app(settings, clock=clock, database=any_db, run_background=False),
                         connector) as bot:
        # Stored state first, so both turns below carry its e-tag.
        await asyncio.gather(*(bot.post(message_from(user, "add a tribunal case")) for user in range(20)))
        results = await asyncio.gather(*(bot.post(message_from(user, "add a tribunal case"))
                                         for user in range(20) for _ in range(2)))
    assert [status for status, _ in results] == [201] * 40
    assert not any(APOLOGY in body for body in bodies(connector))
    # Both turns of each conversation were answered.
    assert all(count >= 3 for count in connector.delivered().values()), connector.delivered()


async def test_two_processes_on_one_conversation_at_once_never_give_a_500(settings, clock, any_db):
    connector = await ConnectorStandIn().start()
    other = await ConnectorStandIn().start()
    async with serve_bot(create_app(settings, clock=clock, database=any_db, run_background=False),
                         connector) as one, \
            serve_bot(create_app(settings, clock=clock, database=any_db, run_background=False), other) as two:
        await asyncio.gather(*(one.post(message_from(user, "add a tribunal case")) for user in range(8)))
        results = await asyncio.gather(*(bot.post(message_from(user, "add a tribunal case"))
                                         for user in range(8) for bot in (one, two)))
    assert [status for status, _ in results] == [201] * 16
    assert not any(APOLOGY in body for body in bodies(connector) + bodies(other))
