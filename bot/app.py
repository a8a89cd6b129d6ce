"""The web app: ``create_app(settings)`` builds it; nothing happens at import time.

``/api/messages`` parses and answers Bot Framework activities itself instead of
``CloudAdapter.process``: that method in botbuilder-integration-aiohttp 4.17.1
serialises invoke bodies twice (500), and turns a malformed body into a 500.
"""
from __future__ import annotations

import json
import logging
import re
from importlib.metadata import PackageNotFoundError, version
from typing import Optional

from aiohttp import web
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity

from bot.background import periodic
from bot.clock import Clock, pacing_seconds
from bot.replies import ReplyAdapter, SdkTokens
from bot.reminders.assembly import build_sender
from bot.security import SigningKeys, TenantGate, TokenGate, bot_framework_config, openid_metadata_url, token_issuer
from bot.settings import Settings, SettingsError
from bot.signed_links import MISSING_KEY
from bot.assistant import Assistant, build_assistant
from bot.core import Core, build_core
from integrations.db import Database

log = logging.getLogger(__name__)

ASSISTANT_KEY = web.AppKey("assistant", Assistant)
ADAPTER_KEY = web.AppKey("adapter", CloudAdapter)
TOKEN_GATE_KEY = web.AppKey("token_gate", TokenGate)


def app_version() -> str:
    try:
        return version("sencobot")
    except PackageNotFoundError:
        return "0+unknown"


def create_adapter(settings: Settings, *, credentials_factory=None, core: Optional[Core] = None) -> CloudAdapter:
    """The Teams adapter. ``credentials_factory`` replaces how outgoing tokens are obtained (tests).

    With ``core`` (the app), replies go through the process's one paced sender (bot.replies);
    without, it is the SDK's own adapter (kept for the settings checks that only inspect it)."""
    config = bot_framework_config(settings)
    authentication = ConfigurationBotFrameworkAuthentication(config, credentials_factory=credentials_factory)
    if core is None:
        adapter = CloudAdapter(authentication)
    else:
        if credentials_factory is not None:
            factory = credentials_factory
            core.outgoing.replace_sender_factory(lambda session: build_sender(
                session, settings, core.clock, core.database, now=pacing_seconds,
                tokens=SdkTokens(factory, app_id=settings.bot.app_id, scope=config.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
                                 login_endpoint=config.TO_CHANNEL_FROM_BOT_LOGIN_URL)))
        adapter = ReplyAdapter(authentication, core.outgoing, overflow=_overflow_to_outbox(core))
    if settings.bot.allowed_tenants:
        adapter.use(TenantGate(settings.bot.allowed_tenants, settings.bot.service_area))
    return adapter


def create_app(
    settings: Settings,
    *,
    clock: Optional[Clock] = None,
    database: Optional[Database] = None,
    core: Optional[Core] = None,
    run_background: bool = True,
    credentials_factory=None,
) -> web.Application:
    if settings.bot.app_id and not settings.link_signing_key:
        raise SettingsError(MISSING_KEY)
    if core is None:
        if clock is None:
            raise TypeError("create_app needs the process clock (or a Core built with one)")
        core = build_core(settings, clock=clock, database=database)
    assistant = build_assistant(core)
    adapter = create_adapter(settings, credentials_factory=credentials_factory, core=core)
    # Teams' tokens are a few KB; aiohttp's own limit (8 KB a header) answers a longer one with a 400 that
    # quotes the header's start (the token) and logs a traceback. Up to 64 KB reaches the token gate,
    # which refuses it quietly.
    app = web.Application(client_max_size=settings.server.max_body_bytes,
                          handler_args={"max_field_size": MAX_HEADER_BYTES, "max_line_size": MAX_HEADER_BYTES})
    app[ASSISTANT_KEY] = assistant
    app[ADAPTER_KEY] = adapter
    if settings.bot.app_id:
        keys = SigningKeys(openid_metadata_url(settings), core.clock)
        app[TOKEN_GATE_KEY] = TokenGate(adapter.bot_framework_authentication, token_issuer(settings), keys)
        if run_background:
            app.cleanup_ctx.append(periodic("signing key refresh", keys.refresh, 6 * 3600, clock=core.clock))
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    for route in assistant.registry.web_routes:
        app.router.add_route(route.method, route.path, route.handler)
    if run_background:
        app.cleanup_ctx.append(periodic("processed-activity purge", _processed_purge(core), 3600, clock=core.clock))
        for task in assistant.registry.jobs:
            app.cleanup_ctx.append(task)
    app.on_cleanup.append(_dispose_database(core))
    return app


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def messages(request: web.Request) -> web.Response:
    assistant = request.app[ASSISTANT_KEY]
    adapter = request.app[ADAPTER_KEY]
    settings = assistant.core.settings
    if "application/json" not in request.headers.get("Content-Type", ""):
        return _error(415, "expected Content-Type: application/json")
    if request.content_length is not None and request.content_length > settings.server.max_body_bytes:
        return _error(413, "request body too large")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _error(413, "request body too large")
    try:
        # Decoded strictly first: json.loads(bytes) would let UTF-8-encoded lone surrogates through.
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return _error(400, "body is not valid JSON")
    except RecursionError:
        return _error(400, "body is nested too deeply")
    if not isinstance(body, dict):
        return _error(400, "body must be a JSON object (a Bot Framework activity)")
    if _nesting_depth(body) > MAX_BODY_NESTING:
        # Deeper structures than any Teams activity would exhaust recursion later in the SDK.
        return _error(400, "body is nested too deeply")
    if _ESCAPED_SURROGATE.search(raw):
        # JSON may escape a lone UTF-16 surrogate; Python keeps it, and the database then refuses it.
        body = _without_lone_surrogates(body)
    if b"\\u0000" in raw:
        # PostgreSQL refuses NUL in text; no Teams client sends one, so it is dropped, not refused.
        body = _without_nul(body)
    problem = _raw_problem(body) or _size_problem(body)
    if problem:
        return _error(400, problem)
    try:
        activity = Activity().deserialize(body)
    except Exception:
        return _error(400, "body is not a valid activity")
    problem = _activity_problem(activity)
    if problem:
        return _error(400, problem)
    if settings.bot.app_id:
        # Authenticated here rather than inside process_activity, so that every way a
        # token can be wrong is a 401 and never reaches the turn.
        auth = await request.app[TOKEN_GATE_KEY].authenticate(activity, request.headers.get("Authorization"))
        if auth is None:
            return _error(401, "unauthorised")
    else:
        # With no app id there is nothing to verify a token against, and the SDK would try to
        # parse one anyway (garbage -> 500): anonymous mode ignores the header.
        auth = ""
    try:
        invoke_response = await adapter.process_activity(auth, activity, assistant.bot.on_turn)
    except PermissionError:
        return _error(401, "unauthorised")
    except Exception:
        log.exception("activity processing failed before the turn")
        return _error(500, "internal error")
    if invoke_response is not None:
        if invoke_response.body is None:
            return web.Response(status=invoke_response.status)
        return web.Response(
            status=invoke_response.status,
            body=json.dumps(_serialise(invoke_response.body)),
            content_type="application/json",
        )
    return web.Response(status=201)


MAX_BODY_NESTING = 64
MAX_HEADER_BYTES = 65536
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
# json pairs escaped surrogates into one code point, so any surrogate left in a str is alone.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value):
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item) for key, item in value.items()}
    return value


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


# The longest value each stored field of an activity may have: the column it ends up in (bot state
# keys are "<channel>/conversations/<id>", 512 in all; conversation references; the done marks).
# Ids are refused rather than cut, since two long ids cut alike would become one person.
ID_LIMITS = {
    ("id",): 256,
    ("channelId",): 64,
    ("serviceUrl",): 512,
    ("from", "id"): 256,
    ("from", "aadObjectId"): 128,
    ("recipient", "id"): 256,
    ("conversation", "id"): 400,
    ("conversation", "tenantId"): 128,
    ("channelData", "tenant", "id"): 128,
}
# Display names are only shown, so a long one is shortened instead.
NAME_LIMIT = 256


def _size_problem(body: dict) -> Optional[str]:
    for path, limit in ID_LIMITS.items():
        value = body
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and len(value) > limit:
            return f"activity field {'.'.join(path)} is longer than {limit} characters"
        if value is not None and len(path) > 1 and not isinstance(value, str):
            return f"activity field {'.'.join(path)} must be a string"
    for holder in ("from", "recipient", "conversation"):
        part = body.get(holder)
        if isinstance(part, dict) and isinstance(part.get("name"), str) and len(part["name"]) > NAME_LIMIT:
            part["name"] = part["name"][:NAME_LIMIT]
    return None


def _nesting_depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            if depth <= MAX_BODY_NESTING:
                stack.extend((child, depth + 1) for child in item if isinstance(child, (dict, list)))
    return deepest


def _serialise(body):
    if body is None:
        return None
    if hasattr(body, "serialize"):
        return body.serialize()
    return body


def _raw_problem(body: dict) -> Optional[str]:
    """Type checks on the JSON itself: the SDK's deserialiser silently coerces wrong types."""
    for key in ("type", "serviceUrl", "id", "text", "channelId", "name"):
        if key in body and body[key] is not None and not isinstance(body[key], str):
            return f"activity field {key} must be a string"
    for key in ("conversation", "from", "recipient"):
        if key in body and body[key] is not None:
            if not isinstance(body[key], dict):
                return f"activity field {key} must be an object"
            if "id" in body[key] and not isinstance(body[key]["id"], str):
                return f"activity field {key}.id must be a string"
    for key in ("membersAdded", "membersRemoved", "attachments", "entities"):
        if key in body and body[key] is not None:
            if not isinstance(body[key], list) or not all(isinstance(item, dict) for item in body[key]):
                return f"activity field {key} must be a list of objects"
    if "channelData" in body and body["channelData"] is not None and not isinstance(body["channelData"], dict):
        return "activity field channelData must be an object"
    return None


def _activity_problem(activity: Activity) -> Optional[str]:
    if not isinstance(activity.type, str) or not activity.type:
        return "activity has no type"
    if not isinstance(activity.service_url, str) or not activity.service_url.startswith(("http://", "https://")):
        return "activity has no valid serviceUrl"
    if not isinstance(activity.channel_id, str) or not activity.channel_id:
        # Bot state is keyed by channel; the SDK raises deep inside a turn without one.
        return "activity has no channelId"
    conversation = activity.conversation
    if conversation is None or not isinstance(getattr(conversation, "id", None), str) or not conversation.id:
        return "activity has no conversation id"
    sender = activity.from_property
    if activity.type in ("message", "invoke") and (sender is None or not isinstance(sender.id, str) or not sender.id):
        return "activity has no sender"
    if activity.text is not None and not isinstance(activity.text, str):
        return "activity text must be a string"
    return None


async def healthz(request: web.Request) -> web.Response:
    core = request.app[ASSISTANT_KEY].core
    ok = await core.database.ping()
    body = {
        "status": "ok" if ok else "unavailable",
        "database": "reachable" if ok else "unreachable",
        "version": app_version(),
        "knowledge_entries": len(core.answerer.answerer.kb.entries),
    }
    return web.json_response(body, status=200 if ok else 503)


def _processed_purge(core: Core):
    async def purge() -> None:
        await core.processed.purge_expired(core.clock.now())
        # Messages counted against the per-user limit matter for one window (a minute); then they go.
        await core.limiter.purge()

    return purge


def _dispose_database(core: Core):
    async def dispose(app):
        await core.outgoing.close()
        await core.database.dispose()

    return dispose


def _overflow_to_outbox(core: Core):
    """A reply Teams keeps throttling becomes a queued message the background sender delivers."""
    from bot.notify import Notice

    async def overflow(user_id: str, key: str, text: str, card: Optional[dict]) -> None:
        await core.notifier.notify(Notice(user_id=user_id, text=text, idempotency_key=key, kind="reply", card=card))

    return overflow
