"""Thousands of malformed and odd activities posted to the running app: no 500, no crash, no damage.

Hypothesis drives plain synchronous HTTP, so the app runs on its own event loop in a
worker thread. The only serviceUrl the bot can reply to is the local stand-in's: the
generated junk never makes it talk to anything else.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import logging
import os
import threading
import uuid

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from sqlalchemy import text as sql

from bot.app import ASSISTANT_KEY, create_app
from integrations.db import Database
from integrations.db.migrate import upgrade
from tests.e2e.conftest import payload
from tests.fakes.connector import ConnectorStandIn

# SENCOBOT_FUZZ_EXAMPLES=20000 for a longer hunt; the default keeps the suite quick.
EXAMPLES = int(os.environ.get("SENCOBOT_FUZZ_EXAMPLES", "1500"))


class ThreadedBot:
    """The real app and a Bot Connector stand-in, served from a loop in a worker thread."""

    def __init__(self, settings, clock):
        self._settings = settings
        self._clock = clock
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="fuzzed-bot", daemon=True)

    def __enter__(self) -> "ThreadedBot":
        self._thread.start()
        self.run(self._start())
        self._http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return self

    def __exit__(self, *exc) -> None:
        self._http.close()
        self.run(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    async def _start(self) -> None:
        self.connector = await ConnectorStandIn().start()
        self.database = Database(self._settings.database.url)
        await upgrade(self.database)
        from aiohttp import web

        self.app = create_app(self._settings, clock=self._clock, database=self.database, run_background=False)
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        await self._runner.cleanup()
        await self.connector.stop()

    def post(self, body: bytes, content_type: str = "application/json") -> tuple[int, bytes]:
        try:
            self._http.request("POST", "/api/messages", body=body, headers={"Content-Type": content_type})
            response = self._http.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, ConnectionError):
            # The server may close a connection after refusing a body; open a new one and retry once.
            self._http.close()
            self._http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self._http.request("POST", "/api/messages", body=body, headers={"Content-Type": content_type})
            response = self._http.getresponse()
            return response.status, response.read()

    def get(self, path: str) -> tuple[int, bytes]:
        self._http.request("GET", path)
        response = self._http.getresponse()
        return response.status, response.read()


# -- strategies --------------------------------------------------------------------------------------
# Kept small on purpose: generation must stay cheap so that most of the time goes to the app.

lone_surrogates = st.integers(0xD800, 0xDFFF).map(chr)
odd_characters = st.one_of(
    st.characters(),
    st.characters(categories=["Cc", "Cf", "Co", "Zl", "Zp", "Mn"]),
    lone_surrogates,
    st.sampled_from(["\u202e", "\u200b", "\ufeff", "\x00", "\ufffd", "👩‍👧‍👦", "ﷺ", "𒐫", "\r\n", "<at>", "</at>"]),
)
odd_text = st.lists(odd_characters, max_size=20).map("".join)
plausible_text = st.sampled_from([
    "help", "cancel", "ask", "book", "my bookings", "reminders", "evaluate", "my tribunal dates",
    "when do NPQ applications close?", "what is the school's role at tribunal?", "1", "2", "yes", "no",
    "book the induction meeting in Maidstone", "inbox", "deadlines", "stop reminders",
])
huge_text = st.tuples(st.sampled_from(["a", "é", "字", "🙂", " ", "\u0301", "\udc80", "<at>x</at>"]),
                      st.integers(1_000, 70_000)).map(lambda pair: pair[0] * pair[1])
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                    st.floats(allow_nan=False, allow_infinity=False), odd_text)
junk = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(odd_text, inner, max_size=3)),
                    max_leaves=6)
deep_junk = st.integers(5, 400).map(lambda depth: json.loads("[" * depth + "]" * depth))
ids = st.one_of(st.uuids().map(str), st.sampled_from(["", "29:user", "28:bot", "29:x" * 100]), odd_text)
account = st.fixed_dictionaries({}, optional={"id": st.one_of(ids, junk), "name": odd_text,
                                              "aadObjectId": st.one_of(st.uuids().map(str), junk)})
mention = st.fixed_dictionaries({"type": st.sampled_from(["mention", "clientInfo", "Mention", ""])}, optional={
    "text": st.one_of(st.just("<at>SENCO Forum Assistant</at>"), junk),
    "mentioned": st.one_of(st.just({"id": "28:0b7c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3"}), account, junk)})
card_data = st.fixed_dictionaries(
    {"action": st.one_of(st.sampled_from(["help", "faq.helpful", "faq.escalate", "bookings.confirm",
                                          "inbox.answer", "evaluation.submit", "reminders.set", "x"]), junk)},
    optional={"id": junk, "rating": junk, "event": junk, "choice": junk})

# Each field of an activity with the odd values it may take (besides junk, always possible).
FIELDS = {
    "type": st.sampled_from(["message", "invoke", "conversationUpdate", "event", "messageReaction",
                             "installationUpdate", "typing", "endOfConversation", "trace", "messageUpdate",
                             "messageDelete", "command", "unknownType", ""]),
    "serviceUrl": st.sampled_from(["", "ftp://127.0.0.1/", "not a url", "127.0.0.1"]),
    "id": ids,
    "text": st.one_of(plausible_text, odd_text, huge_text),
    "textFormat": st.sampled_from(["plain", "markdown", "xml"]),
    "channelId": st.sampled_from(["msteams", "emulator", "webchat", "console", "directline", ""]),
    "from": account,
    "recipient": account,
    "conversation": st.fixed_dictionaries({}, optional={"id": st.one_of(ids, junk), "tenantId": junk,
                                                        "conversationType": odd_text}),
    "value": st.one_of(card_data, deep_junk, st.just({"action": {"type": "Action.Execute",
                                                                 "data": {"action": "help"}}})),
    "name": st.sampled_from(["adaptiveCard/action", "task/fetch", "composeExtension/query",
                             "signin/verifyState", "application/search", "ContinueConversation"]),
    "membersAdded": st.lists(account, max_size=3),
    "membersRemoved": st.lists(account, max_size=3),
    "entities": st.lists(mention, max_size=3),
    "attachments": st.lists(st.fixed_dictionaries({}, optional={"contentType": odd_text, "content": junk}),
                            max_size=2),
    "channelData": st.fixed_dictionaries({}, optional={"tenant": st.one_of(
        st.fixed_dictionaries({}, optional={"id": st.one_of(odd_text, junk)}), junk), "eventType": junk}),
    "timestamp": st.sampled_from(["2026-11-26T10:00:01.1234567Z", "yesterday", "9999-99-99T99:99:99Z"]),
    "locale": odd_text,
    "replyToId": ids,
    "relatesTo": junk,
    "unknownField": junk,
}
DELETE = object()
change = st.sampled_from(sorted(FIELDS)).flatmap(
    lambda name: st.tuples(st.just(name), st.one_of(FIELDS[name], FIELDS[name], junk, st.just(DELETE))))


def mutated(changes) -> dict:
    """A real Teams message (or card action) with a few fields changed, dropped or made odd."""
    base_name, changes = changes
    body = payload(base_name, id=uuid.uuid4().hex, serviceUrl="CONNECTOR")
    for name, value in changes:
        if value is DELETE:
            body.pop(name, None)
        else:
            body[name] = value
    return body


mutated_activity = st.tuples(
    st.sampled_from(["teams_message", "teams_message", "teams_invoke_card_action", "teams_conversation_update"]),
    st.lists(change, min_size=1, max_size=3),
).map(mutated)
# Mostly near-real activities (they reach the handler); some wholly junk ones (they test the gate).
activity = st.one_of(mutated_activity, mutated_activity, mutated_activity,
                     st.dictionaries(st.sampled_from(sorted(FIELDS)), junk, max_size=6))
raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([b"", b"null", b"[]", b"{}", b'{"type":', b'"\\ud800"', b"[" * 3000 + b"]" * 3000,
                     b"{" * 5000, b"\xff\xfe{}", b'{"type":"message","text":"\\udc00\\ud800"}']),
)


def encode(body: dict, connector_url: str, ensure_ascii: bool) -> bytes:
    if body.get("serviceUrl") == "CONNECTOR":
        body = {**body, "serviceUrl": connector_url}
    # ensure_ascii escapes lone surrogates as \\udXXX, as a JSON sender would have to.
    return json.dumps(body, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")


@pytest.fixture
def fuzzed_bot(settings, clock):
    with ThreadedBot(settings, clock) as bot:
        yield bot


def test_thousands_of_odd_activities_never_break_the_app(fuzzed_bot, caplog):
    caplog.set_level(logging.ERROR)
    outcomes: dict[int, int] = {}

    as_json = st.tuples(st.just("activity"), activity, st.booleans())

    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck))
    @given(st.one_of(as_json, as_json, as_json, as_json,
                     st.tuples(st.just("raw"), raw_bodies, st.sampled_from(["application/json", "text/plain"]))))
    def post_one(case):
        caplog.clear()
        kind, body, option = case
        if kind == "raw":
            status, answer = fuzzed_bot.post(body, option)
        else:
            status, answer = fuzzed_bot.post(encode(body, fuzzed_bot.connector.url, ensure_ascii=option))
        outcomes[status] = outcomes.get(status, 0) + 1
        # 501 is the SDK's answer to an invoke name no handler implements: a refusal, not a failure.
        assert status < 500 or status == 501, (status, answer[:200])
        failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert not failures, [r.getMessage() for r in failures[:3]]

    post_one()
    print("fuzz outcomes by status:", dict(sorted(outcomes.items())))
    assert sum(outcomes.values()) >= EXAMPLES
    assert outcomes.get(201, 0) + outcomes.get(200, 0) > EXAMPLES // 10, f"too few reached a turn: {outcomes}"
    assert outcomes.get(400, 0) > EXAMPLES // 10, f"too few were malformed: {outcomes}"

    # Still healthy: a normal question gets a normal answer, and every table can be read. It comes in a
    # conversation of its own: the storm's hundreds of replies used up Teams' allowance for the payload's
    # conversation (60 per 30 s), so a reply there is rightly queued for later rather than sent now.
    conversation = {"id": "a:after-the-storm", "conversationType": "personal"}
    question = payload("teams_message", id=uuid.uuid4().hex, serviceUrl=fuzzed_bot.connector.url,
                       conversation=conversation, **{"from": {"id": "29:after-the-storm", "name": "Sam Senco"}})
    status, _ = fuzzed_bot.post(json.dumps(question).encode())
    assert status == 201
    replies = fuzzed_bot.connector.activities("a:after-the-storm")
    assert replies and "NPQ" in json.dumps(replies[-1]) and "6 April 2025" in json.dumps(replies[-1])
    assert fuzzed_bot.get("/healthz")[0] == 200

    async def read_every_table():
        from integrations.db.metadata import metadata

        import integrations.db.tables  # noqa: F401

        counts = {}
        async with fuzzed_bot.database.engine.connect() as conn:
            for table in metadata.sorted_tables:
                counts[table.name] = (await conn.execute(sql(f'SELECT COUNT(*) FROM "{table.name}"'))).scalar()
        return counts

    counts = fuzzed_bot.run(read_every_table())
    assert counts["conversation_refs"] >= 1
    services = fuzzed_bot.app[ASSISTANT_KEY].core
    stored = fuzzed_bot.run(services.references.all())
    assert all(isinstance(r.user_id, str) and r.user_id for r in stored)
