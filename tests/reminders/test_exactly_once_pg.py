"""Two schedulers, each with its own engine, on one PostgreSQL database: every message exactly once."""
import asyncio
import collections

import aiohttp
import pytest

from bot.clock import SystemClock
from bot.broadcast.service import build_broadcasts
from bot.reminders.assembly import build_reminders
from integrations.db import Database
from integrations.db.reminders import SharedSlots
from integrations.teams_sender import NoTokens, TeamsLimits, TeamsSender
from tests.reminders.conftest import seed_many

RECIPIENTS = 300


@pytest.fixture
async def second_engine(pg_url):
    database = Database(pg_url)
    yield database
    await database.dispose()


async def test_two_schedulers_share_the_work_and_send_each_message_exactly_once(
        pg_db, second_engine, connector, reminder_settings):
    settings = reminder_settings.replace(**{"reminders.batch_size": 20})
    clock = SystemClock()
    first, second = build_reminders(settings, pg_db, clock), build_reminders(settings, second_engine, clock)
    await seed_many(pg_db, [f"29:user-{n:04d}" for n in range(RECIPIENTS)], categories=["forum"],
                    service_url=connector.url)
    await build_broadcasts(first).broadcast(category="forum", text="The Term 5 forum is confirmed", created_by="staff")

    async with aiohttp.ClientSession() as session_one, aiohttp.ClientSession() as session_two:
        def sender(session, database):
            # A high ceiling keeps the test quick; the shared slots are still reserved through the database.
            return TeamsSender(session, tokens=NoTokens(), limits=TeamsLimits(tenant_per_second=5000),
                               slots=SharedSlots(database), now=lambda: clock.now().timestamp())

        one = first.worker(sender(session_one, pg_db), worker_id="process-one")
        two = second.worker(sender(session_two, second_engine), worker_id="process-two")
        # Both try to fan the announcement out at once: one wins, and the keys stop any double.
        expanded = await asyncio.gather(one.expand_due(), two.expand_due())
        assert sorted(expanded) == [0, 1]
        await asyncio.gather(one.deliver_due(), two.deliver_due())

    per_conversation = collections.Counter(r.conversation_id for r in connector.received)
    assert len(per_conversation) == RECIPIENTS
    assert set(per_conversation.values()) == {1}
    assert await first.outbox.counts() == {"sent": RECIPIENTS}
    assert one.stats.sent > 0 and two.stats.sent > 0          # both processes did part of the work
    assert one.stats.sent + two.stats.sent == RECIPIENTS
    assert one.stats.lease_lost == two.stats.lease_lost == 0


async def test_concurrent_claims_never_overlap(pg_db, second_engine, reminder_settings):
    import datetime as dt

    from integrations.db.reminders import NewMessage, Outbox

    clock = SystemClock()
    now = clock.now()
    await Outbox(pg_db).add_many([NewMessage(f"k{n}", f"u{n}", "x", now) for n in range(200)], now)
    outboxes = [Outbox(pg_db), Outbox(second_engine)] * 5
    lease = dt.timedelta(seconds=60)
    batches = await asyncio.gather(*(o.claim(f"w{i}", now, lease, 25) for i, o in enumerate(outboxes)))
    claimed = [m.id for batch in batches for m in batch]
    assert len(claimed) == len(set(claimed)) == 200
