"""Tamper-proof, expiring tokens for links the bot hands out (calendar files, evaluation forms).

A token is ``<payload>.<signature>``, both URL-safe base64 without padding. The payload is
compact JSON of the caller's data plus the purpose and expiry; the signature is HMAC-SHA256
over the purpose and the payload, so a token minted for one purpose is useless for another.
Tokens are signed, not encrypted: never put anything in them a user should not see.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import secrets
from datetime import datetime
from typing import Optional

log = logging.getLogger(__name__)

_MAX_TOKEN_CHARS = 2048


class LinkSigner:
    def __init__(self, key: str | bytes):
        if not key:
            raise ValueError("a signing key is required")
        self._key = key.encode("utf-8") if isinstance(key, str) else bytes(key)

    @classmethod
    def from_settings_key(cls, key: str) -> "LinkSigner":
        """The configured key, or a random one for this process (links then die with the process)."""
        if key:
            return cls(key)
        log.warning(
            "link_signing_key is not set: using a random key for this process, so links handed out "
            "stop working after a restart and differ between replicas (set SENCOBOT_LINK_SIGNING_KEY)"
        )
        return cls(secrets.token_bytes(32))

    @classmethod
    def for_settings(cls, settings) -> "LinkSigner":
        """The signer every process and command uses: the shared key; in production (an app id set) no
        key means no links at all, since a key of this process's own could not be verified elsewhere."""
        if settings.link_signing_key:
            return cls(settings.link_signing_key)
        if settings.bot.app_id:
            return _NoSharedKey()
        return cls.from_settings_key("")

    def sign(self, purpose: str, payload: dict, expires_at: datetime) -> str:
        if expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")
        if "_p" in payload or "_e" in payload:
            raise ValueError("payload keys _p and _e are reserved")
        body = dict(payload, _p=purpose, _e=int(expires_at.timestamp()))
        encoded = _b64encode(json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8"))
        return f"{encoded}.{self._signature(purpose, encoded)}"

    def verify(self, purpose: str, token: str, now: datetime) -> Optional[dict]:
        """The payload if the token is genuine, for this purpose and not expired; otherwise None."""
        if not isinstance(token, str) or len(token) > _MAX_TOKEN_CHARS or token.count(".") != 1:
            return None
        encoded, signature = token.split(".")
        if not hmac.compare_digest(signature.encode("ascii", "replace"),
                                   self._signature(purpose, encoded).encode("ascii")):
            return None
        try:
            body = json.loads(_b64decode(encoded))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        if not isinstance(body, dict) or body.get("_p") != purpose or not isinstance(body.get("_e"), int):
            return None
        if now.timestamp() >= body["_e"]:
            return None
        return {k: v for k, v in body.items() if k not in ("_p", "_e")}

    def _signature(self, purpose: str, encoded: str) -> str:
        message = purpose.encode("utf-8") + b"\x00" + encoded.encode("ascii", "replace")
        return _b64encode(hmac.new(self._key, message, hashlib.sha256).digest())


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


MISSING_KEY = ("link_signing_key: set SENCOBOT_LINK_SIGNING_KEY (the same value for the bot and every "
               "sencobot command) when MicrosoftAppId is set; links signed with a key of one process's own "
               "fail on every other replica and after a restart")


class _NoSharedKey(LinkSigner):
    def __init__(self):
        super().__init__(b"unused")

    def sign(self, purpose: str, payload: dict, expires_at: datetime) -> str:
        from bot.settings import SettingsError

        raise SettingsError(MISSING_KEY)

    def verify(self, purpose: str, token: str, now: datetime) -> Optional[dict]:
        return None
