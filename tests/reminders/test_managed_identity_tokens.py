"""UserAssignedMSI: proactive sends get their token from the platform's managed identity endpoint."""
import aiohttp
import pytest
from aiohttp import web

from bot.settings import DEFAULT_CONFIG, load_settings
from integrations.teams_sender import ManagedIdentityTokens, TokenError
from tests.fakes.http import serving_route


@pytest.fixture
async def identity_endpoint():
    seen = []
    replies = []

    async def token(request: web.Request):
        seen.append((dict(request.query), dict(request.headers)))
        status, body = replies.pop(0) if replies else (200, {"access_token": "tok-1", "expires_on": "4000"})
        return web.json_response(body, status=status)

    async with serving_route("GET", "/msi/token", token) as url:
        yield url, seen, replies


async def test_app_service_style_endpoint_is_asked_with_the_identity_header_and_cached(identity_endpoint):
    url, seen, _ = identity_endpoint
    clock = [1000.0]
    async with aiohttp.ClientSession() as session:
        tokens = ManagedIdentityTokens(session, client_id="bot-app-id", endpoint=url, identity_header="h-secret",
                                       now=lambda: clock[0])
        assert await tokens.token() == "tok-1"
        assert await tokens.token() == "tok-1"
        assert len(seen) == 1, "a valid token is reused"
        query, headers = seen[0]
        assert query["client_id"] == "bot-app-id" and query["resource"] == "https://api.botframework.com"
        assert headers["X-IDENTITY-HEADER"] == "h-secret"
        clock[0] = 3800.0  # within the refresh margin of expires_on=4000
        await tokens.token()
        assert len(seen) == 2


async def test_vm_style_metadata_request_and_a_refusal_is_an_error(identity_endpoint):
    url, seen, replies = identity_endpoint
    replies.append((400, {"error": "invalid_request"}))
    async with aiohttp.ClientSession() as session:
        tokens = ManagedIdentityTokens(session, client_id="bot-app-id", endpoint=url, now=lambda: 0.0)
        with pytest.raises(TokenError):
            await tokens.token()
    assert seen[0][1]["Metadata"] == "true"


def test_the_platform_variables_reach_the_settings_and_the_header_is_masked():
    settings = load_settings(DEFAULT_CONFIG, environ={
        "MicrosoftAppId": "bot-app-id", "MicrosoftAppType": "UserAssignedMSI", "MicrosoftAppTenantId": "t",
        "IDENTITY_ENDPOINT": "http://127.0.0.1:4141/msi/token", "IDENTITY_HEADER": "h-secret"})
    assert settings.bot.identity_endpoint.endswith("/msi/token")
    assert settings.bot.identity_header == "h-secret"
    assert "h-secret" not in repr(settings)


async def test_the_scheduler_uses_managed_identity_tokens_for_user_assigned_msi():
    from bot.clock import FixedClock
    from bot.reminders.assembly import build_sender
    from datetime import datetime, timezone

    settings = load_settings(DEFAULT_CONFIG, environ={
        "MicrosoftAppId": "bot-app-id", "MicrosoftAppType": "UserAssignedMSI", "MicrosoftAppTenantId": "t"})
    async with aiohttp.ClientSession() as session:
        sender = build_sender(session, settings, FixedClock(datetime(2026, 1, 1, tzinfo=timezone.utc)), None)
        assert isinstance(sender._tokens, ManagedIdentityTokens)
