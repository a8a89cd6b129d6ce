"""OAuth2 client-credentials tokens for IMAP and SMTP (Exchange Online no longer takes passwords there).

One ``TokenSource`` per scope; the token is cached until shortly before it expires, so a poll loop
asks for one every time without hammering the token endpoint. The secret comes from the environment
(settings.mail.oauth_client_secret) and is never logged.
"""
from __future__ import annotations

import asyncio
import time
from typing import Callable, Optional

import aiohttp


class TokenUnavailable(Exception):
    """The token endpoint refused or could not be reached; the message names no secret."""


class TokenSource:
    # Renew this long before expiry so a token never runs out mid-command.
    MARGIN_SECONDS = 120

    def __init__(self, token_url: str, client_id: str, client_secret: str, scope: str,
                 *, timeout: float = 30.0, monotonic: Callable[[], float] = time.monotonic):
        self._url = token_url
        self._client_id = client_id
        self._secret = client_secret
        self._scope = scope
        self._timeout = timeout
        self._monotonic = monotonic
        self._token: Optional[str] = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        async with self._lock:
            if self._token and self._monotonic() < self._expires - self.MARGIN_SECONDS:
                return self._token
            form = {"grant_type": "client_credentials", "client_id": self._client_id,
                    "client_secret": self._secret, "scope": self._scope}
            try:
                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout)) as session:
                    async with session.post(self._url, data=form) as response:
                        body = await response.json(content_type=None)
                        if response.status != 200 or "access_token" not in body:
                            raise TokenUnavailable(f"token endpoint answered {response.status}")
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                raise TokenUnavailable(type(exc).__name__) from exc
            self._token = str(body["access_token"])
            self._expires = self._monotonic() + float(body.get("expires_in", 3600))
            return self._token

    __call__ = token


def token_source(settings, scope: str) -> Optional[TokenSource]:
    """The OAuth2 token source the mail settings ask for, or None for password logins."""
    mail = settings.mail
    if not mail.oauth_token_url:
        return None
    return TokenSource(mail.oauth_token_url, mail.oauth_client_id, mail.oauth_client_secret, scope,
                       timeout=mail.imap_timeout_seconds)
