"""One real app process for multi-process tests: ``python -m tests.fakes.app_process``.

Settings and the clock come from the environment as for ``sencobot serve``; it listens on a free
loopback port and prints ``ready <port>`` once it accepts requests, so a test waits on that line
instead of polling. A test starts one with ``app_process(env)``.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path

from aiohttp import web

from bot.app import create_app
from bot.clock import clock_from_environ
from bot.settings import DEFAULT_CONFIG, load_settings


async def main() -> None:
    settings = load_settings(DEFAULT_CONFIG, environ=os.environ)
    app = create_app(settings, clock=clock_from_environ(os.environ, ticking=True))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(f"ready {site._server.sockets[0].getsockname()[1]}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


ROOT = Path(__file__).resolve().parents[2]


@contextlib.asynccontextmanager
async def app_process(env: dict):
    """Runs this module as its own process with ``env``; yields the process and its messaging endpoint once it
    is ready, and stops it afterwards (unless the test already has)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.app_process", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        assert line.startswith(b"ready "), line
        yield process, f"http://127.0.0.1:{int(line.split()[1])}/api/messages"
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


if __name__ == "__main__":
    asyncio.run(main())
