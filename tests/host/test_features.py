"""Features are found by their package, by the CLI and the assistant alike: a new feature edits no other's files."""
from __future__ import annotations

import pytest

import bot.assistant as assistant
from bot.cli import build_parser
from bot.features import feature_modules, feature_packages


def test_every_feature_package_is_found():
    assert feature_packages() == ("bookings", "broadcast", "content", "drafts", "evaluations", "faq", "inbox", "mail",
                                  "privacy", "reminders")


def test_each_feature_registers_its_own_commands():
    registered = {module.__name__ for module in feature_modules("commands")}
    assert "bot.content.commands" in registered and "bot.bookings.commands" in registered
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    kb = next(a for a in sub.choices["kb"]._actions if a.dest == "kb_command")
    # One command, actions from the host (check), the content store (import) and the inbox (export).
    assert {"check", "import", "export"} <= set(kb.choices)
    assert {"events", "inbox", "privacy", "drafts", "mail"} <= set(sub.choices)


def test_a_feature_package_nobody_installs_stops_the_assistant(monkeypatch):
    monkeypatch.setattr(assistant, "feature_packages", lambda: feature_packages() + ("bulletin",))
    features = assistant.Features(**{name: None for name in assistant.Features.__dataclass_fields__})
    with pytest.raises(RuntimeError, match="bulletin"):
        assistant._check_every_feature_installed(features)
