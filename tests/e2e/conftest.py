"""The real app on a free port, talking to a local Bot Connector stand-in."""
from __future__ import annotations

import contextlib
import copy
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.app import create_app
from integrations.db import Database
from integrations.db.migrate import upgrade
from tests.fakes.connector import ConnectorStandIn
from tests.fakes.http import serving

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"


def payload(name: str, **changes) -> dict:
    activity = json.loads((PAYLOADS / f"{name}.json").read_text())
    activity = copy.deepcopy(activity)
    activity.update(changes)
    return activity


@dataclass
class RunningBot:
    url: str
    connector: ConnectorStandIn
    session: aiohttp.ClientSession
    app: web.Application

    async def post(self, activity: dict, *, headers: dict | None = None, raw: bytes | None = None):
        activity = dict(activity)
        activity.setdefault("serviceUrl", self.connector.url)
        if raw is None:
            activity["serviceUrl"] = self.connector.url
            data = json.dumps(activity).encode()
        else:
            data = raw
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        async with self.session.post(f"{self.url}/api/messages", data=data, headers=all_headers) as response:
            text = await response.text()
            return response.status, text

    async def say(self, text: str, **changes) -> tuple[int, str]:
        return await self.post(payload("teams_message", text=text, id=uuid.uuid4().hex, **changes))


@contextlib.asynccontextmanager
async def serve_bot(app: web.Application, connector: ConnectorStandIn | None = None):
    """Serves ``app`` on a free loopback port, with ``connector`` or a new stand-in; stops them afterwards."""
    connector = connector or await ConnectorStandIn().start()
    try:
        async with serving(app) as base, aiohttp.ClientSession() as session:
            yield RunningBot(base, connector, session, app)
    finally:
        await connector.stop()


@pytest.fixture
async def running_bot(settings, clock):
    connector = await ConnectorStandIn().start()
    database = Database(settings.database.url)
    await upgrade(database)
    async with serve_bot(create_app(settings, clock=clock, database=database), connector) as bot:
        yield bot
