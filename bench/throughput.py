"""Throughput of /api/messages: the assistant answering FAQs vs a minimal botbuilder echo bot.

Both bots run as separate processes on the same stack (aiohttp + CloudAdapter, no app id);
this process is the client and the Bot Connector stand-in that receives the replies.
Prints messages per second and p50/p99 latency per POST, then one machine-readable line:
    throughput faq_rps=… echo_rps=… ratio=… faq_p50_ms=… faq_p99_ms=…
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


def activity(service_url: str, text: str, user: int) -> dict:
    return {
        "type": "message",
        "id": uuid.uuid4().hex,
        "text": text,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:bench-user-{user}", "name": f"Bench User {user}", "aadObjectId": f"aad-{user}"},
        "recipient": {"id": "28:bot", "name": "SENCO Forum Assistant"},
        "conversation": {"id": f"a:bench-{user}", "conversationType": "personal"},
        "channelData": {"tenant": {"id": "bench-tenant"}},
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


async def drive(url: str, service_url: str, total: int, concurrency: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))

    async def client(worker: int, session: aiohttp.ClientSession):
        nonlocal errors
        for n in counter:
            body = json.dumps(activity(service_url, QUESTIONS[n % len(QUESTIONS)], worker)).encode()
            started = time.perf_counter()
            async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
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


async def main_async(args) -> None:
    connector = Connector()
    service_url = await connector.start()
    tmp = tempfile.mkdtemp(prefix="sencobot-bench-")
    env = dict(os.environ, DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/bench.db")
    env.pop("MicrosoftAppId", None)
    faq_port, echo_port = free_port(), free_port()
    python = sys.executable
    faq = subprocess.Popen([python, "-m", "bot.cli", "serve", "--port", str(faq_port)], cwd=REPO, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    echo = subprocess.Popen([python, __file__, "--echo-server", str(echo_port)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        faq_url = f"http://127.0.0.1:{faq_port}/api/messages"
        echo_url = f"http://127.0.0.1:{echo_port}/api/messages"
        await wait_ready(faq_url)
        await wait_ready(echo_url)
        # Warm up both (imports, connection pools, SQLite pages) before measuring.
        await drive(faq_url, service_url, 40, args.concurrency)
        await drive(echo_url, service_url, 40, args.concurrency)
        results = {}
        for name, url in (("faq", faq_url), ("echo", echo_url)):
            rps, latencies, errors = await drive(url, service_url, args.messages, args.concurrency)
            results[name] = (rps, pct(latencies, 0.5), pct(latencies, 0.99), errors)
            print(f"{name:5s}: {args.messages} messages, {args.concurrency} concurrent clients: "
                  f"{rps:.1f} msg/s, p50 {pct(latencies, 0.5):.1f} ms, p99 {pct(latencies, 0.99):.1f} ms, "
                  f"mean {statistics.mean(latencies):.1f} ms, errors {errors}")
        faq_rps, faq_p50, faq_p99, _ = results["faq"]
        echo_rps = results["echo"][0]
        print(f"throughput faq_rps={faq_rps:.1f} echo_rps={echo_rps:.1f} ratio={faq_rps / echo_rps:.2f} "
              f"faq_p50_ms={faq_p50:.1f} faq_p99_ms={faq_p99:.1f}")
    finally:
        for process in (faq, echo):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--echo-server", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_server:
        run_echo_server(args.echo_server)
        return
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
