"""SIGKILL the app mid-turn under load, restart it, redeliver every activity (as Teams retries what it got no
answer for), on both databases: every user is answered, exactly once, except a reply Teams accepted in the
instant between its send and its record (no one can know whether that one arrived; it goes again)."""
from __future__ import annotations

import asyncio
import collections
import json
import os
import uuid

import aiohttp
from sqlalchemy import text as sql

from tests.e2e.conftest import payload
from tests.fakes.app_process import app_process
from tests.fakes.connector import ConnectorStandIn

USERS = 24


def question_from(user: int, connector_url: str) -> dict:
    return payload("teams_message", id=f"kill-{user}-{uuid.uuid4().hex[:8]}", serviceUrl=connector_url,
                   text="when do NPQ applications close?",
                   **{"from": {"id": f"29:killed-{user}", "name": f"User {user}", "aadObjectId": f"aad-{user}"},
                      "conversation": {"id": f"a:killed-{user}", "conversationType": "personal",
                                       "tenantId": "tenant-1"}})


async def post_all(session, url: str, activities: list[dict]) -> list[int]:
    async def post(activity):
        try:
            async with session.post(url, data=json.dumps(activity),
                                    headers={"Content-Type": "application/json"}) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return 0    # the process died under this request

    return await asyncio.gather(*(post(activity) for activity in activities))


async def test_killed_mid_turn_restarted_and_redelivered_everyone_is_answered_and_only_a_reply_in_flight_goes_twice(any_db):
    connector = await ConnectorStandIn().start()
    env = dict(os.environ, DATABASE_URL=any_db.url, SENCOBOT_BOT__RATE_LIMIT_PER_MINUTE="0",
               SENCOBOT_REMINDERS__ENABLED="false")
    env.pop("MicrosoftAppId", None)
    activities = [question_from(user, connector.url) for user in range(USERS)]
    try:
        async with aiohttp.ClientSession() as session:
            async with app_process(env) as (process, url):
                first = asyncio.create_task(post_all(session, url, activities))
                # Killed once some users have their answer and the rest are mid-turn.
                await connector.wait_for_accepted(USERS // 4)
                process.kill()
                statuses = await first
            answered_before = len(connector.accepted)
            # Replies Teams accepted that the dead process had not yet recorded as sent.
            async with any_db.engine.connect() as conn:
                unrecorded = {row.user_id.replace("29:", "a:") for row in await conn.execute(sql(
                    "SELECT user_id FROM outbound_messages WHERE kind = 'reply' AND status <> 'sent'"))}
            in_flight = {c for _, c in connector.accepted} & unrecorded
            assert 0 < answered_before < USERS, "the kill came mid-load"
            assert statuses.count(0) > 0
            async with app_process(env) as (_, url):
                assert await post_all(session, url, activities) == [201] * USERS
    finally:
        await connector.stop()

    delivered = collections.Counter(c for _, c in connector.accepted)
    assert set(delivered) == {f"a:killed-{user}" for user in range(USERS)}, "somebody was never answered"
    twice = {c for c, n in delivered.items() if n > 1}
    assert all(n <= 2 for n in delivered.values())
    assert twice <= in_flight, (twice, in_flight)
    print(f"kill_and_redeliver db={any_db.dialect} users={USERS} answered={len(delivered)} "
          f"answered_before_kill={answered_before} in_flight_at_kill={len(in_flight)} twice={len(twice)}")
    assert all("NPQ" in json.dumps(body) for body in connector.activities())
