"""With an app id, /api/messages accepts only valid Bot Connector tokens; everything else is a 401."""
import asyncio
import json
import logging
import time
import uuid
from datetime import timedelta

import jwt
import pytest
from botbuilder.integration.aiohttp import ConfigurationServiceClientCredentialFactory
from botframework.connector.auth import (
    ManagedIdentityAppCredentials,
    ManagedIdentityServiceClientCredentialsFactory,
    PasswordServiceClientCredentialFactory,
)
from botframework.connector.auth._parameterized_bot_framework_authentication import (
    _ParameterizedBotFrameworkAuthentication,
)

from bot.app import create_adapter
from bot.security import PUBLIC_CLOUD_OPENID_METADATA_URL, bot_framework_config
from bot.settings import DEFAULT_CONFIG, SettingsError, load_settings
from tests.e2e.conftest import payload
from tests.fakes.openid import LocalTokenCredentialsFactory, new_rsa_key
from tests.security.conftest import APP_ID, TENANT_ID, serve


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def message(**changes) -> dict:
    return payload("teams_message", id=uuid.uuid4().hex, **changes)


async def test_a_valid_token_runs_the_turn_and_the_reply_carries_the_bots_own_token(secured_bot, openid):
    token = openid.mint(app_id=APP_ID, service_url=secured_bot.connector.url)
    status, _ = await secured_bot.post(message(), headers=bearer(token))
    assert status == 201
    [reply] = await secured_bot.connector.wait_for(1)
    assert "NPQ" in json.dumps(reply)
    sent = [r for r in secured_bot.connector.received if "/activities" in r.path][0]
    assert sent.headers["Authorization"] == f"Bearer {secured_bot.outgoing_token}"
    assert secured_bot.credentials.created_for and set(secured_bot.credentials.created_for) == {APP_ID}


async def test_an_invoke_with_a_valid_token_gets_its_invoke_response(secured_bot, openid):
    token = openid.mint(app_id=APP_ID, service_url=secured_bot.connector.url)
    status, body = await secured_bot.post(payload("teams_invoke_card_action"), headers=bearer(token))
    assert status == 200 and json.loads(body)["statusCode"] == 200


def _bad_tokens(openid, service_url):
    """(case name, Authorization header value) for every way a token can be wrong."""
    good = dict(app_id=APP_ID, service_url=service_url)
    stranger = new_rsa_key()
    webchat_key = openid.add_key(endorsements=("webchat",))
    valid = openid.mint(**good)
    header, payload_part, signature = valid.split(".")
    return [
        ("no scheme", valid),
        ("wrong scheme", f"Basic {valid}"),
        ("lower-case scheme", f"bearer {valid}"),
        ("empty bearer", "Bearer "),
        ("two tokens", f"Bearer {valid} {valid}"),
        ("not a jwt", "Bearer not-a-token"),
        ("garbage segments", "Bearer a.b.c"),
        ("tampered payload", "Bearer " + ".".join([header, payload_part[:-4] + "AAAA", signature])),
        ("no signature", "Bearer " + ".".join([header, payload_part, ""])),
        ("alg none", "Bearer " + jwt.encode({"iss": openid.issuer, "aud": APP_ID, "serviceurl": service_url,
                                             "exp": int(time.time()) + 600}, None, algorithm="none",
                                            headers={"kid": openid.keys[0].kid})),
        ("expired", "Bearer " + openid.mint(**good, issued_seconds_ago=7200, lifetime_seconds=3600)),
        ("not yet valid", "Bearer " + openid.mint(**good, nbf=int(time.time()) + 3600)),
        ("wrong audience", "Bearer " + openid.mint(app_id="0b7c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3",
                                                   service_url=service_url)),
        ("no audience", "Bearer " + openid.mint(**good, aud=None)),
        ("wrong issuer", "Bearer " + openid.mint(**good, iss="https://login.example.org/")),
        ("emulator issuer", "Bearer " + openid.mint(
            **good, iss="https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/", ver="1.0", appid=APP_ID)),
        ("unknown signing key", "Bearer " + openid.mint(**good, private=stranger, kid="no-such-key")),
        ("known key id, wrong key", "Bearer " + openid.mint(**good, private=stranger)),
        ("no key id", "Bearer " + jwt.encode({"iss": openid.issuer, "aud": APP_ID, "serviceurl": service_url,
                                              "exp": int(time.time()) + 600}, openid.keys[0].private,
                                             algorithm="RS256")),
        ("key not endorsed for Teams", "Bearer " + openid.mint(**good, key=webchat_key)),
        ("other serviceUrl", "Bearer " + openid.mint(app_id=APP_ID,
                                                     service_url="https://smba.trafficmanager.net/uk/")),
        ("no serviceUrl claim", "Bearer " + openid.mint(**good, serviceurl=None)),
        ("HS256 with the public key as secret", "Bearer " + _hs256_confusion(openid, service_url)),
    ]


def _hs256_confusion(openid, service_url) -> str:
    from cryptography.hazmat.primitives import serialization

    public_pem = openid.keys[0].private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    import hashlib
    import hmac
    import base64

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": openid.keys[0].kid}).encode())
    body = b64(json.dumps({"iss": openid.issuer, "aud": APP_ID, "serviceurl": service_url,
                           "exp": int(time.time()) + 600}).encode())
    signature = b64(hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{signature}"


async def test_every_kind_of_bad_token_is_a_401_and_the_turn_never_runs(secured_bot, openid, caplog):
    caplog.set_level(logging.INFO)
    cases = _bad_tokens(openid, secured_bot.connector.url)
    for name, value in cases:
        status, body = await secured_bot.post(message(), headers={"Authorization": value})
        assert status == 401, name
        assert json.loads(body) == {"error": "unauthorised"}, name
    status, _ = await secured_bot.post(message())
    assert status == 401, "no Authorization header"
    status, _ = await secured_bot.post(payload("teams_invoke_card_action"))
    assert status == 401, "invoke without a token"
    assert secured_bot.connector.received == []
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "refused an unauthenticated request" in logged
    for _, value in cases:
        token = value.split(" ")[-1]
        if len(token) > 20:
            assert token not in logged and token[-20:] not in logged


async def test_a_valid_token_still_runs_after_a_storm_of_bad_ones(secured_bot, openid):
    for _, value in _bad_tokens(openid, secured_bot.connector.url):
        await secured_bot.post(message(), headers={"Authorization": value})
    token = openid.mint(app_id=APP_ID, service_url=secured_bot.connector.url)
    status, _ = await secured_bot.post(message(), headers=bearer(token))
    assert status == 201
    await secured_bot.connector.wait_for(1)


async def test_a_rotated_signing_key_is_picked_up_after_a_short_wait(secured_settings, clock, openid):
    outgoing = openid.mint(app_id="https://api.botframework.com", service_url="")
    factory = LocalTokenCredentialsFactory(bot_framework_config(secured_settings), outgoing)
    async with serve(secured_settings, clock, credentials_factory=factory) as bot:
        first = openid.mint(app_id=APP_ID, service_url=bot.connector.url)
        assert (await bot.post(message(), headers=bearer(first)))[0] == 201
        fetched = len(openid.requests_served)

        new_key = openid.add_key()
        rotated = openid.mint(app_id=APP_ID, service_url=bot.connector.url, key=new_key)
        # Just refreshed: an unknown key id does not make every request hit the key endpoint.
        assert (await bot.post(message(), headers=bearer(rotated)))[0] == 401
        assert len(openid.requests_served) == fetched

        clock.advance(timedelta(minutes=6))
        assert (await bot.post(message(), headers=bearer(rotated)))[0] == 201
        assert len(openid.requests_served) > fetched


async def test_signing_keys_are_fetched_at_start_up_off_the_request_path(secured_settings, clock, openid):
    async with serve(secured_settings, clock, run_background=True) as bot:
        for _ in range(400):
            if "/v1/.well-known/keys" in openid.requests_served:
                break
            await asyncio.sleep(0.005)
        assert openid.requests_served == ["/v1/.well-known/openidconfiguration", "/v1/.well-known/keys"]
        assert bot.connector.received == []


async def test_an_unreachable_key_endpoint_means_401_not_500(secured_settings, clock, openid):
    openid.stop()
    async with serve(secured_settings, clock, run_background=False) as bot:
        token = openid.mint(app_id=APP_ID, service_url=bot.connector.url)
        status, _ = await bot.post(message(), headers=bearer(token))
        assert status == 401


async def test_anonymous_mode_ignores_the_authorization_header(running_bot):
    status, _ = await running_bot.post(message(), headers={"Authorization": "Bearer nonsense"})
    assert status == 201
    await running_bot.connector.wait_for(1)


# -- app types ---------------------------------------------------------------------------------------

def _settings_for(app_type: str, **extra):
    environ = {"MicrosoftAppId": APP_ID, "MicrosoftAppType": app_type, **extra}
    return load_settings(DEFAULT_CONFIG, environ=environ)


def _credential_factory(adapter):
    inner = adapter.bot_framework_authentication._inner
    assert isinstance(inner, _ParameterizedBotFrameworkAuthentication)
    factory = inner._credentials_factory
    assert isinstance(factory, ConfigurationServiceClientCredentialFactory)
    return factory._inner


async def test_single_tenant_builds_password_credentials_for_its_own_tenant():
    settings = _settings_for("SingleTenant", MicrosoftAppPassword="pw", MicrosoftAppTenantId=TENANT_ID)
    factory = _credential_factory(create_adapter(settings))
    assert isinstance(factory, PasswordServiceClientCredentialFactory)
    assert factory.tenant_id == TENANT_ID
    credentials = await factory.create_credentials(
        APP_ID, "https://api.botframework.com", bot_framework_config(settings).TO_CHANNEL_FROM_BOT_LOGIN_URL, True)
    assert credentials.oauth_endpoint == f"https://login.microsoftonline.com/{TENANT_ID}"
    assert await factory.is_valid_app_id(APP_ID) and not await factory.is_valid_app_id("someone-else")


async def test_user_assigned_managed_identity_builds_managed_identity_credentials():
    settings = _settings_for("UserAssignedMSI", MicrosoftAppTenantId=TENANT_ID)
    config = bot_framework_config(settings)
    assert config.APP_TENANTID == TENANT_ID
    factory = _credential_factory(create_adapter(settings))
    assert isinstance(factory, ManagedIdentityServiceClientCredentialsFactory)
    credentials = await factory.create_credentials(APP_ID, "https://api.botframework.com", "", True)
    assert isinstance(credentials, ManagedIdentityAppCredentials)
    assert credentials.microsoft_app_id == APP_ID


async def test_user_assigned_managed_identity_serves_a_valid_token(settings, clock, openid):
    msi = settings.replace(**{"bot.app_id": APP_ID, "bot.app_type": "UserAssignedMSI",
                              "bot.app_tenant_id": TENANT_ID, "bot.openid_metadata_url": openid.metadata_url,
                              "link_signing_key": "test-signing-key"})
    factory = LocalTokenCredentialsFactory(bot_framework_config(msi), "outgoing-token")
    assert isinstance(factory._inner, ManagedIdentityServiceClientCredentialsFactory)
    async with serve(msi, clock, credentials_factory=factory) as bot:
        token = openid.mint(app_id=APP_ID, service_url=bot.connector.url)
        assert (await bot.post(message(), headers=bearer(token)))[0] == 201
        assert (await bot.post(message(), headers=bearer(openid.mint(app_id="other", service_url=bot.connector.url))))[0] == 401


def test_multi_tenant_still_builds_for_existing_registrations():
    settings = _settings_for("MultiTenant", MicrosoftAppPassword="pw")
    factory = _credential_factory(create_adapter(settings))
    assert isinstance(factory, PasswordServiceClientCredentialFactory) and factory.tenant_id is None


def test_production_uses_the_public_cloud_endpoints_unless_told_otherwise():
    config = bot_framework_config(_settings_for("SingleTenant", MicrosoftAppPassword="pw",
                                                MicrosoftAppTenantId=TENANT_ID))
    assert config.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL == PUBLIC_CLOUD_OPENID_METADATA_URL
    assert config.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER == "https://api.botframework.com"
    assert config.TO_CHANNEL_FROM_BOT_LOGIN_URL.startswith("https://login.microsoftonline.com/")
    custom = bot_framework_config(_settings_for("SingleTenant", MicrosoftAppPassword="pw",
                                                MicrosoftAppTenantId=TENANT_ID,
                                                SENCOBOT_BOT__TOKEN_ISSUER="https://issuer.test",
                                                SENCOBOT_BOT__OPENID_METADATA_URL="http://127.0.0.1:1/meta"))
    assert custom.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER == "https://issuer.test"
    assert custom.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL == "http://127.0.0.1:1/meta"


def test_anonymous_mode_builds_whatever_the_app_type_says():
    for app_type in ("SingleTenant", "UserAssignedMSI", "MultiTenant"):
        settings = load_settings(DEFAULT_CONFIG, environ={"MicrosoftAppType": app_type})
        adapter = create_adapter(settings)
        assert adapter.bot_framework_authentication is not None


@pytest.mark.parametrize("environ, key", [
    ({"MicrosoftAppId": APP_ID, "MicrosoftAppType": "SingleTenant", "MicrosoftAppTenantId": TENANT_ID},
     "bot.app_password"),
    ({"MicrosoftAppId": APP_ID, "MicrosoftAppType": "UserAssignedMSI"}, "bot.app_tenant_id"),
    ({"MicrosoftAppId": APP_ID, "MicrosoftAppPassword": "pw"}, "bot.app_tenant_id"),
])
def test_incomplete_registrations_fail_at_start_up_naming_the_setting(environ, key):
    with pytest.raises(SettingsError) as caught:
        load_settings(DEFAULT_CONFIG, environ=environ)
    assert str(caught.value).startswith(key)
