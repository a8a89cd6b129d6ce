"""Staff commands: sencobot events add|edit|cancel|list and bookings list|export."""
from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, timezone

import pytest

from bot.cli import main
from bot.clock import FixedClock
from integrations.db import Database
from knowledge.check import check
from knowledge.events import check_events, load_events
from tests.bookings.conftest import make_service, person

NEW_ID = "induction-west-2026-12-03"


@pytest.fixture
def env(cli_env):
    return cli_env


def book(url, events_path, *people):
    async def run():
        database = Database(url)
        try:
            service = make_service(database, FixedClock(datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)), events_path)
            return [(await service.book(NEW_ID, p)).outcome for p in people]
        finally:
            await database.dispose()

    return asyncio.run(run())


def add_event(capacity: int = 2) -> int:
    return main(["events", "add", "--kind", "induction", "--area", "West",
                 "--title", "Community Induction Meeting – West", "--description", "The next induction meeting.",
                 "--start", "2026-12-03T09:00", "--end", "2026-12-03T12:00",
                 "--venue", "Mercure Great Danes Hotel, Maidstone", "--capacity", str(capacity),
                 "--opens", "2026-11-20T09:00"])


def test_staff_add_an_event_raise_its_capacity_list_export_and_cancel_it(env, events_path, capsys):
    assert add_event(capacity=2) == 0
    event = load_events(events_path).get(NEW_ID)
    assert event.start.utcoffset().total_seconds() == 0  # December: GMT
    assert (event.capacity, event.booking_closes.isoformat()) == (2, "2026-12-02T17:00:00+00:00")
    assert check(events_path.parent, checkers=[check_events]) == []
    assert events_path.read_text().startswith("# Bookable events announced")  # header comment kept

    outcomes = book(env, events_path, person(1), person(2, name="=HYPERLINK(\"x\")"), person(3), person(4))
    assert outcomes == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    capsys.readouterr()

    assert main(["events", "edit", NEW_ID, "--capacity", "3"]) == 0
    assert "1 promoted from the waiting list" in capsys.readouterr().out
    assert load_events(events_path).get(NEW_ID).capacity == 3

    assert main(["bookings", "list", NEW_ID]) == 0
    listing = capsys.readouterr().out
    assert "Community Induction Meeting – West, Thursday 3 December 2026, 09:00" in listing
    assert "3 booked, 1 on the waiting list." in listing
    assert listing.index("Sam Senco 3") < listing.index("Sam Senco 4")

    assert main(["bookings", "export", NEW_ID, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["name", "school", "email", "status", "booked_at"]
    assert [(r["name"], r["status"]) for r in rows] == [
        ("Sam Senco 1", "confirmed"), ("'=HYPERLINK(\"x\")", "confirmed"), ("Sam Senco 3", "confirmed"),
        ("Sam Senco 4", "waitlisted")]
    assert rows[0]["booked_at"] == "2026-11-28 09:00" and rows[0]["email"] == "senco1@school1.kent.sch.uk"

    assert main(["events", "cancel", NEW_ID]) == 0
    out = capsys.readouterr()
    assert f"cancelled: {NEW_ID}" in out.out and "4 bookings told about the change" in out.out
    assert load_events(events_path).get(NEW_ID).status == "cancelled"
    assert main(["bookings", "list", NEW_ID]) == 0
    assert "No bookings." in capsys.readouterr().out
    assert main(["bookings", "list", NEW_ID, "--all"]) == 0
    assert capsys.readouterr().out.count("cancelled") == 4


def test_a_change_the_catalogue_would_reject_leaves_the_file_alone(env, events_path, capsys):
    before = events_path.read_text()
    assert main(["events", "edit", "induction-west-2025-05-02", "--end", "2025-05-02T08:00", "--no-sync"]) == 1
    assert "end must be after start" in capsys.readouterr().err
    assert main(["events", "edit", "no-such-event", "--capacity", "3", "--no-sync"]) == 1
    assert main(["events", "cancel", "induction-west-2025-05-02", "--moved", "--no-sync"]) == 0
    assert load_events(events_path).get("induction-west-2025-05-02").status == "moved"
    assert events_path.read_text() != before
    assert main(["bookings", "list", "no-such-event"]) == 1


def test_a_broken_events_file_is_reported_not_raised(env, events_path, capsys):
    events_path.write_text(events_path.read_text().replace('start: "2025-05-02T09:00"', 'start: "2 May"'))
    assert main(["events", "list"]) == 1
    assert "induction-west-2025-05-02: 'start': '2 May' is not a local time" in capsys.readouterr().err
