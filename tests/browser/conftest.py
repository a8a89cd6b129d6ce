"""The browser tests drive the same running app as the evaluation web tests."""
from tests.evaluations.conftest import clock, eval_settings, web_bot  # noqa: F401  (fixtures)
