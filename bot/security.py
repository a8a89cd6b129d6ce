"""Who may reach the bot: listen address, Bot Framework tokens, tenants, card data.

Anonymous mode (no app id) has no authentication, so it listens on loopback only.
With an app id every request to /api/messages must carry a Bot Connector token
(``TokenGate``); Teams activities from a tenant outside the allow-list get one
polite refusal (``TenantGate``, a middleware on the Teams adapter only, so the
in-process console is not affected).
"""
from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import urllib.request
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, Awaitable, Callable, Iterable, Optional

import jwt
from botbuilder.core import InvokeResponse, Middleware, TurnContext
from botbuilder.schema import Activity, ActivityTypes, CallerIdConstants
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
)
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

from bot.clock import Clock, sdk_naive_local_now
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)

PUBLIC_CLOUD_OPENID_METADATA_URL = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
PUBLIC_CLOUD_TOKEN_ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER


# -- where the bot listens ------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_listen_address(settings: Settings) -> None:
    """Anonymous mode has no authentication, so it may only listen on loopback unless told otherwise."""
    if settings.bot.app_id:
        log.info(
            "authentication is ON: only requests carrying a valid Bot Framework token for app id %s "
            "(MicrosoftAppType %s) are accepted", settings.bot.app_id, settings.bot.app_type,
        )
        return
    if is_loopback(settings.server.host):
        log.warning(
            "anonymous mode (no MicrosoftAppId): requests are NOT authenticated; listening on loopback "
            "%s only, for local testing. Set MicrosoftAppId to serve Teams.", settings.server.host,
        )
        return
    if settings.server.allow_anonymous_non_loopback:
        log.warning(
            "anonymous mode (no MicrosoftAppId) on the non-loopback address %s: requests are NOT authenticated "
            "(server.allow_anonymous_non_loopback is true); put your own authentication in front",
            settings.server.host,
        )
        return
    raise SettingsError(
        f"server.host: anonymous mode (no MicrosoftAppId) listens only on loopback, not {settings.server.host}; "
        "set MicrosoftAppId, or server.allow_anonymous_non_loopback: true behind your own authentication"
    )


# -- Bot Framework authentication -----------------------------------------------------------------

def bot_framework_config(settings: Settings) -> SimpleNamespace:
    """The configuration object ConfigurationBotFrameworkAuthentication reads.

    With an app id every endpoint is spelled out, so the SDK always takes its
    "parameterized" path: the one the tests exercise with a local OpenID stand-in
    is the one production runs (only the two inbound URLs differ).
    """
    bot = settings.bot
    if not bot.app_id:
        # Anonymous: the SDK's credential factories demand an app id for SingleTenant/MSI.
        return SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant")
    return SimpleNamespace(
        APP_ID=bot.app_id,
        APP_PASSWORD=bot.app_password,
        APP_TYPE=bot.app_type,
        APP_TENANTID=bot.app_tenant_id,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=openid_metadata_url(settings),
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=token_issuer(settings),
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL,
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        OAUTH_URL=AuthenticationConstants.OAUTH_URL,
        CALLER_ID=CallerIdConstants.public_azure_channel,
        VALIDATE_AUTHORITY=True,
    )


def openid_metadata_url(settings: Settings) -> str:
    return settings.bot.openid_metadata_url or PUBLIC_CLOUD_OPENID_METADATA_URL


def token_issuer(settings: Settings) -> str:
    return settings.bot.token_issuer or PUBLIC_CLOUD_TOKEN_ISSUER


class SigningKeys:
    """Keeps the SDK's cache of Bot Connector signing keys fresh, off the event loop.

    botframework-connector 4.17.1 fetches the keys with blocking ``requests`` calls
    (no timeout) inside the event loop, on the first request and daily after, and
    fails with IndexError on a key id it does not know until its next daily refresh.
    Refreshing its cache entry from a worker thread, with a timeout, on start-up,
    every few hours, and (at most every ``retry_gap``) when a token names an unknown
    key keeps that I/O off the loop and picks up Microsoft's key rotations.
    """

    def __init__(self, metadata_url: str, clock: Clock, *, retry_gap: timedelta = timedelta(minutes=5),
                 timeout_seconds: float = 10.0):
        self.metadata_url = metadata_url
        self._clock = clock
        self._retry_gap = retry_gap
        self._timeout = timeout_seconds
        self._last_attempt: Optional[datetime] = None
        self._lock = asyncio.Lock()

    @property
    def _cache(self):
        return JwtTokenExtractor.get_open_id_metadata(self.metadata_url)

    def knows(self, key_id: str) -> bool:
        return any(isinstance(key, dict) and key.get("kid") == key_id for key in self._cache.keys or [])

    async def refresh(self) -> bool:
        async with self._lock:
            return await self._refresh_locked()

    async def ensure(self, key_id: str) -> bool:
        """True when the key is known, refreshing first if it is not and a refresh is due."""
        if self.knows(key_id):
            return True
        async with self._lock:
            if self.knows(key_id):
                return True
            last = self._last_attempt
            if last is None or self._clock.now() - last >= self._retry_gap:
                await self._refresh_locked()
        return self.knows(key_id)

    async def _refresh_locked(self) -> bool:
        self._last_attempt = self._clock.now()
        try:
            keys = await asyncio.to_thread(self._fetch_keys)
        except Exception as exc:
            log.warning("could not refresh the Bot Framework signing keys from %s: %s",
                        self.metadata_url, type(exc).__name__)
            return False
        cache = self._cache
        cache.keys = keys
        # The SDK compares this with naive local time to decide when to fetch by itself.
        cache.last_updated = sdk_naive_local_now()
        return True

    def _fetch_keys(self) -> list:
        with urllib.request.urlopen(self.metadata_url, timeout=self._timeout) as response:
            metadata = json.load(response)
        with urllib.request.urlopen(metadata["jwks_uri"], timeout=self._timeout) as response:
            keys = json.load(response)["keys"]
        if not isinstance(keys, list):
            raise ValueError("signing keys are not a list")
        return keys


# Bot Connector tokens are well under 4 KB; anything far longer is not one, and is not parsed.
MAX_AUTHORIZATION_CHARS = 8192


class TokenGate:
    """Authenticates one request; any failure is None (the route answers 401), never an exception."""

    def __init__(self, authentication: BotFrameworkAuthentication, issuer: str, keys: SigningKeys):
        self._authentication = authentication
        self._issuer = issuer
        self.keys = keys

    async def authenticate(self, activity: Activity, header: Optional[str]) -> Optional[AuthenticateRequestResult]:
        reason = self._precheck(header)
        if reason is None:
            key_id = jwt.get_unverified_header(header.split(" ", 1)[1]).get("kid")
            if not await self.keys.ensure(key_id):
                reason = "unknown signing key"
        if reason is not None:
            log.warning("refused an unauthenticated request: %s", reason)
            return None
        try:
            result = await self._authentication.authenticate_request(activity, header)
        except Exception as exc:
            # Messages from PyJWT and the SDK never contain the token; keep only the first line.
            detail = str(exc).splitlines()[0][:160] if str(exc) else ""
            log.warning("refused an unauthenticated request: %s %s", type(exc).__name__, detail)
            return None
        identity = getattr(result, "claims_identity", None)
        if identity is None or not identity.is_authenticated:
            log.warning("refused an unauthenticated request: no identity")
            return None
        return result

    def _precheck(self, header: Optional[str]) -> Optional[str]:
        """Cheap checks on the unverified token, so only Bot Connector tokens reach the SDK.

        Nothing here accepts a token; it only rejects early. Emulator and skill
        tokens (other issuers) would otherwise make the SDK fetch Azure AD keys.
        """
        if not header:
            return "no Authorization header"
        if len(header) > MAX_AUTHORIZATION_CHARS:
            return "Authorization header too long"
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or not token or " " in token:
            return "Authorization is not a Bearer token"
        try:
            headers = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except Exception:
            return "malformed token"
        if not isinstance(headers.get("kid"), str) or not headers["kid"]:
            return "token names no signing key"
        if claims.get("iss") != self._issuer:
            return "token from an issuer other than the Bot Connector"
        return None


# -- tenants ---------------------------------------------------------------------------------------

class TenantGate(Middleware):
    """Refuses, once and politely, Teams activities from a tenant outside the allow-list.

    Nothing from a refused activity is stored or processed, and only its type and
    tenant id (an organisation, not a person) are logged, never its text.
    """

    def __init__(self, allowed_tenants: Iterable[str], service_area: str):
        self._allowed = frozenset(t.strip().lower() for t in allowed_tenants if t.strip())
        self._area = service_area

    def allows(self, tenant_id: str) -> bool:
        return not self._allowed or (tenant_id or "").strip().lower() in self._allowed

    @property
    def refusal(self) -> str:
        return (f"Sorry, this assistant is only available to schools in {self._area}. "
                "Please contact your local authority's SEND team instead.")

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable]):
        from bot.turn import tenant_of

        activity = context.activity
        tenant = tenant_of(context)
        if self.allows(tenant) or _is_proactive(activity):
            await logic()
            return
        log.warning("refused a %s activity from tenant %r, which is not on bot.allowed_tenants",
                    activity.type, tenant or "(none)")
        if activity.type == ActivityTypes.message:
            await context.send_activity(self.refusal)
        elif activity.type == ActivityTypes.invoke:
            # The card shows this message; a chat message as well would say it twice.
            body = {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": self.refusal}
            await context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body))
            )


def _is_proactive(activity: Activity) -> bool:
    # The adapter builds this event itself to send a proactive message (a reminder): not an arrival.
    return activity.type == ActivityTypes.event and activity.name == "ContinueConversation"


# -- card submissions ------------------------------------------------------------------------------

MAX_CARD_DATA_BYTES = 8 * 1024
MAX_CARD_DATA_DEPTH = 4


def card_data_problem(data: Any) -> Optional[str]:
    """Why button data cannot have come from one of our cards, or None if it is plausible.

    Each feature checks the values against what its card offered; this is the
    generic guard in front of them: a small JSON object of strings, numbers and
    booleans (lists and objects allowed a few levels deep).
    """
    if not isinstance(data, dict):
        return "not an object"
    try:
        size = len(json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError):
        return "not plain JSON"
    if size > MAX_CARD_DATA_BYTES:
        return "too large"
    return _nested_problem(data, 1)


def _nested_problem(value: Any, depth: int) -> Optional[str]:
    if depth > MAX_CARD_DATA_DEPTH:
        return "nested too deeply"
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return "a key is not text"
            problem = _nested_problem(item, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, list):
        for item in value:
            problem = _nested_problem(item, depth + 1)
            if problem:
                return problem
        return None
    if value is None or isinstance(value, (str, bool, int, float)):
        return None
    return f"a value of type {type(value).__name__}"
