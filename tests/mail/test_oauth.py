"""OAuth2 client-credentials tokens for IMAP/SMTP, against a token endpoint stand-in on loopback."""
from __future__ import annotations

import pytest
from aiohttp import web

from integrations.mail.oauth import TokenSource, TokenUnavailable, token_source
from tests.fakes.http import serving_route


@pytest.fixture
async def endpoint():
    calls = []
    state = {"status": 200}

    async def token(request):
        form = await request.post()
        calls.append(dict(form))
        if state["status"] != 200:
            return web.json_response({"error": "invalid_client"}, status=state["status"])
        return web.json_response({"access_token": f"token-{len(calls)}", "expires_in": 3600})

    async with serving_route("POST", "/tenant/oauth2/v2.0/token", token) as url:
        yield url, calls, state


async def test_tokens_are_fetched_with_client_credentials_and_cached_until_near_expiry(endpoint):
    url, calls, _ = endpoint
    now = [0.0]
    source = TokenSource(url, "client-id", "client-secret", "https://outlook.office365.com/.default",
                         monotonic=lambda: now[0])
    assert await source() == "token-1"
    assert await source() == "token-1"
    assert calls == [{"grant_type": "client_credentials", "client_id": "client-id",
                      "client_secret": "client-secret", "scope": "https://outlook.office365.com/.default"}]
    now[0] = 3600 - TokenSource.MARGIN_SECONDS + 1
    assert await source() == "token-2"


async def test_a_refusal_is_reported_without_the_secret(endpoint):
    url, _, state = endpoint
    state["status"] = 401
    with pytest.raises(TokenUnavailable) as caught:
        await TokenSource(url, "client-id", "s3cret-value", "scope")()
    assert "s3cret" not in str(caught.value) and "401" in str(caught.value)


def test_password_logins_need_no_token_source(settings):
    assert token_source(settings, "scope") is None
    configured = settings.replace(**{"mail.oauth_token_url": "https://login.example/t", "mail.oauth_client_id": "c"})
    assert isinstance(token_source(configured, "scope"), TokenSource)
