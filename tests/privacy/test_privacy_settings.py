"""The privacy section of app.yaml reaches the service (its invalid values are refused with the others, in
tests/host/test_settings.py)."""
from bot.privacy.service import Retention
from bot.settings import DEFAULT_CONFIG, load_settings


def test_app_yaml_retention_periods_reach_the_service():
    settings = load_settings(DEFAULT_CONFIG, environ={"SENCOBOT_PRIVACY__QUERIES_DAYS": "200"})
    retention = Retention.from_settings(settings.privacy)
    assert retention.queries_days == 200 and retention.bookings_past_days == 365
    assert settings.privacy.purge_time == "03:30"
