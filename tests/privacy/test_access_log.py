"""The web server's access log: no IP addresses, user agents or link tokens."""
from __future__ import annotations

import logging

import aiohttp
from aiohttp import web

from bot.access_log import PrivateAccessLogger
from tests.fakes.http import serving


async def test_requests_are_logged_by_route_pattern_without_the_token_or_the_client(caplog):
    caplog.set_level(logging.INFO, logger="aiohttp.access")

    async def form(request):
        return web.Response(text="form")

    app = web.Application()
    app.router.add_get("/evaluate/{token}", form)
    async with serving(app, access_log_class=PrivateAccessLogger) as base:
        async with aiohttp.ClientSession(headers={"User-Agent": "Mozilla/5.0 (Sam's iPad)"}) as session:
            for path in ("/evaluate/eyJwIjoiYWJjIn0.c2lnbmF0dXJl?x=1", "/people/sam.senco@school.sch.uk"):
                async with session.get(f"{base}{path}") as response:
                    await response.read()

    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(lines) == 2
    assert lines[0].startswith("GET /evaluate/{token} 200 ")
    assert lines[1].startswith("GET (no route) 404 ")
    for secret in ("eyJ", "c2lnbmF0dXJl", "127.0.0.1", "Mozilla", "iPad", "sam.senco"):
        assert secret not in "\n".join(lines)


def test_sencobot_serve_uses_the_private_access_log(tmp_path, monkeypatch):
    from bot.cli import main

    captured = {}
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/serve.db")
    monkeypatch.setattr(web, "run_app", lambda app, **kwargs: captured.update(kwargs))
    assert main(["serve"]) == 0
    assert captured["access_log_class"] is PrivateAccessLogger
