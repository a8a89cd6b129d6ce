"""The privacy section of app.yaml: defaults, and one-line errors naming the key."""
import pytest

from bot.privacy.service import Retention
from bot.settings import DEFAULT_CONFIG, SettingsError, load_settings


def test_app_yaml_retention_periods_reach_the_service():
    settings = load_settings(DEFAULT_CONFIG, environ={"SENCOBOT_PRIVACY__QUERIES_DAYS": "200"})
    retention = Retention.from_settings(settings.privacy)
    assert retention.queries_days == 200 and retention.bookings_past_days == 365
    assert settings.privacy.purge_time == "03:30"


@pytest.mark.parametrize("environ, key", [
    ({"SENCOBOT_PRIVACY__BOT_STATE_DAYS": "0"}, "privacy.bot_state_days"),
    ({"SENCOBOT_PRIVACY__PURGE_TIME": "25:00"}, "privacy.purge_time"),
    ({"SENCOBOT_PRIVACY__PURGE_TIME": "3pm"}, "privacy.purge_time"),
])
def test_invalid_privacy_settings_name_the_key(environ, key):
    with pytest.raises(SettingsError) as caught:
        load_settings(DEFAULT_CONFIG, environ=environ)
    assert str(caught.value).startswith(key) and "\n" not in str(caught.value)
