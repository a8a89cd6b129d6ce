"""Proactive Teams messages over the Bot Connector REST API, within Teams' rate limits.

Deliberately free of botbuilder: one aiohttp POST per message to
``{serviceUrl}v3/conversations/{id}/activities`` (creating the 1:1 conversation first with
``POST {serviceUrl}v3/conversations`` when the stored reference is a channel or group chat).

Pacing happens before a request, so the connector rarely has to refuse one:
- per conversation, sliding windows (7 per second, 8 per 2 s, 60 per 30 s, 1,800 per hour);
- per tenant, send slots reserved from a shared store, so several processes together stay
  under the tenant ceiling (the database provides the shared store; tests use ``LocalSlots``).
Responses: 429 waits for Retry-After (or a jittered exponential backoff); 412/502/503/504
and network errors are retried a bounded number of times; 403 MessageWritesBlocked means the
user blocked or removed the bot. Every attempt is returned so the caller can record it.

Time comes from an injected ``now`` (seconds since the epoch) and ``sleep``, so tests never wait.
"""
from __future__ import annotations

import abc
import asyncio
import collections
import email.utils
import json
import logging
import random
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional, Protocol

import aiohttp

log = logging.getLogger(__name__)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
RETRYABLE_STATUSES = frozenset({412, 502, 503, 504})
BLOCKED_CODES = ("MessageWritesBlocked", "ConversationBlockedByUser")

Now = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class TeamsLimits:
    # (window seconds, most messages in it) for one conversation.
    conversation_windows: tuple[tuple[float, int], ...] = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
    tenant_per_second: float = 50.0
    # Pace at this fraction of the tenant ceiling: late-running requests bunch up, and a small
    # margin keeps a bunch under the connector's window instead of earning a 429.
    tenant_headroom: float = 0.95
    # Tenant slots reserved per trip to the shared store.
    tenant_chunk: int = 5
    max_throttle_retries: int = 8
    max_transient_retries: int = 3
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    # A Retry-After beyond this is treated as this (a misbehaving proxy must not park a worker for a day).
    retry_after_max_seconds: float = 300.0
    request_timeout_seconds: float = 30.0


@dataclass(frozen=True)
class Recipient:
    user_id: str
    conversation_id: str
    service_url: str
    tenant_id: Optional[str] = None
    bot_id: Optional[str] = None
    bot_name: Optional[str] = None
    # False for a channel or group chat reference: a 1:1 conversation is created first.
    personal: bool = True

    @classmethod
    def from_reference(cls, *, user_id: str, conversation_id: str, service_url: str,
                       tenant_id: Optional[str], reference: dict) -> "Recipient":
        conversation = reference.get("conversation") if isinstance(reference, dict) else None
        conversation = conversation if isinstance(conversation, dict) else {}
        bot = reference.get("bot") if isinstance(reference, dict) else None
        bot = bot if isinstance(bot, dict) else {}
        kind = conversation.get("conversationType")
        personal = kind in (None, "", "personal") and not conversation.get("isGroup")
        tenant = tenant_id or conversation.get("tenantId") or conversation.get("tenantID")
        return cls(
            user_id=user_id,
            conversation_id=conversation_id,
            service_url=service_url,
            tenant_id=tenant or None,
            bot_id=bot.get("id") or None,
            bot_name=bot.get("name") or None,
            personal=personal,
        )


@dataclass(frozen=True)
class Attempt:
    number: int
    at: float                      # seconds since the epoch
    outcome: str                   # sent | throttled | retry | unauthorized | unreachable | failed | conversation
    http_status: Optional[int] = None
    wait_seconds: Optional[float] = None
    detail: Optional[str] = None


@dataclass(frozen=True)
class SendResult:
    outcome: str                   # sent | unreachable | refused | failed
    attempts: tuple[Attempt, ...]
    activity_id: Optional[str] = None
    # Set when a 1:1 conversation was created: the caller should remember it.
    created_conversation_id: Optional[str] = None
    detail: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.outcome == "sent"

    @property
    def worth_retrying_later(self) -> bool:
        """Throttled or a transient failure: the background sender may well get it through."""
        if self.outcome == "refused":
            return True
        last = self.attempts[-1] if self.attempts else None
        return self.outcome == "failed" and last is not None and (
            last.http_status is None or last.http_status in RETRYABLE_STATUSES or last.http_status == 429)


def message_activity(recipient: Recipient, text: str, card: Optional[dict] = None) -> dict:
    """A Bot Framework message activity; with a card, the text becomes the notification summary."""
    activity: dict[str, Any] = {
        "type": "message",
        "recipient": {"id": recipient.user_id},
        "conversation": {"id": recipient.conversation_id},
        # Proactive messages should raise a Teams notification, like a person's message would.
        "channelData": {"notification": {"alert": True}},
    }
    if recipient.bot_id:
        activity["from"] = {"id": recipient.bot_id, **({"name": recipient.bot_name} if recipient.bot_name else {})}
    if card:
        activity["summary"] = text[:200]
        activity["attachments"] = [{"contentType": ADAPTIVE_CARD, "content": card}]
    else:
        activity["text"] = text
    return activity


# -- tokens -----------------------------------------------------------------------------------------


class TokenProvider(Protocol):
    async def token(self) -> Optional[str]: ...

    def invalidate(self) -> None: ...


class NoTokens:
    """Anonymous local mode (no app id): the Agents Playground and the tests' stand-in need no token."""

    async def token(self) -> Optional[str]:
        return None

    def invalidate(self) -> None:
        return None


class _CachedTokens(abc.ABC):
    """Fetches a token when there is none or it is about to expire; concurrent callers share one fetch."""

    def __init__(self, session: aiohttp.ClientSession, *, now: Now, refresh_margin: float = 300.0):
        self._session = session
        self._now = now
        self._margin = refresh_margin
        self._token: Optional[str] = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> Optional[str]:
        if self._token and self._now() < self._expires_at:
            return self._token
        async with self._lock:
            if self._token and self._now() < self._expires_at:
                return self._token
            body = await self._fetch()
            token = body.get("access_token") if isinstance(body, dict) else None
            if not isinstance(token, str) or not token:
                raise TokenError("the token endpoint gave no access_token")
            self._token = token
            self._expires_at = max(self._now(), self._expiry(body) - self._margin)
            return token

    def invalidate(self) -> None:
        self._token = None
        self._expires_at = 0.0

    @abc.abstractmethod
    async def _fetch(self) -> dict:
        """The token endpoint's JSON answer: each kind of credential asks its own endpoint."""

    def _expiry(self, body: dict) -> float:
        """Absolute expiry (seconds, same clock as ``now``): ``expires_on`` when given, else now + ``expires_in``."""
        try:
            return float(body.get("expires_on"))
        except (TypeError, ValueError):
            return self._now() + float(body.get("expires_in") or 3600)


async def _json_or_error(response: aiohttp.ClientResponse, what: str) -> dict:
    if response.status != 200:
        # The body may echo request details; the status is enough to diagnose.
        raise TokenError(f"{what} answered {response.status}")
    body = await response.json(content_type=None)
    return body if isinstance(body, dict) else {}


class ClientCredentialsTokens(_CachedTokens):
    """A Bot Framework token from Microsoft Entra ID (client credentials)."""

    def __init__(self, session: aiohttp.ClientSession, *, app_id: str, app_password: str, token_url: str,
                 scope: str = "https://api.botframework.com/.default", now: Now, refresh_margin: float = 300.0):
        super().__init__(session, now=now, refresh_margin=refresh_margin)
        self._app_id = app_id
        self._app_password = app_password
        self._token_url = token_url
        self._scope = scope

    async def _fetch(self) -> dict:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._app_id,
            "client_secret": self._app_password,
            "scope": self._scope,
        }
        async with self._session.post(self._token_url, data=form) as response:
            return await _json_or_error(response, "token endpoint")


class ManagedIdentityTokens(_CachedTokens):
    """A Bot Framework token for a user-assigned managed identity (MicrosoftAppType=UserAssignedMSI).

    Azure App Service and Container Apps publish a local identity endpoint (IDENTITY_ENDPOINT with the
    IDENTITY_HEADER secret); virtual machines answer on the instance metadata endpoint instead. Either way the
    identity is picked by its client id, which is the bot's app id.
    """

    IMDS_URL = "http://169.254.169.254/metadata/identity/oauth2/token"

    def __init__(self, session: aiohttp.ClientSession, *, client_id: str, endpoint: str = "",
                 identity_header: str = "", resource: str = "https://api.botframework.com", now: Now,
                 refresh_margin: float = 300.0):
        super().__init__(session, now=now, refresh_margin=refresh_margin)
        self._client_id = client_id
        self._endpoint = endpoint or self.IMDS_URL
        self._identity_header = identity_header
        self._resource = resource

    async def _fetch(self) -> dict:
        params = {"resource": self._resource, "client_id": self._client_id}
        if self._identity_header:
            params["api-version"] = "2019-08-01"
            headers = {"X-IDENTITY-HEADER": self._identity_header}
        else:
            params["api-version"] = "2018-02-01"
            headers = {"Metadata": "true"}
        async with self._session.get(self._endpoint, params=params, headers=headers) as response:
            return await _json_or_error(response, "managed identity endpoint")


class TokenError(RuntimeError):
    pass


def token_url_for(template: str, *, app_type: str, tenant_id: str) -> str:
    """Multi-tenant bots get tokens from the botframework.com tenant; single-tenant ones from their own."""
    tenant = tenant_id if app_type in ("SingleTenant", "UserAssignedMSI") and tenant_id else "botframework.com"
    return template.replace("{tenant}", tenant)


# -- pacing -----------------------------------------------------------------------------------------


class ConversationPacer:
    """Sliding windows per conversation; reserves the earliest moment a message fits all of them."""

    def __init__(self, windows: tuple[tuple[float, int], ...], now: Now):
        self._windows = tuple(sorted(windows))
        self._horizon = max((w for w, _ in self._windows), default=0.0)
        self._longest = max((n for _, n in self._windows), default=0)
        self._now = now
        self._sent: dict[str, collections.deque] = {}
        self._not_before: dict[str, float] = {}
        self._reservations = 0

    def reserve(self, conversation_id: str) -> float:
        now = self._now()
        times = self._sent.setdefault(conversation_id, collections.deque(maxlen=max(1, self._longest)))
        at = max(now, self._not_before.get(conversation_id, 0.0))
        for window, limit in self._windows:
            if len(times) >= limit:
                at = max(at, times[-limit] + window)
        times.append(at)
        self._reservations += 1
        if self._reservations % 1000 == 0:
            self._forget_idle(now)
        return at

    def hold(self, conversation_id: str, until: float) -> None:
        """After a 429, nothing more goes to this conversation before ``until``."""
        self._not_before[conversation_id] = max(until, self._not_before.get(conversation_id, 0.0))

    def _forget_idle(self, now: float) -> None:
        idle = [c for c, times in self._sent.items() if not times or times[-1] < now - self._horizon]
        for conversation_id in idle:
            self._sent.pop(conversation_id, None)
            if self._not_before.get(conversation_id, 0.0) < now:
                self._not_before.pop(conversation_id, None)


class SlotStore(Protocol):
    async def reserve(self, scope: str, span: float, now: float) -> float: ...


class LocalSlots:
    """A slot store for one process (unit tests, tools); the database's SharedSlots serves several."""

    def __init__(self):
        self._next: dict[str, float] = {}

    async def reserve(self, scope: str, span: float, now: float) -> float:
        start = max(self._next.get(scope, now), now)
        self._next[scope] = start + span
        return start


class TenantPacer:
    """Evenly spaced send slots per tenant, reserved a few at a time from a (possibly shared) store."""

    def __init__(self, store: SlotStore, *, per_second: float, headroom: float, chunk: int, now: Now):
        if per_second <= 0:
            raise ValueError("tenant_per_second must be positive")
        self._store = store
        self._interval = 1.0 / (per_second * min(1.0, max(0.1, headroom)))
        self._chunk = max(1, chunk)
        self._now = now
        self._slots: dict[str, collections.deque] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def interval(self) -> float:
        return self._interval

    async def reserve(self, tenant_id: Optional[str]) -> float:
        scope = f"tenant:{tenant_id or '-'}"
        lock = self._locks.setdefault(scope, asyncio.Lock())
        async with lock:
            slots = self._slots.setdefault(scope, collections.deque())
            now = self._now()
            # Slots left over from an idle spell are stale: using them would send a burst.
            while slots and slots[0] < now - self._interval:
                slots.popleft()
            if not slots:
                start = await self._store.reserve(scope, self._chunk * self._interval, self._now())
                slots.extend(start + i * self._interval for i in range(self._chunk))
            return slots.popleft()


# -- the sender -------------------------------------------------------------------------------------


class TeamsSender:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        tokens: TokenProvider,
        limits: TeamsLimits,
        slots: SlotStore,
        now: Now,
        sleep: Sleep = asyncio.sleep,
        rng: Optional[random.Random] = None,
        user_agent: str = "sencobot",
    ):
        self._session = session
        self._tokens = tokens
        self._limits = limits
        self._now = now
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._user_agent = user_agent
        self.conversations = ConversationPacer(limits.conversation_windows, now)
        self.tenants = TenantPacer(slots, per_second=limits.tenant_per_second, headroom=limits.tenant_headroom,
                                   chunk=limits.tenant_chunk, now=now)

    async def send(self, recipient: Recipient, text: str, card: Optional[dict] = None) -> SendResult:
        return await self.send_activity(recipient, message_activity(recipient, text, card))

    async def send_activity(self, recipient: Recipient, activity: dict, *, throttle_retries: Optional[int] = None,
                            transient_retries: Optional[int] = None, max_wait: Optional[float] = None) -> SendResult:
        """Posts one ready-made activity (a reply inside a turn, or a proactive message).

        The retry caps default to the limits'; a turn passes small ones, and ``max_wait`` (seconds
        it may wait for a send slot or a Retry-After), so that a throttled reply goes to the durable
        outbox instead of holding the user's request open.
        """
        attempts: list[Attempt] = []
        created: Optional[str] = None
        if not recipient.personal:
            outcome = await self._create_conversation(recipient, attempts)
            if isinstance(outcome, SendResult):
                return outcome
            created = outcome
            recipient = Recipient(recipient.user_id, created, recipient.service_url, recipient.tenant_id,
                                  recipient.bot_id, recipient.bot_name, True)
            activity = {**activity, "conversation": {**(activity.get("conversation") or {}), "id": created}}
        url = _join(recipient.service_url, f"v3/conversations/{_quote(recipient.conversation_id)}/activities")
        result = await self._post_with_retries(url, activity, recipient, attempts, throttle_retries=throttle_retries,
                                               transient_retries=transient_retries, max_wait=max_wait)
        if created and result.outcome == "sent":
            return SendResult(result.outcome, result.attempts, result.activity_id, created, result.detail)
        return result

    async def _create_conversation(self, recipient: Recipient, attempts: list[Attempt]):
        if not recipient.tenant_id:
            attempts.append(Attempt(1, self._now(), "failed", detail="no tenant id to create a 1:1 conversation"))
            return SendResult("failed", tuple(attempts), detail="no tenant id to create a 1:1 conversation")
        body = {
            "isGroup": False,
            "bot": {"id": recipient.bot_id} if recipient.bot_id else None,
            "members": [{"id": recipient.user_id}],
            "channelData": {"tenant": {"id": recipient.tenant_id}},
            "tenantId": recipient.tenant_id,
        }
        body = {k: v for k, v in body.items() if v is not None}
        url = _join(recipient.service_url, "v3/conversations")
        result = await self._post_with_retries(url, body, recipient, attempts, creating=True)
        if result.outcome != "sent" or not result.activity_id:
            return result
        return result.activity_id

    async def _post_with_retries(self, url: str, body: dict, recipient: Recipient, attempts: list[Attempt],
                                 *, creating: bool = False, throttle_retries: Optional[int] = None,
                                 transient_retries: Optional[int] = None,
                                 max_wait: Optional[float] = None) -> SendResult:
        limits = self._limits
        max_throttled = limits.max_throttle_retries if throttle_retries is None else throttle_retries
        max_transient = limits.max_transient_retries if transient_retries is None else transient_retries
        throttled = transient = 0
        reauthorised = False
        while True:
            number = len(attempts) + 1
            if not await self._wait_for_slot(recipient, max_wait):
                attempts.append(Attempt(number, self._now(), "refused", None, None, "no send slot soon enough"))
                return SendResult("refused", tuple(attempts), detail="no send slot soon enough")
            started = self._now()
            try:
                status, headers, payload = await self._post(url, body)
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                transient += 1
                if transient > max_transient:
                    attempts.append(Attempt(number, started, "failed", None, None, type(exc).__name__))
                    return SendResult("failed", tuple(attempts), detail=f"network error: {type(exc).__name__}")
                wait = self._backoff(transient)
                attempts.append(Attempt(number, started, "retry", None, wait, type(exc).__name__))
                await self._sleep(wait)
                continue
            if 200 <= status < 300:
                ident = payload.get("id") if isinstance(payload, dict) else None
                attempts.append(Attempt(number, started, "conversation" if creating else "sent", status))
                return SendResult("sent", tuple(attempts), activity_id=ident if isinstance(ident, str) else None)
            if status == 429:
                throttled += 1
                if throttled > max_throttled:
                    attempts.append(Attempt(number, started, "refused", status, None, "throttled, retries used up"))
                    return SendResult("refused", tuple(attempts), detail="still throttled after retries")
                wait = self._retry_after(headers) or self._backoff(throttled)
                self.conversations.hold(recipient.conversation_id, self._now() + wait)
                if max_wait is not None and wait > max_wait:
                    attempts.append(Attempt(number, started, "refused", status, wait, "Retry-After too long"))
                    return SendResult("refused", tuple(attempts), detail="throttled for longer than the caller waits")
                attempts.append(Attempt(number, started, "throttled", status, wait))
                await self._sleep(wait)
                continue
            if status in RETRYABLE_STATUSES:
                transient += 1
                if transient > max_transient:
                    attempts.append(Attempt(number, started, "failed", status, None, "retries used up"))
                    return SendResult("failed", tuple(attempts), detail=f"HTTP {status} after retries")
                wait = self._retry_after(headers) or self._backoff(transient)
                attempts.append(Attempt(number, started, "retry", status, wait))
                await self._sleep(wait)
                continue
            if status == 401 and not reauthorised:
                # A token can be revoked before its stated expiry: fetch a new one once.
                reauthorised = True
                self._tokens.invalidate()
                attempts.append(Attempt(number, started, "unauthorized", status))
                continue
            if status == 403 and _blocked(payload):
                attempts.append(Attempt(number, started, "unreachable", status, None, "MessageWritesBlocked"))
                return SendResult("unreachable", tuple(attempts), detail="the user blocked or removed the bot")
            detail = _error_code(payload) or f"HTTP {status}"
            attempts.append(Attempt(number, started, "failed", status, None, detail))
            return SendResult("failed", tuple(attempts), detail=f"HTTP {status}: {detail}")

    async def _wait_for_slot(self, recipient: Recipient, max_wait: Optional[float] = None) -> bool:
        """Waits for the conversation's and the tenant's next slot; False if that is beyond ``max_wait``."""
        # Conversation first: a conversation that must wait should not hold a tenant slot meanwhile.
        at = self.conversations.reserve(recipient.conversation_id)
        delay = at - self._now()
        if max_wait is not None and delay > max_wait:
            return False
        if delay > 0:
            await self._sleep(delay)
        at = await self.tenants.reserve(recipient.tenant_id)
        delay = at - self._now()
        if max_wait is not None and delay > max_wait:
            return False
        if delay > 0:
            await self._sleep(delay)
        return True

    async def _post(self, url: str, body: dict) -> tuple[int, dict, Any]:
        headers = {"Content-Type": "application/json", "User-Agent": self._user_agent}
        token = await self._tokens.token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        timeout = aiohttp.ClientTimeout(total=self._limits.request_timeout_seconds)
        async with self._session.post(url, data=json.dumps(body), headers=headers, timeout=timeout) as response:
            raw = await response.read()
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = raw.decode("utf-8", "replace")[:500]
            return response.status, dict(response.headers), payload

    def _backoff(self, attempt: int) -> float:
        base = self._limits.backoff_base_seconds * (2 ** (attempt - 1))
        # Full jitter around the exponential step keeps many retrying senders from moving in lockstep.
        return min(self._limits.backoff_max_seconds, base * (0.5 + self._rng.random()))

    def _retry_after(self, headers: dict) -> Optional[float]:
        value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
        if value is None:
            return None
        value = str(value).strip()
        try:
            seconds = float(value)
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(value) if value else None
            if parsed is None:
                return None
            seconds = parsed.timestamp() - self._now()
        return min(self._limits.retry_after_max_seconds, max(0.0, seconds))


def _blocked(payload: Any) -> bool:
    text = payload if isinstance(payload, str) else json.dumps(payload or {})
    return any(code in text for code in BLOCKED_CODES)


def _error_code(payload: Any) -> Optional[str]:
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict) and isinstance(error.get("code"), str):
            return error["code"][:100]
    return None


def _join(service_url: str, path: str) -> str:
    return service_url.rstrip("/") + "/" + path


def _quote(conversation_id: str) -> str:
    from urllib.parse import quote

    return quote(conversation_id, safe=":@;=-_.")
