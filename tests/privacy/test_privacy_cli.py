"""sencobot privacy purge | export --user | delete --user."""
from __future__ import annotations

import asyncio
import io
import json
from datetime import datetime, timezone

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.settings import DEFAULT_CONFIG, load_settings
from bot.assistant import build_assistant
from bot.core import build_core
from integrations.db import Database
from integrations.db.migrate import upgrade
from tests.privacy.conftest import SPRING, World, email_of, seed_email_person, seed_teams_person, teams_id

BETWEEN = datetime(2025, 4, 29, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def env(cli_env, monkeypatch):
    monkeypatch.setenv("SENCOBOT_NOW", BETWEEN.isoformat())
    return cli_env, FixedClock(BETWEEN)


def seed(url, events_path, *teams_people, email_people=()):
    async def run():
        settings = load_settings(DEFAULT_CONFIG, environ={}, overrides={
            "database.url": url, "bookings.events_file": str(events_path), "link_signing_key": "test-signing-key"})
        database = Database(url)
        await upgrade(database)
        clock = FixedClock(SPRING)
        services = build_core(settings, clock=clock, database=database)
        world = World(services, build_assistant(services), clock)
        try:
            for n in teams_people:
                await seed_teams_person(world, n)
            for n in email_people:
                await seed_email_person(world, n)
        finally:
            await database.dispose()

    asyncio.run(run())


def test_export_writes_the_persons_data_as_json(env, events_path, tmp_path, capsys):
    seed(env[0], events_path, 1, 2)
    out = tmp_path / "sam.json"

    assert main(["privacy", "export", "--user", teams_id(1), "--out", str(out)]) == 0

    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "sencobot-personal-data/1"
    assert [c["reference"] for c in data["tribunal_cases"]] == ["Year 1 appeal"]
    assert teams_id(2) not in out.read_text()
    assert f"record(s) for {teams_id(1)} to {out}" in capsys.readouterr().out


def test_export_to_standard_output_by_email(env, events_path, capsys):
    seed(env[0], events_path, email_people=(1,))
    assert main(["privacy", "export", "--user", email_of(1)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [q["subject"] for q in data["queries"]] == ["Question from school 1"]


def test_delete_needs_confirmation_when_not_interactive(env, events_path, monkeypatch, capsys):
    seed(env[0], events_path, 1)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["privacy", "delete", "--user", teams_id(1)]) == 1
    assert "Add --yes" in capsys.readouterr().err
    assert main(["privacy", "export", "--user", teams_id(1)]) == 0
    assert json.loads(capsys.readouterr().out)["bookings"]


def test_delete_erases_and_reports_what_happened_to_the_bookings(env, events_path, capsys):
    seed(env[0], events_path, 1, 2)

    assert main(["privacy", "delete", "--user", teams_id(1), "--yes"]) == 0

    out = capsys.readouterr().out
    assert "tribunal_cases             1 deleted" in out
    assert "bookings (past events)     1 anonymised (kept for attendance counts)" in out
    assert "Cancelled 1 booking(s) for events still to come" in out
    assert main(["privacy", "export", "--user", teams_id(1)]) == 0
    left = json.loads(capsys.readouterr().out)
    assert not any(v for v in left.values() if isinstance(v, list))
    assert main(["privacy", "export", "--user", teams_id(2)]) == 0
    assert len(json.loads(capsys.readouterr().out)["bookings"]) == 2


def test_purge_reports_counts_per_table(env, events_path, capsys, monkeypatch):
    seed(env[0], events_path, 1)
    assert main(["privacy", "purge"]) == 0
    assert "Nothing was older than its retention period." in capsys.readouterr().out

    monkeypatch.setenv("SENCOBOT_NOW", "2027-01-01T00:00:00+00:00")
    assert main(["privacy", "purge"]) == 0
    out = capsys.readouterr().out
    assert "inbox_queries              1" in out
    assert "bookings                   2" in out          # both events are long past: anonymised
    assert "record(s) deleted or anonymised." in out
