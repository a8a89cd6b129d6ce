"""Every outgoing Bot Connector call goes through one paced sender, turn replies included.

``Outgoing`` owns the process's one aiohttp session and one ``TeamsSender`` (per-conversation
and per-tenant pacing, 429/503 retries). The reminder scheduler delivers the durable outbox
through it, and ``ReplyAdapter`` sends a turn's replies through it instead of the SDK's
msrest connector client.

Why not the SDK's path: CloudAdapter builds a new msrest ConnectorClient and UserTokenClient
for every incoming activity (about 6 ms of CPU each, most of it msrest's retry-code list),
sends every reply with ``requests`` in a small shared thread pool, never retries a 429, and so
fails the whole turn when Teams throttles one reply.

A reply that is still throttled after a short wait is queued in the durable outbox (the one
reminders use) under a key derived from the incoming activity, and the background sender
delivers it; the turn goes on as if it had been sent.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, Optional

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, ResourceResponse
from botframework.connector import Channels

from bot.clock import Clock
from integrations.teams_sender import ADAPTIVE_CARD, Recipient, SendResult, TeamsSender

log = logging.getLogger(__name__)

# Overflow(user_id, key, text, card) -> None: queues a reply for the background sender.
Overflow = Callable[[str, str, str, Optional[dict]], Awaitable[None]]

# turn_state key: while present (a list), a turn's replies are collected there instead of sent, so they
# can be committed with the turn (bot.handler) and sent after that commit.
HELD_REPLIES = "senco.held_replies"


class Outgoing:
    """The process's one session and sender; built on first use inside the running event loop."""

    def __init__(self, make_sender: Callable[[aiohttp.ClientSession], TeamsSender]):
        self._make_sender = make_sender
        self._session: Optional[aiohttp.ClientSession] = None
        self._sender: Optional[TeamsSender] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    def replace_sender_factory(self, make_sender: Callable[[aiohttp.ClientSession], TeamsSender]) -> None:
        self._make_sender = make_sender
        self._sender = None

    def sender(self) -> TeamsSender:
        loop = asyncio.get_running_loop()
        if self._sender is None or self._loop is not loop:
            # A session is bound to its loop; a second loop (a CLI command, a test) gets its own.
            if self._session is None or self._loop is not loop:
                self._session = aiohttp.ClientSession()
            self._loop = loop
            self._sender = self._make_sender(self._session)
        return self._sender

    async def close(self) -> None:
        session, self._session, self._sender = self._session, None, None
        if session is not None and self._loop is asyncio.get_running_loop():
            await session.close()


@dataclass(frozen=True)
class TurnReplyPolicy:
    # One retry after a 429 or a transient error keeps a turn short; after that the outbox takes over.
    throttle_retries: int = 1
    transient_retries: int = 1
    # Longest a turn waits for a send slot or a Retry-After before handing the reply to the outbox.
    max_wait_seconds: float = 3.0


class ReplyAdapter(CloudAdapter):
    """CloudAdapter whose turns send through ``Outgoing`` and build no per-turn SDK clients."""

    def __init__(self, authentication, outgoing: Outgoing, *, overflow: Optional[Overflow] = None,
                 policy: TurnReplyPolicy = TurnReplyPolicy()):
        super().__init__(authentication)
        self.outgoing = outgoing
        self.overflow = overflow
        self.policy = policy
        # (service url, audience) -> connector client, for the rare SDK call that needs one (roster).
        self._clients: dict[tuple, object] = {}

    async def process_activity(self, auth_header_or_authenticate_request_result, activity: Activity, logic):
        result = (
            await self.bot_framework_authentication.authenticate_request(activity, auth_header_or_authenticate_request_result)
            if isinstance(auth_header_or_authenticate_request_result, str)
            else auth_header_or_authenticate_request_result
        )
        activity.caller_id = result.caller_id
        connector_client = await self._connector_client(result, activity.service_url)
        # No UserTokenClient: the assistant has no sign-in (OAuth) prompts, and building one costs as
        # much as a connector client.
        context = self._create_turn_context(activity, result.claims_identity, result.audience, connector_client,
                                            None, logic, result.connector_factory)
        await self.run_pipeline(context, logic)
        return self._process_turn_results(context)

    async def _connector_client(self, result, service_url: str):
        if not result.connector_factory:
            raise PermissionError("no connector factory for this request")
        # The SDK makes a new factory per request, but for one bot (one app id) its clients are
        # interchangeable: only the service URL and the audience tell them apart.
        key = (type(result.connector_factory), service_url, result.audience)
        client = self._clients.get(key)
        if client is None:
            if len(self._clients) > 64:
                self._clients.clear()
            client = await result.connector_factory.create(service_url, result.audience)
            self._clients[key] = client
        return client

    holds_replies = True

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        if not activities:
            raise TypeError("Expecting one or more activities, but the list was empty.")
        responses = []
        held = context.turn_state.get(HELD_REPLIES)
        for activity in activities:
            activity.id = None
            if held is not None and activity.type == ActivityTypes.message:
                held.append(activity)
                responses.append(ResourceResponse(id=""))
            elif activity.type == ActivityTypes.invoke_response:
                context.turn_state[self._INVOKE_RESPONSE_KEY] = activity
                responses.append(ResourceResponse(id=""))
            elif activity.type == "delay" or (activity.type == ActivityTypes.trace
                                              and activity.channel_id != Channels.emulator):
                # Neither is sent: a delay would hold the turn, a trace is for the emulator only.
                responses.append(ResourceResponse(id=""))
            else:
                responses.append(await self._send_reply(context, activity))
        return responses

    async def send_held(self, context: TurnContext, activities: list[Activity],
                        bodies: Optional[list[dict]] = None) -> list[str]:
        """Sends replies already committed to the outbox: "sent", "later" (throttled, left for the
        background sender) or "failed" (Teams refused them for good), one per activity, in order.
        ``bodies``: the activities already serialised, if the caller has them."""
        outcomes = []
        policy = self.policy
        for n, activity in enumerate(activities):
            result = await self.outgoing.sender().send_activity(
                _recipient_of(context.activity, activity), activity.serialize() if bodies is None else bodies[n],
                throttle_retries=policy.throttle_retries, transient_retries=policy.transient_retries,
                max_wait=policy.max_wait_seconds)
            if result.ok:
                outcomes.append("sent")
            elif result.worth_retrying_later:
                log.info("a reply was throttled (%s); left for the background sender", result.detail)
                outcomes.append("later")
            else:
                log.warning("a reply was refused: %s (%s)", result.outcome, result.detail)
                outcomes.append("failed")
        return outcomes

    async def _send_reply(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        body = activity.serialize()
        recipient = _recipient_of(context.activity, activity)
        policy = self.policy
        result = await self.outgoing.sender().send_activity(
            recipient, body, throttle_retries=policy.throttle_retries,
            transient_retries=policy.transient_retries, max_wait=policy.max_wait_seconds)
        if result.ok:
            return ResourceResponse(id=result.activity_id or "")
        if not result.worth_retrying_later:
            raise ReplyFailed(result)
        if self.overflow is not None and recipient.user_id:
            key = _overflow_key(context, recipient)
            text, card = _text_and_card(body)
            await self.overflow(recipient.user_id, key, text, card)
            log.info("a reply was throttled (%s); queued for the background sender", result.detail)
        else:
            # The outbox reaches people by user id; with none there is nobody to queue it for. Teams'
            # limit is not the turn's fault, so the turn carries on without this reply.
            log.warning("a throttled reply with no user to queue it for was dropped (%s)", result.detail)
        return ResourceResponse(id="")


class ReplyFailed(RuntimeError):
    def __init__(self, result: SendResult):
        super().__init__(f"reply not sent: {result.outcome} ({result.detail})")
        self.result = result


def _recipient_of(incoming: Activity, reply: Activity) -> Recipient:
    conversation = reply.conversation or incoming.conversation
    channel_data = incoming.channel_data if isinstance(incoming.channel_data, dict) else {}
    tenant = channel_data.get("tenant") if isinstance(channel_data.get("tenant"), dict) else {}
    tenant_id = tenant.get("id") or getattr(conversation, "tenant_id", None)
    user = reply.recipient or incoming.from_property
    return Recipient(
        user_id=getattr(user, "id", None) or "",
        conversation_id=conversation.id,
        service_url=reply.service_url or incoming.service_url,
        tenant_id=tenant_id or None,
        personal=True,
    )


def _overflow_key(context: TurnContext, recipient: Recipient) -> str:
    # One key per reply of a turn: a turn is processed once (its activity id is claimed), so the
    # count of replies queued so far makes the key unique and stable.
    queued = context.turn_state.get("reply_overflow_count", 0) + 1
    context.turn_state["reply_overflow_count"] = queued
    incoming = context.activity
    return f"reply:{incoming.channel_id}:{recipient.conversation_id}:{incoming.id or ''}:{queued}"


def text_and_card(body: dict) -> tuple[str, Optional[dict]]:
    return _text_and_card(body)


def _text_and_card(body: dict) -> tuple[str, Optional[dict]]:
    card = next((a.get("content") for a in body.get("attachments") or []
                 if isinstance(a, dict) and a.get("contentType") == ADAPTIVE_CARD), None)
    text = body.get("text") or body.get("summary") or ""
    return text, card if isinstance(card, dict) else None


class SdkTokens:
    """Outgoing tokens from a botbuilder credentials factory (``create_app(credentials_factory=…)``).

    The SDK's credentials fetch synchronously, so the fetch runs in a thread; the token is then
    reused for ``reuse_seconds`` (well inside its hour of validity) to keep that off the hot path.
    """

    def __init__(self, factory, *, app_id: str, scope: str, login_endpoint: str, validate_authority: bool = True,
                 reuse_seconds: float = 300.0):
        self._factory = factory
        self._app_id = app_id
        self._scope = scope
        self._login_endpoint = login_endpoint
        self._validate_authority = validate_authority
        self._reuse = reuse_seconds
        self._token: Optional[str] = None
        self._until = 0.0

    async def token(self) -> Optional[str]:
        from bot.clock import monotonic

        if not self._app_id:
            return None
        if self._token and monotonic() < self._until:
            return self._token
        credentials = await self._factory.create_credentials(self._app_id, self._scope, self._login_endpoint,
                                                             self._validate_authority)
        self._token = await asyncio.to_thread(credentials.get_access_token)
        self._until = monotonic() + self._reuse
        return self._token

    def invalidate(self) -> None:
        self._token = None
