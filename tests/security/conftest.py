"""Fixtures for the security tests: the real app on a free port, optionally with authentication on."""
from __future__ import annotations

import contextlib
import uuid

import pytest

from bot.app import create_app
from bot.security import bot_framework_config
from integrations.db import Database
from integrations.db.migrate import upgrade
from tests.e2e.conftest import running_bot, serve_bot  # noqa: F401 (running_bot: the e2e fixture, reused here)
from tests.fakes import running
from tests.fakes.connector import ConnectorStandIn
from tests.fakes.openid import LocalTokenCredentialsFactory, OpenIdStandIn

APP_ID = "8f0e6a52-3b1d-4c7e-9a21-5d6c7b8e9f01"
TENANT_ID = "3253a20d-c735-4bfe-a8b7-3e6ab37f5f90"


@contextlib.asynccontextmanager
async def serve(settings, clock, *, connector: ConnectorStandIn | None = None, run_background: bool = False,
                **create_app_kwargs):
    """The app as ``sencobot serve`` builds it, on 127.0.0.1 and a free port.

    Background tasks (reminders, mail, digests…) are off unless asked for: nothing here
    depends on them, and they only slow start-up and shutdown.
    """
    connector = connector or await ConnectorStandIn().start()
    database = Database(settings.database.url)
    await upgrade(database)
    app = create_app(settings, clock=clock, database=database, run_background=run_background, **create_app_kwargs)
    async with serve_bot(app, connector) as bot:
        yield bot


@pytest.fixture
def openid():
    yield from running(OpenIdStandIn())


@pytest.fixture
def secured_settings(settings, openid):
    return settings.replace(**{
        "bot.app_id": APP_ID,
        "bot.app_password": "test-password-not-real",
        "bot.app_type": "SingleTenant",
        "bot.app_tenant_id": TENANT_ID,
        "bot.openid_metadata_url": openid.metadata_url,
        "link_signing_key": "test-signing-key",
    })


@pytest.fixture
async def secured_bot(secured_settings, clock, openid):
    """Authentication on; replies carry a token minted by the stand-in instead of one from Azure AD."""
    outgoing = openid.mint(app_id="https://api.botframework.com", service_url="", nonce=uuid.uuid4().hex)
    factory = LocalTokenCredentialsFactory(bot_framework_config(secured_settings), outgoing)
    async with serve(secured_settings, clock, credentials_factory=factory) as bot:
        bot.outgoing_token = outgoing
        bot.credentials = factory
        yield bot
