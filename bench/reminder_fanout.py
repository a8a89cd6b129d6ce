"""Fan one reminder out to many subscribers through a Bot Connector stand-in that enforces Teams' limits.

    python bench/reminder_fanout.py [--scenario single|two|kill|all] [--recipients 10000]
                                    [--ceiling 50] [--pg-url postgresql://postgres@127.0.0.1:5432/test]

Scenarios (each in fresh storage, workers are real processes running the product's scheduler):
  single  one process on SQLite
  two     two processes on one PostgreSQL database (a fresh database, dropped afterwards)
  kill    two processes on PostgreSQL; one is killed with SIGKILL a third of the way through and
          the other finishes, taking over the dead one's claims when their lease runs out

The stand-in answers 429 with Retry-After when a request would exceed 7/s, 8/2 s, 60/30 s or
1,800/h for a conversation, or the tenant ceiling (50/s) over all conversations. It counts
what it accepted per recipient, so duplicates and losses are measured where Teams would see them.

One machine-readable line per scenario:
  reminder_fanout scenario=… recipients=… sent=… duplicates=… lost=… refused=… in_flight_at_kill=…
                  rate_per_s=… ceiling_per_s=… throttled=… seconds=…
sent: messages the stand-in accepted (duplicates included); refused: messages recorded as refused or
failed after retries; in_flight_at_kill: messages the killed process had delivered but not yet recorded
(the most that can be sent twice); rate_per_s: accepted messages per second from the first request
to the last acceptance; throttled: 429 answers given.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import json
import math
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aiohttp import web  # noqa: E402

TENANT = "bench-tenant"
CATEGORY = "forum"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


# -- the stand-in --------------------------------------------------------------------------------------


class LimitedConnector:
    """Accepts activities within Teams' limits, answers 429 + Retry-After beyond them, and counts."""

    def __init__(self, *, tenant_per_second: float, conversation_windows=((1.0, 7), (2.0, 8), (30.0, 60),
                                                                          (3600.0, 1800))):
        self.tenant_per_second = tenant_per_second
        self.conversation_windows = conversation_windows
        self._tenant: collections.deque = collections.deque()
        self._conversations: dict[str, collections.deque] = {}
        self.accepted: collections.Counter = collections.Counter()
        self.accepted_at: dict[str, float] = {}
        self.throttled = 0
        self.first_request: float | None = None
        self.last_accept: float | None = None
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> "LimitedConnector":
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self._activity)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def _wait_needed(self, times: collections.deque, window: float, limit: int, now: float) -> float:
        while times and times[0] <= now - 3600.0:
            times.popleft()
        inside = [t for t in times if t > now - window] if len(times) >= limit else ()
        if len(inside) >= limit:
            return inside[-limit] + window - now
        return 0.0

    async def _activity(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        if self.first_request is None:
            self.first_request = now
        await request.read()
        conversation = request.match_info["conversation_id"]
        while self._tenant and self._tenant[0] <= now - 1.0:
            self._tenant.popleft()
        waits = []
        if len(self._tenant) >= self.tenant_per_second:
            waits.append(self._tenant[0] + 1.0 - now)
        times = self._conversations.setdefault(conversation, collections.deque())
        for window, limit in self.conversation_windows:
            waits.append(self._wait_needed(times, window, limit, now))
        wait = max(waits) if waits else 0.0
        if wait > 0:
            self.throttled += 1
            return web.json_response({"error": {"code": "TooManyRequests", "message": "slow down"}}, status=429,
                                     headers={"Retry-After": str(max(1, math.ceil(wait)))})
        self._tenant.append(now)
        times.append(now)
        self.accepted[conversation] += 1
        self.accepted_at.setdefault(conversation, now)
        self.last_accept = now
        return web.json_response({"id": f"activity-{sum(self.accepted.values())}"})


# -- storage ---------------------------------------------------------------------------------------------


def user_id(n: int) -> str:
    return f"29:bench-user-{n:05d}"


def conversation_of(user: str) -> str:
    return f"a:bench-{user}"


async def prepare(url: str, recipients: int, service_url: str) -> None:
    import datetime as dt

    from sqlalchemy import insert

    from integrations.db import Database
    from integrations.db.host import conversation_refs
    from integrations.db.migrate import upgrade
    from integrations.db.reminders import Announcements, NewAnnouncement
    from integrations.db.reminders import reminder_subscriptions

    database = Database(url)
    await upgrade(database)
    now = dt.datetime.now(dt.timezone.utc)
    users = [user_id(n) for n in range(recipients)]
    async with database.engine.begin() as conn:
        for start in range(0, len(users), 1000):
            chunk = users[start:start + 1000]
            await conn.execute(insert(conversation_refs), [
                dict(user_id=u, channel_id="msteams", conversation_id=conversation_of(u), service_url=service_url,
                     tenant_id=TENANT, user_name=None, aad_object_id=None, unreachable=0, updated_at=now,
                     reference=json.dumps({"bot": {"id": "28:bench-bot"},
                                           "conversation": {"id": conversation_of(u),
                                                            "conversationType": "personal"}}))
                for u in chunk])
            await conn.execute(insert(reminder_subscriptions), [
                dict(user_id=u, category=CATEGORY, active=True, updated_at=now) for u in chunk])
    await Announcements(database).add(NewAnnouncement(
        key=f"broadcast:bench-{uuid.uuid4().hex[:8]}", category=CATEGORY, kind="broadcast", source="broadcast",
        text="The Term 5 Countywide SENCO Forum is confirmed for 21 and 22 May.", due_at=now,
        expires_at=now + dt.timedelta(hours=3)), now)
    await database.dispose()


async def outcome_counts(url: str) -> tuple[dict, dict]:
    from integrations.db import Database
    from integrations.db.reminders import Announcements, Outbox

    database = Database(url)
    try:
        return await Outbox(database).counts(), await Announcements(database).counts()
    finally:
        await database.dispose()


async def claimed_by(url: str, worker: str) -> set[str]:
    from sqlalchemy import select

    from integrations.db import Database
    from integrations.db.reminders import outbound_messages as om

    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            rows = await conn.execute(select(om.c.user_id).where(om.c.claimed_by == worker, om.c.status == "claimed"))
            return {conversation_of(row.user_id) for row in rows}
    finally:
        await database.dispose()


async def create_pg_database(admin_url: str) -> str:
    import asyncpg

    name = f"reminder_fanout_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(admin_url.replace("postgresql://", "postgres://"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


async def drop_pg_database(admin_url: str, url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(admin_url.replace("postgresql://", "postgres://"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


# -- a worker process ---------------------------------------------------------------------------------


async def run_worker(args) -> None:
    import aiohttp

    from bot.clock import SystemClock
    from bot.reminders.service import build_reminders, teams_limits
    from bot.settings import DEFAULT_CONFIG, load_settings
    from integrations.db import Database
    from integrations.db.reminders import SharedSlots
    from integrations.teams_sender import NoTokens, TeamsSender

    settings = load_settings(DEFAULT_CONFIG, environ={}, overrides={
        "database.url": args.db,
        "reminders.tenant_per_second": args.ceiling,
        "reminders.lease_seconds": args.lease,
    })
    clock = SystemClock()
    database = Database(args.db)
    reminders = build_reminders(settings, database, clock)
    async with aiohttp.ClientSession() as session:
        sender = TeamsSender(session, tokens=NoTokens(), limits=teams_limits(settings), slots=SharedSlots(database),
                             now=lambda: clock.now().timestamp(), user_agent=f"sencobot-bench/{args.worker_id}")
        worker = reminders.worker(sender, worker_id=args.worker_id)
        totals: collections.Counter = collections.Counter()
        while True:
            stats = await worker.run_once()
            totals.update({k: v for k, v in stats.as_dict().items() if v})
            messages = await reminders.outbox.counts()
            announcements = await reminders.announcements.counts()
            open_work = messages.get("pending", 0) + messages.get("claimed", 0) + \
                announcements.get("pending", 0) + announcements.get("expanding", 0)
            if not open_work:
                break
            # Work remains that another process holds (or held, until its lease runs out): look again soon.
            await asyncio.sleep(0.25)
    await database.dispose()
    print(json.dumps({"worker": args.worker_id, **totals}), flush=True)


def spawn_worker(url: str, worker_id: str, args) -> asyncio.subprocess.Process:
    return asyncio.create_subprocess_exec(
        sys.executable, str(Path(__file__).resolve()), "--worker", "--db", url, "--worker-id", worker_id,
        "--ceiling", str(args.ceiling), "--lease", str(args.lease),
        stdout=asyncio.subprocess.PIPE, cwd=str(REPO),
    )


# -- scenarios ------------------------------------------------------------------------------------------


async def scenario(name: str, args) -> str:
    connector = await LimitedConnector(tenant_per_second=args.ceiling).start()
    tmp = tempfile.TemporaryDirectory()
    if name == "single":
        url = f"sqlite+aiosqlite:///{tmp.name}/fanout.db"
    else:
        url = await create_pg_database(args.pg_url)
    try:
        await prepare(url, args.recipients, connector.url)
        started = time.monotonic()
        workers = [await spawn_worker(url, f"{name}-w{i + 1}", args) for i in range(1 if name == "single" else 2)]
        in_flight = 0
        if name == "kill":
            victim = workers[1]
            while sum(connector.accepted.values()) < args.recipients // 3:
                if victim.returncode is not None:
                    break
                await asyncio.sleep(0.05)
            victim.send_signal(signal.SIGKILL)
            await victim.wait()
            # Let requests already on the wire land, then compare what the stand-in accepted with what the
            # dead process still held as claimed: those were delivered but never recorded.
            await asyncio.sleep(0.3)
            held = await claimed_by(url, f"{name}-w2")
            in_flight = sum(1 for conversation in held if connector.accepted[conversation])
            survivors = workers[:1]
        else:
            survivors = workers
        outputs = await asyncio.wait_for(asyncio.gather(*(w.communicate() for w in survivors)), timeout=args.timeout)
        for worker in survivors:
            if worker.returncode != 0:
                raise RuntimeError(f"a worker exited with {worker.returncode}")
        elapsed = time.monotonic() - started
        messages, _ = await outcome_counts(url)
        for out, _err in outputs:
            if args.verbose:
                print(out.decode().strip(), file=sys.stderr)
    finally:
        await connector.stop()
        if name != "single":
            await drop_pg_database(args.pg_url, url)
        tmp.cleanup()
    expected = {conversation_of(user_id(n)) for n in range(args.recipients)}
    sent = sum(connector.accepted.values())
    duplicates = sum(count - 1 for count in connector.accepted.values() if count > 1)
    lost = len(expected - {c for c, n in connector.accepted.items() if n})
    refused = messages.get("refused", 0) + messages.get("failed", 0)
    span = (connector.last_accept or 0) - (connector.first_request or 0)
    rate = sent / span if span > 0 else 0.0
    return (f"reminder_fanout scenario={name} recipients={args.recipients} sent={sent} duplicates={duplicates} "
            f"lost={lost} refused={refused} in_flight_at_kill={in_flight} rate_per_s={rate:.1f} "
            f"ceiling_per_s={args.ceiling:g} throttled={connector.throttled} seconds={elapsed:.1f}")


async def main_async(args) -> int:
    names = ["single", "two", "kill"] if args.scenario == "all" else [args.scenario]
    for name in names:
        print(await scenario(name, args), flush=True)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=["single", "two", "kill", "all"], default="all")
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--ceiling", type=float, default=50.0, help="the tenant ceiling, requests per second")
    parser.add_argument("--lease", type=int, default=10, help="claim lease in seconds (how soon a dead "
                                                              "process's claims are taken over)")
    parser.add_argument("--pg-url", default=os.environ.get("SENCOBOT_TEST_PG", DEFAULT_PG),
                        help="an existing PostgreSQL database used to create and drop a fresh one")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--verbose", action="store_true", help="print each worker's own counts")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--worker-id", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        asyncio.run(run_worker(args))
        return 0
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
