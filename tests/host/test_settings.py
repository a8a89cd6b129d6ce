import pytest

from bot.settings import DEFAULT_CONFIG, SettingsError, load_settings


def test_defaults_come_from_app_yaml():
    settings = load_settings(DEFAULT_CONFIG, environ={})
    assert settings.server.port == 3978
    assert settings.database.url.startswith("sqlite+aiosqlite:///var/")
    assert settings.timezone == "Europe/London"


def test_environment_overrides_yaml_and_bot_framework_names_are_honoured():
    settings = load_settings(
        DEFAULT_CONFIG,
        environ={
            "SENCOBOT_SERVER__PORT": "8080",
            "DATABASE_URL": "postgresql+asyncpg://bot:hunter2@db/sencobot",
            "MicrosoftAppId": "11111111-2222-3333-4444-555555555555",
            "MicrosoftAppPassword": "s3cret",
            "MicrosoftAppType": "SingleTenant",
            "MicrosoftAppTenantId": "tenant-1",
            "SENCOBOT_BOT__STAFF_IDS": "aad-1, aad-2",
        },
    )
    assert settings.server.port == 8080
    assert settings.bot.app_type == "SingleTenant"
    assert settings.bot.staff_ids == ["aad-1", "aad-2"]
    printed = repr(settings)
    assert "s3cret" not in printed and "hunter2" not in printed
    assert "***" in printed


@pytest.mark.parametrize(
    "environ, key",
    [
        ({"SENCOBOT_SERVER__PORT": "eighty"}, "server.port"),
        ({"SENCOBOT_SERVER__PORT": "70000"}, "server.port"),
        ({"MicrosoftAppType": "Sometimes"}, "bot.app_type"),
        ({"MicrosoftAppId": "x", "MicrosoftAppType": "SingleTenant"}, "bot.app_tenant_id"),
        ({"SENCOBOT_KNOWLEDGE__ANSWER_THRESHOLD": "lots"}, "knowledge.answer_threshold"),
        ({"SENCOBOT_SERVER__COLOUR": "blue"}, "server.colour"),
        ({"SENCOBOT_TIMEZONE": "Mars/Olympus"}, "timezone"),
        ({"SENCOBOT_PRIVACY__BOT_STATE_DAYS": "0"}, "privacy.bot_state_days"),
        ({"SENCOBOT_PRIVACY__PURGE_TIME": "25:00"}, "privacy.purge_time"),
        ({"SENCOBOT_PRIVACY__PURGE_TIME": "3pm"}, "privacy.purge_time"),
    ],
)
def test_invalid_settings_fail_with_one_line_naming_the_key(environ, key):
    with pytest.raises(SettingsError) as caught:
        load_settings(DEFAULT_CONFIG, environ=environ)
    message = str(caught.value)
    assert message.startswith(key)
    assert "\n" not in message


def test_secrets_are_refused_in_the_config_file(tmp_path):
    config = tmp_path / "app.yaml"
    config.write_text("bot:\n  app_password: oops\n")
    with pytest.raises(SettingsError, match="bot.app_password"):
        load_settings(config, environ={})


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "nope.yaml", environ={})


def test_every_setting_in_app_yaml_has_a_comment():
    for line in DEFAULT_CONFIG.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.endswith(":"):
            continue
        assert "#" in stripped, f"app.yaml line without a comment: {line!r}"


def test_app_yaml_thresholds_are_the_engines_benchmarked_defaults():
    """bench/faq_eval.py measures the engine's defaults; production must run the same numbers."""
    from knowledge.engine import Thresholds

    settings = load_settings(DEFAULT_CONFIG, environ={})
    assert settings.knowledge.answer_threshold == Thresholds().answer
    assert settings.knowledge.suggest_threshold == Thresholds().suggest


def test_kb_check_command_passes_on_the_shipped_knowledge(capsys):
    from bot.cli import main

    assert main(["kb", "check"]) == 0
    assert "0 error(s)" in capsys.readouterr().out


def test_kb_check_command_fails_on_a_broken_knowledge_folder(tmp_path, capsys):
    from bot.cli import main

    (tmp_path / "faq").mkdir()
    (tmp_path / "faq" / "bad.yaml").write_text(
        "entries:\n  - id: a\n    question: Q?\n    answer: A.\n    related: [missing]\n"
    )
    assert main(["kb", "check", "--path", str(tmp_path)]) == 1
    assert "error" in capsys.readouterr().out
