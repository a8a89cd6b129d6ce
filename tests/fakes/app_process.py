"""One real app process for multi-process tests: ``python -m tests.fakes.app_process``.

Settings and the clock come from the environment as for ``sencobot serve``; it listens on a free
loopback port and prints ``ready <port>`` once it accepts requests, so a test waits on that line
instead of polling.
"""
from __future__ import annotations

import asyncio
import os

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


if __name__ == "__main__":
    asyncio.run(main())
