"""Dated answers worked out from catalogue data at a fixed "now" (knowledge/live.py, knowledge/dated.py)."""
from __future__ import annotations

import datetime as dt

from knowledge.dated import detect_dated
from knowledge.deadlines import parse_deadline
from knowledge.events import parse_event
from knowledge.forums import parse_forum
from knowledge.live import (Held, Offer, bookable_answer, deadlines_answer, joining_answer, newer_than,
                            next_forum_answer, when_answer)

NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.timezone.utc)


def forum(ident, *days, status="scheduled", **extra):
    raw = {"id": ident, "title": f"Countywide SENCO Forum, {ident}", "display": f"Forum {ident}", "status": status,
           "sessions": [{"phase": None, "date": d, "start": None, "end": None} for d in days],
           "agenda": [{"id": "tribunal", "item": 1, "title": "Tribunal update", "presenter": "Georgette Williams",
                       "role": None, "minutes": 15}], **extra}
    made, problems = parse_forum(raw, 0)
    assert not problems, problems
    return made


def deadline(ident, on, category="funding", precision="day", title=None):
    return parse_deadline({"id": ident, "category": category, "title": title or ident.replace("-", " "), "on": on,
                           "precision": precision, "detail": "Do the thing.", "source": {"session": "Staff"}})


def event(ident, start, end, opens="2027-02-01T09:00", closes=None, venue=None, join_url=None, kind="webinar"):
    made, problems = parse_event({
        "id": ident, "kind": kind, "title": f"Event {ident}", "description": "d", "start": start, "end": end,
        "booking_opens": opens, "booking_closes": closes or start, "status": "scheduled", "venue": venue,
        "join_url": join_url if venue is None else None, "capacity": 10}, 0, 60)
    assert not problems, problems
    return made


def test_next_forum_is_the_soonest_upcoming_with_date_agenda_and_booking_button():
    past, soon, later = (forum("term4-2025", "2025-03-19"), forum("term3-2027", "2027-03-17", "2027-03-18",
                                                                   event="forum-2027-03-17", venue="Oakwood House"),
                         forum("term5-2027", "2027-05-19"))
    seat = event("forum-2027-03-17", "2027-03-17T09:30", "2027-03-17T12:30", venue="Oakwood House", kind="induction")
    answer = next_forum_answer([past, later, soon], [Offer(seat, "open", 12)], NOW)
    assert answer.refs == ("term3-2027",)
    facts = dict(answer.items[0].facts)
    assert facts["When"] == "Wednesday 17 March 2027; Thursday 18 March 2027"
    assert facts["Where"] == "Oakwood House"
    assert "Tribunal update (Georgette Williams)" in facts["Agenda"]
    assert "12 places left" in facts["How to book"]
    assert answer.actions[0].as_dict() == {"title": "Book a place",
                                          "data": {"action": "booking.pick", "event_id": "forum-2027-03-17"}}
    assert "term5" not in answer.text and "Countywide SENCO Forum, term5-2027" in answer.note


def test_no_forum_to_come_says_so_names_the_last_and_offers_to_notify():
    answer = next_forum_answer([forum("term4-2025", "2025-03-19", "2025-03-20")], [], NOW)
    assert answer.text.startswith("I don't have a date for the next Countywide SENCO Forum yet.")
    assert "Wednesday 19 March 2025 and Thursday 20 March 2025" in answer.text
    assert answer.actions[0].as_dict()["data"] == {"action": "reminders.subscribe", "category": "forum"}


def test_upcoming_deadlines_in_date_order_with_month_only_dates_as_given():
    items = [deadline("b-late", "2027-06-30"), deadline("a-month", "2027-04-01", precision="month"),
             deadline("c-passed", "2027-02-01"), deadline("d-event", "2027-03-05", category="events")]
    answer = deadlines_answer(items, NOW)
    assert answer.refs == ("a-month", "b-late")
    assert dict(answer.items[0].facts)["When"] == "April 2027"        # no invented day or weekday
    assert dict(answer.items[1].facts)["When"] == "Wednesday 30 June 2027"
    only_tribunal = deadlines_answer(items + [deadline("t", "2027-05-01", category="tribunal")], NOW,
                                     "any tribunal deadlines coming up")
    assert only_tribunal.refs == ("t",)


def test_no_upcoming_deadlines_names_the_last_one_and_when():
    answer = deadlines_answer([deadline("old-one", "2026-08-31", title="Old claim window closes")], NOW)
    assert answer.items == ()
    assert "The last one was Old claim window closes, Monday 31 August 2026." in answer.text


def test_bookable_events_show_places_left_and_a_book_button_each():
    open_one = event("webinar-2027-03-10", "2027-03-10T16:00", "2027-03-10T17:00", join_url="https://teams.example/x")
    later = event("induction-2027-04-20", "2027-04-20T09:00", "2027-04-20T12:00", opens="2027-03-20T09:00",
                  venue="Discovery Park, Sandwich", kind="induction")
    gone = event("webinar-2027-02-10", "2027-02-10T16:00", "2027-02-10T17:00", join_url="https://teams.example/y")
    answer = bookable_answer([Offer(gone, "past", 0), Offer(later, "not_open", 30), Offer(open_one, "open", 7)], NOW)
    assert answer.refs == ("webinar-2027-03-10", "induction-2027-04-20")
    first = dict(answer.items[0].facts)
    assert (first["When"], first["Places left"]) == ("Wednesday 10 March 2027, 16:00 to 17:00", "7")
    assert answer.items[0].actions[0].as_dict()["data"] == {"action": "booking.pick", "event_id": "webinar-2027-03-10"}
    assert dict(answer.items[1].facts)["Booking opens"] == "Saturday 20 March 2027, 09:00"


def test_joining_link_for_the_booked_event_and_venue_for_in_person():
    webinar = event("webinar-2027-03-10", "2027-03-10T16:00", "2027-03-10T17:00", join_url="https://teams.example/x")
    room = event("induction-2027-04-20", "2027-04-20T09:00", "2027-04-20T12:00", venue="Discovery Park, Sandwich",
                 kind="induction")
    answer = joining_answer([Held(webinar, "confirmed"), Held(room, "confirmed")], [webinar, room], NOW,
                            "what's the joining link for my webinar")
    assert answer.refs == ("webinar-2027-03-10",)
    assert dict(answer.items[0].facts)["Joining link"] == "https://teams.example/x"
    assert answer.items[0].actions[0].as_dict() == {"title": "Join on Teams", "url": "https://teams.example/x"}
    where = joining_answer([Held(room, "confirmed")], [room], NOW, "where is my induction meeting")
    assert dict(where.items[0].facts)["Venue"] == "Discovery Park, Sandwich"
    waiting = joining_answer([Held(webinar, "waitlisted", 3)], [webinar], NOW, "joining link please")
    assert dict(waiting.items[0].facts)["Joining link"] == "sent when you get a place"
    nothing = joining_answer([], [webinar], NOW, "joining link please")
    assert nothing.text.startswith("You have no upcoming bookings")


def test_when_is_a_named_deadline_and_defers_to_the_faq_when_only_past_ones_match():
    items = [deadline("npq-2025", "2025-04-06", category="training", title="NPQ for SENCOs applications close"),
             deadline("npq-2027", "2027-04-04", category="training", title="NPQ for SENCOs applications close")]
    answer = when_answer("NPQ", "when do npq applications close", [], items, [], NOW)
    assert answer.text == "NPQ for SENCOs applications close: Sunday 4 April 2027."
    assert when_answer("NPQ", "when do npq applications close", [], items[:1], [], NOW) is None


def test_faq_text_quoting_a_date_defers_to_a_newer_entry_of_the_same_kind():
    items = [deadline("npq-2027", "2027-04-04", category="training", title="NPQ for SENCOs applications close")]
    note = newer_than(dt.date(2025, 4, 6), "The NPQ for SENCOs application deadline", items, [], NOW)
    assert note == "Newer: NPQ for SENCOs applications close, Sunday 4 April 2027."
    assert newer_than(dt.date(2025, 4, 6), "The LIFT end", items, [], NOW) is None
    forums = [forum("term3-2027", "2027-03-17")]
    assert newer_than(dt.date(2025, 5, 21), "The Term 5 forum", [], forums, NOW).startswith("Newer: the next forum")


def test_newer_than_names_the_latest_as_passed_when_nothing_is_to_come():
    later = dt.datetime(2027, 7, 15, 8, 30, tzinfo=dt.timezone.utc)      # 09:30 BST
    items = [deadline("npq-2027", "2027-02-12", category="training", title="NPQ for SENCOs applications close")]
    assert newer_than(dt.date(2025, 4, 6), "The NPQ for SENCOs application deadline", items, [], later) == \
        "The latest in my list was NPQ for SENCOs applications close, Friday 12 February 2027; it has passed."
    forums = [forum("term3-2027", "2027-01-20", "2027-01-21")]
    assert newer_than(dt.date(2025, 5, 21), "The Term 5 forum", [], forums, later) == (
        "The latest forum in my list was the Countywide SENCO Forum, term3-2027, Wednesday 20 January 2027 and "
        "Thursday 21 January 2027; it has passed.")


def test_newer_than_matches_webinars_and_inductions_by_kind_and_area():
    webinar = event("webinar-2027-03-09", "2027-03-09T16:00", "2027-03-09T17:00", opens="2027-02-01T09:00",
                    closes="2027-03-08T17:00", join_url="https://teams.microsoft.com/l/x")
    north = event("induction-north-2027-03-12", "2027-03-12T09:00", "2027-03-12T12:00", venue="Shorne",
                  kind="induction")
    north = type(north)(**{**north.__dict__, "area": "North"})
    events = [webinar, north]
    assert newer_than(dt.date(2025, 5, 6), "The last of the two QA webinars", [], [], NOW, events) == \
        "Newer: the Event webinar-2027-03-09, Tuesday 9 March 2027, 16:00 to 17:00, open for booking."
    assert newer_than(dt.date(2025, 4, 30), "The North Community Induction Meeting", [], [], NOW, events) \
        .startswith("Newer: the Event induction-north-2027-03-12, Friday 12 March 2027, 09:00")
    # Another area's meeting is not newer news about this one, whatever the deadlines list says.
    east_deadline = deadline("induction-east-2027", "2027-04-16", category="events",
                             title="East Community Induction Meeting")
    assert newer_than(dt.date(2025, 4, 28), "The South Community Induction Meeting", [east_deadline], [], NOW,
                      events) is None


def test_duration_and_course_questions_naming_a_deadline_are_not_dated():
    names, event_names = ("NPQ", "EHCP", "Shorne", "North"), ("Shorne", "North")
    for question in ("how long is the npq course", "npq time commitment", "do new sencos have to finish the npq "
                     "within 3 years", "how long does an EHCP annual review meeting take"):
        assert detect_dated(question, names, event_names) is None, question
    assert detect_dated("how long is the north induction meeting", names, event_names).kind == "when_is_named"
    assert detect_dated("when do npq applications close", names, event_names).kind == "when_is_named"
    assert detect_dated("npq start date", names, event_names).kind == "when_is_named"


def test_detector_kinds_for_our_own_examples_and_leaves_faq_questions_alone():
    names = ("Discovery Park", "NPQ", "LIFT")
    assert detect_dated("When is the next forum?", names).kind == "next_forum"
    assert detect_dated("what deadlines are coming up?", names).kind == "upcoming_deadlines"
    assert detect_dated("what can I book?", names).kind == "bookable_events"
    assert detect_dated("what's the joining link for my webinar?", names).kind == "joining_link"
    assert detect_dated("when is the discovery park induction", names).kind == "when_is_named"
    # The bot's own name in an @mention is not the forum.
    assert detect_dated("<at>SENCO Forum Assistant</at> what must a witness statement include?", names) is None
    for question in ("what must a witness statement include?", "who is the STLS lead", "what is a PRG",
                     "when was the term 4 forum", "what subject line should I use when emailing a forum query"):
        assert detect_dated(question, names) is None, question
