"""The incoming per-user limit holds across replicas: two app processes on one PostgreSQL database."""
from __future__ import annotations

import json
import os
import uuid

import aiohttp

from bot.handler import SLOW_DOWN
from tests.e2e.conftest import payload
from tests.fakes.app_process import app_process
from tests.fakes.connector import ConnectorStandIn


async def test_two_processes_on_one_database_hold_one_per_user_limit(pg_db, pg_url):
    connector = await ConnectorStandIn().start()
    env = dict(os.environ, DATABASE_URL=pg_url, SENCOBOT_BOT__RATE_LIMIT_PER_MINUTE="5",
               SENCOBOT_REMINDERS__ENABLED="false")
    env.pop("MicrosoftAppId", None)
    # SENCOBOT_NOW would start each process's clock at the same instant but at a different real
    # moment, so the two would disagree by their start-up gap; replicas in service share real time.
    env.pop("SENCOBOT_NOW", None)
    try:
        async with app_process(env) as (_, first), app_process(env) as (_, second), \
                aiohttp.ClientSession() as session:
            for n in range(12):
                body = payload("teams_message", id=uuid.uuid4().hex, text="when do NPQ applications close?",
                               serviceUrl=connector.url)
                url = (first, second)[n % 2]
                async with session.post(url, data=json.dumps(body),
                                        headers={"Content-Type": "application/json"}) as response:
                    assert response.status == 201
    finally:
        await connector.stop()

    replies = [json.dumps(body) for body in connector.activities()]
    answers = [text for text in replies if "NPQ" in text]
    told = [text for text in replies if SLOW_DOWN.split(".")[0] in text]
    # One limit for both: 5 answers, not 5 from each process; the person is told once to slow down.
    assert len(answers) == 5
    assert len(told) == 1


async def test_counted_messages_are_forgotten_once_their_window_has_passed(sqlite_db, clock):
    from datetime import timedelta

    from bot.ratelimit import SharedLimiter
    from integrations.db.rate_limits import RateLimits, rate_limit_hits
    from sqlalchemy import func, select

    limiter = SharedLimiter(2, clock, RateLimits(sqlite_db))
    assert [(await limiter.check("29:a")).allowed for _ in range(3)] == [True, True, False]
    clock.advance(timedelta(seconds=61))
    await limiter.purge()
    async with sqlite_db.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(rate_limit_hits))).scalar() == 0
    assert (await limiter.check("29:a")).allowed
