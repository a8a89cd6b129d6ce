from datetime import date, datetime, timedelta, timezone
from io import StringIO

import ics
import pytest
from dateutil import tz as dateutil_tz
from icalendar import Calendar

from integrations.calendar import (
    LONDON,
    PRODID,
    Attendee,
    CalendarEvent,
    booking_uid,
    build_ics,
    vtimezone,
)

UTC = timezone.utc
TEAMS_URL = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NmNkNzZmNDk%40thread.v2/0"
    "?context=%7b%22Tid%22%3a%223253a20d%22%7d"
)
ORGANIZER = ("senco.forum@example.org", "Countywide SENCO Forum team")
BOOKER = Attendee(email="j.patel@oakwood.kent.sch.uk", name="Jas Patel")
NOW = datetime(2025, 4, 1, 8, 15, tzinfo=UTC)


def london_event(event_id, title, description, day, start, end, **where) -> CalendarEvent:
    """An event within one London day: ``day`` is (year, month, day), ``start`` and ``end`` are (hour, minute)."""
    return CalendarEvent(event_id, title, description, datetime(*day, *start, tzinfo=LONDON),
                         datetime(*day, *end, tzinfo=LONDON), **where)


# Tuesday 6 May 2025, BST
WEBINAR = london_event("qa-webinar-2025-05-06", "SEND Quality Assurance webinar",
                       "App 2 reflections, launch of App 1, revised EHCP template, child-centred annual reviews.",
                       (2025, 5, 6), (10, 0), (11, 0), join_url=TEAMS_URL)
INDUCTION = london_event("cos-induction-east-2025-05-06", "Communities of Schools induction: East",
                         "Meet the chairs, share documentation and process.",
                         (2025, 5, 6), (13, 0), (16, 0), location="University of Kent, Canterbury")
# Thursday 15 January 2026, GMT
WINTER = london_event("forum-term3-2026", "Countywide SENCO Forum (Term 3)", "Termly forum.",
                      (2026, 1, 15), (16, 0), (17, 30), location="Mercure Great Danes Hotel, Maidstone")


def build(event, method="REQUEST", sequence=0, uid="booking-17@senco.example", now=NOW, attendee=BOOKER):
    return build_ics(event, attendee, method, sequence, uid, ORGANIZER[0], ORGANIZER[1], now)


def parse(raw: bytes):
    cal = Calendar.from_ical(raw)
    (event,) = cal.walk("VEVENT")
    return cal, event


# ---------------------------------------------------------------- fields


def test_calendar_envelope():
    cal, _ = parse(build(WEBINAR))
    assert str(cal["PRODID"]) == PRODID
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "REQUEST"
    assert len(cal.walk("VEVENT")) == 1
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]


def test_webinar_request_fields_in_bst():
    raw = build(WEBINAR, sequence=0)
    _, ev = parse(raw)
    assert str(ev["UID"]) == "booking-17@senco.example"
    assert ev.decoded("DTSTAMP") == NOW
    assert ev["DTSTART"].params["TZID"] == "Europe/London"
    assert ev["DTEND"].params["TZID"] == "Europe/London"
    start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
    assert start == WEBINAR.start and end == WEBINAR.end
    assert start.astimezone(UTC) == datetime(2025, 5, 6, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert (start.hour, start.utcoffset()) == (10, timedelta(hours=1))
    assert b"DTSTART;TZID=Europe/London:20250506T100000" in raw
    assert str(ev["SUMMARY"]) == "SEND Quality Assurance webinar"
    assert str(ev["LOCATION"]) == TEAMS_URL
    assert str(ev["URL"]) == TEAMS_URL
    description = str(ev["DESCRIPTION"])
    assert WEBINAR.description in description and TEAMS_URL in description
    assert int(ev["SEQUENCE"]) == 0
    assert str(ev["STATUS"]) == "CONFIRMED"


def test_organizer_and_attendee():
    _, ev = parse(build(WEBINAR))
    organizer = ev["ORGANIZER"]
    assert str(organizer) == "mailto:senco.forum@example.org"
    assert organizer.params["CN"] == "Countywide SENCO Forum team"
    attendee = ev["ATTENDEE"]
    assert str(attendee) == "mailto:j.patel@oakwood.kent.sch.uk"
    assert attendee.params["CN"] == "Jas Patel"
    assert attendee.params["RSVP"] == "FALSE"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"


def test_induction_meeting_at_a_venue_has_no_url():
    _, ev = parse(build(INDUCTION))
    assert str(ev["LOCATION"]) == "University of Kent, Canterbury"
    assert "URL" not in ev
    assert "Venue: University of Kent, Canterbury" in str(ev["DESCRIPTION"])
    assert ev.decoded("DTSTART").astimezone(UTC) == datetime(2025, 5, 6, 12, 0, tzinfo=UTC)
    assert ev.decoded("DTEND").astimezone(UTC) == datetime(2025, 5, 6, 15, 0, tzinfo=UTC)


def test_hybrid_event_keeps_venue_as_location_and_link_as_url():
    hybrid = CalendarEvent(**{**INDUCTION.__dict__, "join_url": TEAMS_URL})
    _, ev = parse(build(hybrid))
    assert str(ev["LOCATION"]) == "University of Kent, Canterbury"
    assert str(ev["URL"]) == TEAMS_URL


def test_gmt_event_in_january():
    raw = build(WINTER)
    _, ev = parse(raw)
    start = ev.decoded("DTSTART")
    assert b"DTSTART;TZID=Europe/London:20260115T160000" in raw
    assert start.utcoffset() == timedelta(0)
    assert start.astimezone(UTC) == datetime(2026, 1, 15, 16, 0, tzinfo=UTC)


def test_event_given_in_utc_is_written_as_london_wall_clock():
    utc_event = CalendarEvent(**{**WEBINAR.__dict__, "start": datetime(2025, 5, 6, 9, 0, tzinfo=UTC), "end": datetime(2025, 5, 6, 10, 0, tzinfo=UTC)})
    raw = build(utc_event)
    assert b"DTSTART;TZID=Europe/London:20250506T100000" in raw
    assert b"DTEND;TZID=Europe/London:20250506T110000" in raw


def test_text_is_escaped_and_folded():
    tricky = CalendarEvent(**{**INDUCTION.__dict__, "title": "Tribunal; the role of the school, part 2", "description": "Line one\nLine two; with, commas"})
    raw = build(tricky)
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    _, ev = parse(raw)
    assert str(ev["SUMMARY"]) == "Tribunal; the role of the school, part 2"
    assert str(ev["DESCRIPTION"]).startswith("Line one\nLine two; with, commas")


# ---------------------------------------------------------------- lifecycle


def test_request_update_cancel_share_one_uid_with_rising_sequence():
    uid = booking_uid(17, "senco.example")
    moved = CalendarEvent(**{**WEBINAR.__dict__, "start": datetime(2025, 5, 6, 14, 0, tzinfo=LONDON), "end": datetime(2025, 5, 6, 15, 0, tzinfo=LONDON)})
    messages = [
        build(WEBINAR, "REQUEST", 0, uid, NOW),
        build(moved, "REQUEST", 1, uid, NOW + timedelta(days=3)),
        build(moved, "CANCEL", 2, uid, NOW + timedelta(days=5)),
    ]
    parsed = [parse(m) for m in messages]
    assert [str(c["METHOD"]) for c, _ in parsed] == ["REQUEST", "REQUEST", "CANCEL"]
    assert {str(e["UID"]) for _, e in parsed} == {uid}
    assert [int(e["SEQUENCE"]) for _, e in parsed] == [0, 1, 2]
    assert [str(e["STATUS"]) for _, e in parsed] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert [e.decoded("DTSTAMP") for _, e in parsed] == [NOW, NOW + timedelta(days=3), NOW + timedelta(days=5)]
    assert parsed[1][1].decoded("DTSTART").astimezone(UTC) == datetime(2025, 5, 6, 13, 0, tzinfo=UTC)
    # A cancellation still names the event, organiser and attendee so that
    # clients can match it.
    cancel = parsed[2][1]
    assert str(cancel["ORGANIZER"]) == "mailto:senco.forum@example.org"
    assert str(cancel["ATTENDEE"]) == "mailto:j.patel@oakwood.kent.sch.uk"
    assert cancel.decoded("DTSTART") == moved.start


def test_booking_uid_is_stable_and_per_booking():
    assert booking_uid(17, "senco.example") == booking_uid("17", "SENCO.example ") == "booking-17@senco.example"
    assert booking_uid(17, "senco.example") != booking_uid(18, "senco.example")
    for bad in [("", "senco.example"), (17, ""), (17, "senco example"), (17, "a/b")]:
        with pytest.raises(ValueError):
            booking_uid(*bad)


def test_same_input_gives_same_bytes():
    assert build(WEBINAR) == build(WEBINAR)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "changes",
    [
        {"start": datetime(2025, 5, 6, 10, 0)},
        {"end": datetime(2025, 5, 6, 9, 0, tzinfo=LONDON)},
        {"location": None, "join_url": None},
        {"title": "  "},
    ],
)
def test_bad_events_are_refused(changes):
    with pytest.raises(ValueError):
        CalendarEvent(**{**WEBINAR.__dict__, **changes})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "PUBLISH"},
        {"sequence": -1},
        {"sequence": True},
        {"uid": " "},
        {"now": datetime(2025, 4, 1, 8, 15)},
        {"attendee": Attendee(email="not-an-email", name="X")},
        {"attendee": Attendee(email="a@b.org\r\nX-EVIL:1", name="X")},
    ],
)
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        build(WEBINAR, **kwargs)


# ---------------------------------------------------------------- VTIMEZONE


def _observances(raw: bytes):
    cal = Calendar.from_ical(raw)
    (vtz,) = cal.walk("VTIMEZONE")
    return vtz


def test_vtimezone_has_gmt_and_bst_observances():
    for event in (WEBINAR, WINTER):
        vtz = _observances(build(event))
        standard, daylight = vtz.walk("STANDARD"), vtz.walk("DAYLIGHT")
        assert standard and daylight
        assert {str(s["TZNAME"]) for s in standard} == {"GMT"}
        assert {str(d["TZNAME"]) for d in daylight} == {"BST"}
        assert {s.decoded("TZOFFSETTO") for s in standard} == {timedelta(0)}
        assert {d.decoded("TZOFFSETTO") for d in daylight} == {timedelta(hours=1)}


def _offset_by_vtimezone(vtz, instant: datetime) -> timedelta:
    """Resolve an instant the way RFC 5545 3.6.5 says: onset = DTSTART
    read in TZOFFSETFROM; the latest onset not after the instant wins."""
    onsets = []
    for obs in vtz.walk("STANDARD") + vtz.walk("DAYLIGHT"):
        onset = obs.decoded("DTSTART").replace(tzinfo=UTC) - obs.decoded("TZOFFSETFROM")
        onsets.append((onset, obs.decoded("TZOFFSETTO")))
    covering = [o for o in onsets if o[0] <= instant]
    assert covering, f"VTIMEZONE does not cover {instant}"
    return max(covering)[1]


@pytest.mark.parametrize("event", [WEBINAR, INDUCTION, WINTER], ids=["webinar", "induction", "january"])
def test_vtimezone_agrees_with_zoneinfo_across_the_year(event):
    vtz = _observances(build(event))
    year = event.start.year
    instant = datetime(year, 1, 1, tzinfo=UTC)
    while instant < datetime(year + 1, 1, 1, tzinfo=UTC):
        assert _offset_by_vtimezone(vtz, instant) == instant.astimezone(LONDON).utcoffset(), instant
        instant += timedelta(minutes=30)


def test_vtimezone_transitions_are_exact_to_the_second():
    vtz = vtimezone(LONDON, date(2025, 5, 6), date(2025, 5, 6))
    # UK: clocks change at 01:00 UTC on the last Sunday of March and October.
    for change in (datetime(2025, 3, 30, 1, tzinfo=UTC), datetime(2025, 10, 26, 1, tzinfo=UTC)):
        for instant in (change - timedelta(seconds=1), change):
            assert _offset_by_vtimezone(vtz, instant) == instant.astimezone(LONDON).utcoffset()


def test_vtimezone_read_by_dateutil_matches_zoneinfo():
    # dateutil's tzical is a second, independent reader of VTIMEZONE rules.
    raw = build(WEBINAR)
    text = raw.decode()
    block = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE") + len("END:VTIMEZONE")]
    london = dateutil_tz.tzical(StringIO(block)).get("Europe/London")
    for change in (datetime(2025, 3, 30, 1, tzinfo=UTC), datetime(2025, 10, 26, 1, tzinfo=UTC)):
        for delta in (-1, 0, 1800, 3599, 3600):
            instant = change + timedelta(seconds=delta)
            assert instant.astimezone(london).utcoffset() == instant.astimezone(LONDON).utcoffset(), instant


def test_event_spanning_new_year_is_covered():
    late = CalendarEvent(**{**WINTER.__dict__, "start": datetime(2025, 12, 31, 23, 0, tzinfo=LONDON), "end": datetime(2026, 1, 1, 1, 0, tzinfo=LONDON)})
    vtz = _observances(build(late))
    years = {obs.decoded("DTSTART").year for obs in vtz.walk("DAYLIGHT")}
    assert years == {2025, 2026}


# ---------------------------------------------------------------- second parser


@pytest.mark.parametrize("event", [WEBINAR, INDUCTION, WINTER], ids=["webinar", "induction", "january"])
def test_round_trip_through_the_ics_package(event):
    raw = build(event, sequence=4)
    cal = ics.Calendar(raw.decode("utf-8"))
    assert cal.method == "REQUEST"
    (parsed,) = cal.events
    assert parsed.uid == "booking-17@senco.example"
    assert parsed.name == event.title
    assert parsed.begin.to("utc").datetime == event.start.astimezone(UTC)
    assert parsed.end.to("utc").datetime == event.end.astimezone(UTC)
    assert parsed.location == (event.location or event.join_url)
    assert parsed.url == event.join_url
    assert parsed.status == "CONFIRMED"
    assert event.description in parsed.description
    assert parsed.organizer.email == ORGANIZER[0]
    (who,) = parsed.attendees
    assert (who.email, who.common_name, who.partstat) == (BOOKER.email, BOOKER.name, "ACCEPTED")
    # ics 0.7 reads any RSVP value as True (bool of a list), so RSVP is
    # checked with icalendar above, not here.
    assert parsed.created == NOW  # ics maps DTSTAMP to `created`
    assert any("SEQUENCE:4" in str(line) for line in parsed.extra)


def test_ics_package_sees_cancellation():
    cal = ics.Calendar(build(INDUCTION, "CANCEL", 2).decode("utf-8"))
    assert cal.method == "CANCEL"
    (parsed,) = cal.events
    assert parsed.status == "CANCELLED"
