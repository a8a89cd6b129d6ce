"""Serving an aiohttp app on a free loopback port for the length of a test."""
from __future__ import annotations

import contextlib

from aiohttp import web


@contextlib.asynccontextmanager
async def serving(app: web.Application, **runner_options):
    """Yields the app's base URL (``http://127.0.0.1:PORT``); cleans the runner up afterwards."""
    runner = web.AppRunner(app, **runner_options)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def serving_route(method: str, path: str, handler):
    """Serves one handler at ``path`` (an aiohttp route, so it may hold ``{placeholders}``); yields the full URL
    of the route as written, placeholders and all."""
    app = web.Application()
    app.router.add_route(method, path, handler)
    async with serving(app) as base:
        yield f"{base}{path}"
