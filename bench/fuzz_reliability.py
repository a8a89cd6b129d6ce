"""Fuzzed activities against real app processes: how many responses were 5xx (the goal is none).

    python bench/fuzz_reliability.py                       # 10,000 on SQLite (one process), then on
                                                           # PostgreSQL (two processes, one database)
    python bench/fuzz_reliability.py --db postgresql --activities 2000

The activities come from the suite's fuzzer (tests/security/test_fuzz.py): real Teams payloads with fields
dropped, made odd (NUL, lone surrogates, over-long ids and names, junk types) or replaced by junk, plus raw
bodies that are not JSON. They are posted 8 at a time, alternating between the processes, so turns in one
conversation run at once in one process and across two. The per-user rate limit is off, so every message
reaches a turn. Prints one line per database:

    fuzz db=postgresql processes=2 activities=10000 2xx=... 4xx=... 5xx=0 dropped=0 seconds=...
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402

PG_ADMIN_URL = os.environ.get("SENCOBOT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


def generate(count: int, seed: int) -> list[tuple[bytes, str]]:
    """(body, content type) pairs from the suite's strategies, the same for the same seed."""
    from hypothesis import HealthCheck, given, seed as hypothesis_seed, settings, strategies as st

    from tests.security.test_fuzz import activity, encode, raw_bodies

    cases: list[tuple[bytes, str]] = []
    as_json = st.tuples(st.just("activity"), activity, st.booleans())

    @hypothesis_seed(seed)
    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(as_json, as_json, as_json, as_json,
                     st.tuples(st.just("raw"), raw_bodies, st.sampled_from(["application/json", "text/plain"]))))
    def collect(case):
        kind, body, option = case
        if kind == "raw":
            cases.append((body, option))
        else:
            cases.append((encode(body, "CONNECTOR_URL", ensure_ascii=option), "application/json"))

    fuzzed = count - count // 3
    while len(cases) < fuzzed:
        collect()
    del cases[fuzzed:]
    # A third are plausible messages and card actions in 20 conversations, several at once in each (turns
    # racing on one conversation's state), some with NUL or very long names and ids (the database's limits).
    import random

    from tests.e2e.conftest import payload

    rng = random.Random(seed)
    texts = ["when do NPQ applications close?", "add a tribunal case", "help", "book", "my bookings", "cancel",
             "reminders", "1", "yes", "what is the school's role at tribunal?", "inbox", "deadlines"]
    for n in range(count - fuzzed):
        user = rng.randrange(20)
        name = rng.choice([f"User {user}", f"User\x00{user}", "N" * rng.choice([300, 5000]), "Zoë 👩‍👧"])
        body = payload(rng.choice(["teams_message", "teams_message", "teams_invoke_card_action"]),
                       id=rng.choice([uuid.UUID(int=rng.getrandbits(128)).hex, f"dup-{rng.randrange(50)}",
                                      uuid.UUID(int=rng.getrandbits(128)).hex, "x" * rng.choice([10, 300])]),
                       serviceUrl="CONNECTOR_URL",
                       **{"from": {"id": rng.choice([f"29:fuzz-{user}"] * 6 + [f"29:fuzz-{user}\x00", "2" * 300]),
                                   "name": name, "aadObjectId": f"aad-{user}"},
                          "conversation": {"id": rng.choice([f"a:fuzz-{user}"] * 8 + ["a:" + "c" * 500]),
                                           "conversationType": "personal", "tenantId": "tenant-1"}})
        if body["type"] == "message":
            body["text"] = rng.choice(texts)
        cases.append((json.dumps(body).encode(), "application/json"))
    rng.shuffle(cases)
    return cases


@contextlib.asynccontextmanager
async def app_process(env: dict):
    # FUZZ_APP_LOG=path keeps the processes' logs, to look into a 5xx.
    log_path = os.environ.get("FUZZ_APP_LOG")
    stderr = open(log_path, "ab") if log_path else asyncio.subprocess.DEVNULL
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.app_process", cwd=REPO, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=stderr)
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        if not line.startswith(b"ready "):
            raise RuntimeError(f"the app did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}/api/messages"
    finally:
        process.terminate()
        await process.wait()


@contextlib.asynccontextmanager
async def fresh_database(kind: str):
    from integrations.db import Database
    from integrations.db.migrate import upgrade

    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/fuzz.db"
            database = Database(url)
            await upgrade(database)
            await database.dispose()
            yield url
        return
    import asyncpg

    name = f"sencobot_fuzz_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN_URL.replace("postgresql://", "postgres://")
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    database = Database(url)
    await upgrade(database)
    await database.dispose()
    try:
        yield url
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def run(kind: str, processes: int, cases: list[tuple[bytes, str]], concurrency: int) -> dict:
    from tests.fakes.connector import ConnectorStandIn

    connector = await ConnectorStandIn().start()
    statuses: collections.Counter = collections.Counter()
    started = time.monotonic()
    try:
        async with fresh_database(kind) as url:
            env = dict(os.environ, DATABASE_URL=url, SENCOBOT_BOT__RATE_LIMIT_PER_MINUTE="0",
                       SENCOBOT_REMINDERS__ENABLED="false")
            for name in ("MicrosoftAppId", "SENCOBOT_NOW"):
                env.pop(name, None)
            async with contextlib.AsyncExitStack() as stack:
                urls = [await stack.enter_async_context(app_process(env)) for _ in range(processes)]
                timeout = aiohttp.ClientTimeout(total=120)
                session = await stack.enter_async_context(aiohttp.ClientSession(timeout=timeout))
                queue: asyncio.Queue = asyncio.Queue()
                for n, case in enumerate(cases):
                    queue.put_nowait((n, case))

                async def worker():
                    while not queue.empty():
                        n, (body, content_type) = queue.get_nowait()
                        body = body.replace(b"CONNECTOR_URL", connector.url.encode())
                        try:
                            async with session.post(urls[n % len(urls)], data=body,
                                                    headers={"Content-Type": content_type}) as response:
                                await response.read()
                                statuses[response.status] += 1
                        except (aiohttp.ClientError, asyncio.TimeoutError):
                            statuses["dropped"] += 1

                await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        await connector.stop()
    seconds = time.monotonic() - started
    return {
        "2xx": sum(n for s, n in statuses.items() if isinstance(s, int) and 200 <= s < 300),
        "4xx": sum(n for s, n in statuses.items() if isinstance(s, int) and 400 <= s < 500),
        "5xx": sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500),
        "dropped": statuses.get("dropped", 0),
        "by_status": dict(sorted((str(s), n) for s, n in statuses.items())),
        "seconds": round(seconds, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    cases = generate(args.activities, args.seed)
    failed = False
    for kind in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        processes = 2 if kind == "postgresql" else 1
        result = asyncio.run(run(kind, processes, cases, args.concurrency))
        failed |= result["5xx"] > 0 or result["dropped"] > 0
        print(f"fuzz db={kind} processes={processes} activities={len(cases)} 2xx={result['2xx']} "
              f"4xx={result['4xx']} 5xx={result['5xx']} dropped={result['dropped']} seconds={result['seconds']} "
              f"by_status={json.dumps(result['by_status'])}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
