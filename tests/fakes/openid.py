"""A local stand-in for the Bot Framework's OpenID metadata and signing-keys endpoints.

It runs in its own thread because botframework-connector fetches keys with blocking
``requests`` calls: a server on the test's own event loop could never answer them.
``mint`` signs tokens the way the Bot Connector does, so tests can present valid,
expired, mis-addressed or foreign tokens to the bot.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

import jwt
from botbuilder.integration.aiohttp import ConfigurationServiceClientCredentialFactory
from botframework.connector.auth import AppCredentials
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

BOT_CONNECTOR_ISSUER = "https://api.botframework.com"


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey
    endorsements: list[str]

    def jwk(self) -> dict:
        entry = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        entry.update({"kid": self.kid, "use": "sig", "endorsements": list(self.endorsements)})
        return entry


@dataclass
class OpenIdStandIn:
    issuer: str = BOT_CONNECTOR_ISSUER
    keys: list[SigningKey] = field(default_factory=list)
    requests_served: list[str] = field(default_factory=list)
    base_url: str = ""
    _server: Optional[ThreadingHTTPServer] = None
    _thread: Optional[threading.Thread] = None

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    def add_key(self, kid: Optional[str] = None, endorsements: tuple[str, ...] = ("msteams",),
                private: Optional[rsa.RSAPrivateKey] = None) -> SigningKey:
        key = SigningKey(kid or f"key-{uuid.uuid4().hex[:8]}", private or new_rsa_key(), list(endorsements))
        self.keys.append(key)
        return key

    def start(self) -> "OpenIdStandIn":
        if not self.keys:
            self.add_key()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                stand_in.requests_served.append(self.path)
                if self.path == "/v1/.well-known/openidconfiguration":
                    body = {
                        "issuer": stand_in.issuer,
                        "authorization_endpoint": f"{stand_in.base_url}/v1/auth",
                        "jwks_uri": f"{stand_in.base_url}/v1/.well-known/keys",
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                    }
                elif self.path == "/v1/.well-known/keys":
                    body = {"keys": [key.jwk() for key in stand_in.keys]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="openid-stand-in", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def mint(self, *, app_id: str, service_url: str, key: Optional[SigningKey] = None,
             lifetime_seconds: int = 3600, issued_seconds_ago: int = 0, algorithm: str = "RS256",
             private: Optional[rsa.RSAPrivateKey] = None, kid: Optional[str] = None,
             **claim_changes: Any) -> str:
        """A Bot Connector token; ``claim_changes`` override or (with None) remove claims."""
        key = key or self.keys[0]
        now = int(time.time()) - issued_seconds_ago
        claims: dict[str, Any] = {
            "serviceurl": service_url,
            "nbf": now - 5,
            "exp": now + lifetime_seconds,
            "iss": self.issuer,
            "aud": app_id,
        }
        for name, value in claim_changes.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return jwt.encode(claims, private or key.private, algorithm=algorithm,
                          headers={"kid": kid if kid is not None else key.kid})


class _FixedTokenCredentials(AppCredentials):
    def __init__(self, app_id: str, token: str):
        super().__init__(app_id=app_id)
        self._token = token

    def get_access_token(self, force_refresh: bool = False) -> str:
        return self._token


class LocalTokenCredentialsFactory(ConfigurationServiceClientCredentialFactory):
    """The real factory's app-id checks, but outgoing tokens come from here, not Azure AD."""

    def __init__(self, configuration: Any, token: str):
        super().__init__(configuration)
        self.token = token
        self.created_for: list[str] = []

    async def create_credentials(self, app_id, oauth_scope, login_endpoint, validate_authority):
        if not await self.is_valid_app_id(app_id):
            raise PermissionError("credentials asked for an app id that is not this bot's")
        self.created_for.append(app_id)
        return _FixedTokenCredentials(app_id, self.token)
