"""The feature packages: every ``bot/<name>/`` with an ``install.py``.

Found, not listed, so a new feature is a new package: the CLI registers each one's ``commands.py`` from here,
and ``bot.assistant`` checks that it installs every one of them (a package with an ``install.py`` that nothing
installs is a wiring mistake, reported at start-up, not a feature that silently does nothing).
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from pathlib import Path
from types import ModuleType

_BOT = Path(__file__).resolve().parent


def feature_packages() -> tuple[str, ...]:
    """The feature packages' names, sorted (``bookings``, ``content``, …)."""
    return tuple(sorted(info.name for info in pkgutil.iter_modules([str(_BOT)])
                        if info.ispkg and (_BOT / info.name / "install.py").is_file()))


def feature_modules(part: str) -> list[ModuleType]:
    """Each feature's ``bot.<feature>.<part>`` module, for the features that have one."""
    names = (f"bot.{feature}.{part}" for feature in feature_packages())
    return [importlib.import_module(name) for name in names if importlib.util.find_spec(name) is not None]
