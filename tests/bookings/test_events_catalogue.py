"""knowledge/events.py: the deck's six events, validation, finding the event a message means."""
from __future__ import annotations

import dataclasses
import shutil
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from knowledge.check import CHECKERS, check
from knowledge.events import (DEFAULT_EVENTS_FILE, EventsError, check_events, event_to_raw, find_events, load_events,
                              parse_local, render_entry, replace_entry_text)

UTC = timezone.utc


def test_the_six_events_of_the_deck_load_as_london_times():
    events = load_events().by_id()
    assert sorted(events) == [
        "induction-east-2025-05-06", "induction-north-2025-04-30", "induction-south-2025-04-28",
        "induction-west-2025-05-02", "webinar-2025-04-30", "webinar-2025-05-06"]
    webinar = events["webinar-2025-05-06"]
    assert webinar.start.astimezone(UTC) == datetime(2025, 5, 6, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert webinar.start.utcoffset() == timedelta(hours=1)
    assert webinar.is_online and webinar.location == "Online (Microsoft Teams)"
    assert webinar.join_url.startswith("https://teams.microsoft.com/l/meetup-join/")
    south = events["induction-south-2025-04-28"]
    assert (south.start.hour, south.end.hour, south.venue, south.area) == (13, 16, "Discovery Park, Sandwich", "South")
    assert {e.capacity for e in events.values()} == {60, 100}
    assert all(e.booking_closes <= e.start and e.status == "scheduled" for e in events.values())


def test_booking_state_follows_the_clock():
    west = load_events().get("induction-west-2025-05-02")
    assert west.booking_state(datetime(2025, 3, 1, tzinfo=UTC)) == "not_open"
    assert west.booking_state(datetime(2025, 4, 1, tzinfo=UTC)) == "open"
    assert west.booking_state(datetime(2025, 5, 1, 16, 0, tzinfo=UTC)) == "closed"  # 17:00 BST
    assert west.booking_state(datetime(2025, 5, 2, 8, 0, tzinfo=UTC)) == "past"     # 09:00 BST
    assert west.booking_state(datetime(2026, 11, 27, tzinfo=UTC)) == "past"


@pytest.mark.parametrize("text, expected", [
    ("book the induction meeting in Maidstone", ["induction-west-2025-05-02"]),
    ("sign me up for the webinar on 6 May", ["webinar-2025-05-06"]),
    ("the webinar on 30th April", ["webinar-2025-04-30"]),
    ("book the Maidstne one", ["induction-west-2025-05-02"]),
    ("east community meeting", ["induction-east-2025-05-06"]),
    ("the Canterbury induction", ["induction-east-2025-05-06"]),
    ("anything on 6/5", ["webinar-2025-05-06", "induction-east-2025-05-06"]),
    ("book the induction on 1 June", []),
])
def test_finding_the_events_a_message_means(text, expected):
    _query, found = find_events(load_events().events, text)
    assert [e.id for e in found] == expected


def test_a_message_naming_nothing_matches_every_event_soonest_first():
    query, found = find_events(load_events().events, "book")
    assert not query.is_specific and len(found) == 6
    assert found[0].id == "induction-south-2025-04-28"


def test_times_the_clocks_skip_or_repeat_are_refused():
    with pytest.raises(ValueError, match="does not exist"):
        parse_local("2025-03-30T01:30")
    with pytest.raises(ValueError, match="happens twice"):
        parse_local("2025-10-26T01:30")
    assert parse_local("2025-10-26T03:00").utcoffset() == timedelta(0)


BROKEN = """\
events:
  - id: Bad_Id
    kind: seminar
    title: ""
    description: "x"
    start: "2025-05-06T10:00"
    end: "2025-05-06T09:00"
    booking_opens: "2025-03-19T12:30"
    booking_closes: "2025-05-07T17:00"
    status: scheduled
    capacity: 0
    colour: blue
  - id: twin
    kind: webinar
    title: "A"
    description: "x"
    start: "2025-05-06T10:00"
    end: "2025-05-06T11:00"
    booking_opens: "2025-03-19T12:30"
    booking_closes: "2025-05-05T17:00"
    status: scheduled
    join_url: "http://example.org/not secure"
  - id: twin
    kind: induction
    title: "B"
    description: "x"
    start: "2025-13-06T10:00"
    status: scheduled
"""


def test_every_problem_is_reported_at_once(tmp_path):
    path = tmp_path / "events.yaml"
    path.write_text(BROKEN)
    with pytest.raises(EventsError) as caught:
        load_events(path)
    messages = [str(p) for p in caught.value.problems]
    for expected in ("id must be kebab-case", "kind must be one of webinar, induction", "'title' must be non-empty",
                     "end must be after start", "booking_closes must not be after the start",
                     "capacity must be a whole number", "unknown key 'colour'", "give a venue or a join_url",
                     "join_url must be one https:// link", "missing 'end'", "is not a local time"):
        assert any(expected in m for m in messages), expected


def test_kb_check_reports_event_problems_by_event_id(tmp_path):
    (tmp_path / "events.yaml").write_text(BROKEN.replace("    capacity: 0\n", ""))
    assert check_events in CHECKERS  # part of every `kb check`
    problems = check(tmp_path, checkers=[check_events])
    assert {p.where for p in problems} >= {"Bad_Id", "twin"}
    assert all(p.severity == "error" for p in problems)


def test_kb_check_passes_the_real_catalogue_and_warns_when_capacity_is_left_to_the_default(tmp_path):
    shutil.copytree(DEFAULT_EVENTS_FILE.parent, tmp_path / "data")
    assert check(tmp_path / "data", checkers=[check_events]) == []
    path = tmp_path / "data" / "events.yaml"
    path.write_text(path.read_text().replace("    capacity: 100          # ours, not the deck's\n", "", 1))
    (warning,) = check(tmp_path / "data", checkers=[check_events])
    assert warning.severity == "warning" and warning.where == "webinar-2025-04-30"


def test_rewriting_one_entry_keeps_the_rest_of_the_file():
    text = DEFAULT_EVENTS_FILE.read_text()
    events = load_events()
    west = events.get("induction-west-2025-05-02")
    changed = dataclasses.replace(west, capacity=80, venue="Oakwood House, Maidstone")

    updated = replace_entry_text(text, west.id, render_entry(event_to_raw(changed)))

    assert updated.startswith(text.split("events:")[0])  # the header comment survives
    assert updated.count("# ours, not the deck's") == text.count("# ours, not the deck's") - 1
    path_events = {e["id"]: e for e in yaml.safe_load(updated)["events"]}
    assert path_events[west.id]["capacity"] == 80 and path_events[west.id]["start"] == "2025-05-02T09:00"
    assert path_events["induction-east-2025-05-06"]["venue"] == "University of Kent, Canterbury"
