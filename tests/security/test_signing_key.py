"""Production mode (an app id set) needs the one shared link-signing key, in the bot and every command."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import create_app
from bot.cli import main
from bot.settings import SettingsError
from bot.signed_links import LinkSigner

APP_ID = "00000000-0000-0000-0000-0000000000a1"


def production(settings, **more):
    return settings.replace(**{"bot.app_id": APP_ID, "bot.app_password": "pw", "bot.app_type": "MultiTenant",
                               **more})


def test_the_app_refuses_to_start_in_production_without_the_key_and_names_the_setting(settings, clock):
    with pytest.raises(SettingsError, match="SENCOBOT_LINK_SIGNING_KEY"):
        create_app(production(settings), clock=clock, run_background=False)


def test_with_the_key_the_app_starts_and_its_links_verify_in_any_other_process(settings, clock):
    configured = production(settings, link_signing_key="shared-key")
    create_app(configured, clock=clock, run_background=False)
    token = LinkSigner.for_settings(configured).sign("ics", {"b": 1}, clock.now() + timedelta(days=1))
    assert LinkSigner.for_settings(configured).verify("ics", token, clock.now()) == {"b": 1}


def test_a_command_cannot_sign_a_link_in_production_without_the_key(settings, clock):
    signer = LinkSigner.for_settings(production(settings))
    with pytest.raises(SettingsError, match="SENCOBOT_LINK_SIGNING_KEY"):
        signer.sign("ics", {"b": 1}, clock.now() + timedelta(days=1))


def test_the_serve_command_stops_with_a_one_line_message(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.setenv("MicrosoftAppPassword", "pw")
    monkeypatch.setenv("MicrosoftAppType", "MultiTenant")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.delenv("SENCOBOT_LINK_SIGNING_KEY", raising=False)
    assert main(["serve", "--port", "0"]) == 2
    assert "SENCOBOT_LINK_SIGNING_KEY" in capsys.readouterr().err
