"""A local stand-in for the Bot Connector service: records what the bot sends."""
from __future__ import annotations

import asyncio
import collections
import itertools
import time
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Received:
    method: str
    path: str
    conversation_id: str
    body: dict | None
    headers: dict


@dataclass
class ConnectorStandIn:
    received: list[Received] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    # Responses to give before answering normally: list of (status, headers, body).
    scripted: list[tuple[int, dict, dict]] = field(default_factory=list)
    # Team (conversation) id -> member ids: set for a team, other members get 404 as in Teams.
    rosters: dict[str, set[str]] = field(default_factory=dict)
    member_lookups: list[tuple[str, str]] = field(default_factory=list)   # (conversation id, member id)
    # Retry-After (seconds) for a 429 to the first activity posted in each conversation; None: never.
    throttle_first_per_conversation: float | None = None
    # (monotonic seconds, conversation id) of every activity answered 2xx: what Teams accepted.
    accepted: list[tuple[float, str]] = field(default_factory=list)
    throttled: list[str] = field(default_factory=list)      # conversation ids answered 429

    async def start(self) -> "ConnectorStandIn":
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self._activity)
        app.router.add_post("/v3/conversations/{conversation_id}/activities/{activity_id}", self._activity)
        app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}", self._activity)
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_get("/v3/conversations/{conversation_id}/members/{member_id}", self._member)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _record(self, request: web.Request) -> Received:
        try:
            body = await request.json()
        except Exception:
            body = None
        item = Received(
            method=request.method,
            path=request.path,
            conversation_id=request.match_info.get("conversation_id", ""),
            body=body,
            headers=dict(request.headers),
        )
        self.received.append(item)
        self._arrived.set()
        return item

    async def _activity(self, request: web.Request) -> web.Response:
        item = await self._record(request)
        conversation = item.conversation_id
        if self.throttle_first_per_conversation is not None and conversation not in self.throttled:
            self.throttled.append(conversation)
            return web.json_response({"error": {"code": "Throttled"}}, status=429,
                                     headers={"Retry-After": f"{self.throttle_first_per_conversation:g}"})
        if self.scripted:
            status, headers, body = self.scripted.pop(0)
            if 200 <= status < 300:
                self.accepted.append((time.monotonic(), conversation))
            return web.json_response(body, status=status, headers=headers)
        self.accepted.append((time.monotonic(), conversation))
        return web.json_response({"id": f"reply-{next(self._ids)}"})

    def delivered(self) -> collections.Counter:
        """Accepted activities per conversation."""
        return collections.Counter(conversation for _, conversation in self.accepted)

    def busiest(self, window: float, conversation: str | None = None) -> int:
        """The most activities accepted within any ``window`` seconds (of one conversation, or in all)."""
        times = sorted(t for t, c in self.accepted if conversation is None or c == conversation)
        most, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= window:
                start += 1
            most = max(most, end - start + 1)
        return most

    async def wait_for_accepted(self, count: int, timeout: float = 60.0) -> None:
        async def enough():
            while len(self.accepted) < count:
                self._arrived.clear()
                await self._arrived.wait()

        await asyncio.wait_for(enough(), timeout)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        item = await self._record(request)
        member = ((item.body or {}).get("members") or [{}])[0].get("id", "user")
        return web.json_response({"id": f"a:new-{member}", "serviceUrl": self.url})

    async def _member(self, request: web.Request) -> web.Response:
        member_id = request.match_info["member_id"]
        self.member_lookups.append((request.match_info["conversation_id"], member_id))
        roster = self.rosters.get(request.match_info["conversation_id"])
        if roster is not None and member_id not in roster:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response({"id": member_id, "name": "Test User", "aadObjectId": "aad-" + member_id})

    def activities(self, conversation_id: str | None = None) -> list[dict]:
        return [
            r.body for r in self.received
            if r.body is not None and "/activities" in r.path
            and (conversation_id is None or r.conversation_id == conversation_id)
        ]

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        """Waits until at least ``count`` activities arrived (the bot replies asynchronously)."""
        async def enough():
            while len(self.activities()) < count:
                self._arrived.clear()
                await self._arrived.wait()

        await asyncio.wait_for(enough(), timeout)
        return self.activities()
