"""Throughput of /api/messages: the assistant answering FAQs vs a minimal botbuilder echo bot.

Both bots run as separate processes on the same stack (aiohttp + botbuilder, no app id);
this process is the client and the Bot Connector stand-in that receives the replies.
Messages come from ``--users`` people (so nobody trips the assistant's 30-a-minute limit,
which would make refused messages look like cheap answers) in ``--tenants`` tenants (Teams
allows a bot 50 requests a second per tenant, and the assistant keeps under that; the echo
bot does not). Each run measures both bots in alternating slices (so a busy spell on a shared
machine falls on both alike); the ratio quoted is the median over ``--runs``.
Prints messages per second and p50/p99 latency per POST, then machine-readable lines:
    throughput run=… faq_rps=… echo_rps=… ratio=… faq_p50_ms=… faq_p99_ms=… replies=…/…
    throughput median_ratio=… runs=…

``--scale-out`` instead measures the assistant on PostgreSQL (``--pg``): one process, then two
processes on the same database with the client sending round-robin:
    scale_out one_rps=… two_rps=… speedup=…
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from aiohttp import web

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

QUESTIONS = [
    "when do NPQ applications close?",
    "what is the school's role at a tribunal hearing?",
    "when does LIFT end?",
    "who do I contact about the Continuum of Need and Provision?",
    "where is the West induction meeting?",
    "what must a witness statement include?",
    "when is the Term 5 forum?",
    "how long do parents have to register an appeal?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_echo_server(port: int) -> None:
    """The reference: the smallest botbuilder bot on the same stack."""
    from types import SimpleNamespace

    from botbuilder.core import ActivityHandler, TurnContext
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

    class EchoBot(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext):
            await turn_context.send_activity(f"Echo: {turn_context.activity.text}")

    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    bot = EchoBot()

    async def messages(request):
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=port, print=None)


class Connector:
    def __init__(self):
        self.replies = 0

    async def start(self) -> str:
        app = web.Application()

        async def activity(request):
            await request.read()
            self.replies += 1
            return web.json_response({"id": str(self.replies)})

        app.router.add_post("/v3/conversations/{cid}/activities", activity)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", activity)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return f"http://127.0.0.1:{port}/"


def activity(service_url: str, text: str, user: int, tenants: int = 1) -> dict:
    return {
        "type": "message",
        "id": uuid.uuid4().hex,
        "text": text,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:bench-user-{user}", "name": f"Bench User {user}", "aadObjectId": f"aad-{user}"},
        "recipient": {"id": "28:bot", "name": "SENCO Forum Assistant"},
        "conversation": {"id": f"a:bench-{user}", "conversationType": "personal"},
        "channelData": {"tenant": {"id": f"bench-tenant-{user % max(1, tenants)}"}},
    }


async def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.post(url, data=b"{}", headers={"Content-Type": "application/json"}) as r:
                    if r.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


async def drive(urls, service_url: str, total: int, concurrency: int, *, users: int = 64,
                tenants: int = 8) -> tuple[float, list[float], int]:
    """``urls``: one server, or several that take turns (round-robin, as a load balancer would)."""
    urls = [urls] if isinstance(urls, str) else list(urls)
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))

    async def client(worker: int, session: aiohttp.ClientSession):
        nonlocal errors
        for n in counter:
            body = json.dumps(activity(service_url, QUESTIONS[n % len(QUESTIONS)], n % users, tenants)).encode()
            started = time.perf_counter()
            async with session.post(urls[n % len(urls)], data=body,
                                    headers={"Content-Type": "application/json"}) as r:
                await r.read()
                if r.status >= 300:
                    errors += 1
            latencies.append((time.perf_counter() - started) * 1000)

    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(w, session) for w in range(concurrency)))
        elapsed = time.perf_counter() - started
    return total / elapsed, latencies, errors


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def start_assistant(port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_all(processes) -> None:
    for process in processes:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def base_env(database_url: str) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url)
    env.pop("MicrosoftAppId", None)
    return env


async def measure(name: str, urls, connector: "Connector", service_url: str, args) -> tuple:
    before = connector.replies
    rps, latencies, errors = await drive(urls, service_url, args.messages, args.concurrency,
                                         users=args.users, tenants=args.tenants)
    replies = connector.replies - before
    print(f"{name:5s}: {args.messages} messages, {args.concurrency} concurrent clients: "
          f"{rps:.1f} msg/s, p50 {pct(latencies, 0.5):.1f} ms, p99 {pct(latencies, 0.99):.1f} ms, "
          f"mean {statistics.mean(latencies):.1f} ms, errors {errors}, replies {replies}", flush=True)
    return rps, pct(latencies, 0.5), pct(latencies, 0.99), errors, replies


async def interleaved(faq_url: str, echo_url: str, connector: "Connector", service_url: str, args) -> tuple:
    """Both bots in alternating slices, so a busy spell on a shared machine falls on both alike."""
    timing = {"faq": [0.0, [], 0, 0], "echo": [0.0, [], 0, 0]}     # seconds, latencies, errors, replies
    per_slice = max(1, args.messages // args.slices)
    for _ in range(args.slices):
        for name, url in (("faq", faq_url), ("echo", echo_url)):
            before = connector.replies
            started = time.perf_counter()
            _, latencies, errors = await drive(url, service_url, per_slice, args.concurrency,
                                               users=args.users, tenants=args.tenants)
            entry = timing[name]
            entry[0] += time.perf_counter() - started
            entry[1].extend(latencies)
            entry[2] += errors
            entry[3] += connector.replies - before
    total = per_slice * args.slices
    for name, (seconds, latencies, errors, replies) in timing.items():
        print(f"{name:5s}: {total} messages, {args.concurrency} concurrent clients: "
              f"{total / seconds:.1f} msg/s, p50 {pct(latencies, 0.5):.1f} ms, p99 {pct(latencies, 0.99):.1f} ms, "
              f"mean {statistics.mean(latencies):.1f} ms, errors {errors}, replies {replies}", flush=True)
    faq, echo = timing["faq"], timing["echo"]
    return total / faq[0], pct(faq[1], 0.5), pct(faq[1], 0.99), faq[3], total / echo[0]


async def main_async(args) -> None:
    connector = Connector()
    service_url = await connector.start()
    tmp = tempfile.mkdtemp(prefix="sencobot-bench-")
    env = base_env(f"sqlite+aiosqlite:///{tmp}/bench.db")
    faq_port, echo_port = free_port(), free_port()
    faq = start_assistant(faq_port, env)
    echo = subprocess.Popen([sys.executable, __file__, "--echo-server", str(echo_port)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        faq_url = f"http://127.0.0.1:{faq_port}/api/messages"
        echo_url = f"http://127.0.0.1:{echo_port}/api/messages"
        await wait_ready(faq_url)
        await wait_ready(echo_url)
        # Warm up both (imports, connection pools, SQLite pages) before measuring.
        await drive(faq_url, service_url, 40, args.concurrency, users=args.users, tenants=args.tenants)
        await drive(echo_url, service_url, 40, args.concurrency, users=args.users, tenants=args.tenants)
        ratios = []
        for run in range(1, args.runs + 1):
            faq_rps, faq_p50, faq_p99, replies, echo_rps = await interleaved(faq_url, echo_url, connector,
                                                                              service_url, args)
            ratios.append(faq_rps / echo_rps)
            print(f"throughput run={run} faq_rps={faq_rps:.1f} echo_rps={echo_rps:.1f} ratio={faq_rps / echo_rps:.2f} "
                  f"faq_p50_ms={faq_p50:.1f} faq_p99_ms={faq_p99:.1f} replies={replies}/{args.messages}", flush=True)
        print(f"throughput median_ratio={statistics.median(ratios):.2f} runs={len(ratios)} "
              f"ratios={','.join(f'{r:.2f}' for r in ratios)}")
    finally:
        stop_all((faq, echo))


async def scale_out_async(args) -> None:
    import asyncpg

    connector = Connector()
    service_url = await connector.start()
    name = f"sencobot_bench_{uuid.uuid4().hex[:8]}"
    admin = args.pg.replace("postgresql://", "postgres://")
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    env = base_env(args.pg.rsplit("/", 1)[0] + f"/{name}")
    processes = []
    try:
        subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], cwd=REPO, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        ports = [free_port(), free_port()]
        processes = [start_assistant(port, env) for port in ports]
        urls = [f"http://127.0.0.1:{port}/api/messages" for port in ports]
        for url in urls:
            await wait_ready(url)
            await drive(url, service_url, 40, args.concurrency, users=args.users, tenants=args.tenants)
        results = {"one": [], "two": []}
        for run in range(1, args.runs + 1):
            results["one"].append((await measure("one", urls[0], connector, service_url, args))[0])
            results["two"].append((await measure("two", urls, connector, service_url, args))[0])
        one, two = statistics.median(results["one"]), statistics.median(results["two"])
        print(f"scale_out one_rps={one:.1f} two_rps={two:.1f} speedup={two / one:.2f} runs={args.runs} "
              f"(medians; database PostgreSQL, {args.concurrency} concurrent clients)")
    finally:
        stop_all(processes)
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--tenants", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--slices", type=int, default=4, help="alternating slices per run (noisy machines)")
    parser.add_argument("--scale-out", action="store_true", help="PostgreSQL, one process vs two (round-robin)")
    parser.add_argument("--pg", default=os.environ.get("SENCOBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--echo-server", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_server:
        run_echo_server(args.echo_server)
        return
    asyncio.run(scale_out_async(args) if args.scale_out else main_async(args))


if __name__ == "__main__":
    main()
