"""Anonymous mode (no app id) is for local use: loopback only, unless explicitly allowed, and it says so."""
import logging

import pytest

from bot.cli import main
from bot.security import check_listen_address, is_loopback
from bot.settings import SettingsError
from tests.security.conftest import APP_ID, TENANT_ID


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.0.0.53", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("10.1.2.3", False), ("bot.example.org", False), ("", False),
])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_anonymous_on_loopback_starts_and_warns_that_requests_are_not_authenticated(settings, caplog):
    caplog.set_level(logging.INFO)
    check_listen_address(settings)
    [record] = [r for r in caplog.records if r.name == "bot.security"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "anonymous mode" in message and "NOT authenticated" in message and "loopback" in message


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_anonymous_on_any_other_address_refuses_to_start(settings, host):
    with pytest.raises(SettingsError) as caught:
        check_listen_address(settings.replace(**{"server.host": host}))
    assert str(caught.value).startswith("server.host")
    assert "MicrosoftAppId" in str(caught.value)


def test_the_explicit_setting_allows_it_with_a_loud_warning(settings, caplog):
    caplog.set_level(logging.INFO)
    check_listen_address(settings.replace(**{"server.host": "0.0.0.0", "server.allow_anonymous_non_loopback": True}))
    [record] = [r for r in caplog.records if r.name == "bot.security"]
    assert record.levelno == logging.WARNING and "NOT authenticated" in record.getMessage()


def test_with_an_app_id_any_address_is_fine_and_the_log_says_authentication_is_on(settings, caplog):
    caplog.set_level(logging.INFO)
    secured = settings.replace(**{"server.host": "0.0.0.0", "bot.app_id": APP_ID, "bot.app_password": "pw",
                                  "bot.app_tenant_id": TENANT_ID})
    check_listen_address(secured)
    [record] = [r for r in caplog.records if r.name == "bot.security"]
    assert "authentication is ON" in record.getMessage() and APP_ID in record.getMessage()
    assert "pw" not in record.getMessage().split()


def test_sencobot_serve_refuses_a_public_address_in_anonymous_mode(monkeypatch, tmp_path, capsys):
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "MicrosoftAppTenantId"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SENCOBOT_SERVER__ALLOW_ANONYMOUS_NON_LOOPBACK", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/never-created.db")
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "server.host" in capsys.readouterr().err
    assert not (tmp_path / "never-created.db").exists(), "it refused before touching the database"
