"""The confirmation, cancellation and change emails, received by a real SMTP server, their
calendar files parsed back with icalendar and, independently, with ics."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import ics
import icalendar
import pytest

from bot.bookings.mail import BookingMailer
from integrations.calendar import booking_uid
from integrations.mail.smtp import SmtpConfig, SmtpSender
from tests.bookings.conftest import WEBINAR_MAY, WEST, edit_event, make_service, person

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def service(sqlite_db, spring_clock, events_path, smtp):
    sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=smtp.port, attempts=1))
    mailer = BookingMailer(sender, from_address="inclusion@kent.gov.uk", from_name="Inclusion team")
    return make_service(sqlite_db, spring_clock, events_path, mailer=mailer)


def calendar_part(message):
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def parse(part) -> tuple[icalendar.Calendar, icalendar.Event, str]:
    text = part.get_content()
    calendar = icalendar.Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return calendar, event, text


async def test_the_confirmation_email_carries_a_request_invite_in_london_summer_time(service, smtp):
    result = await service.book(WEBINAR_MAY, person(1))
    assert result.emailed

    (message,) = await smtp.wait_for(1)
    assert message["Subject"] == "Booked: SEND Quality Assurance webinar, Tuesday 6 May 2025, 10:00"
    assert message["To"] == "Sam Senco 1 <senco1@school1.kent.sch.uk>"
    assert "inclusion@kent.gov.uk" in message["From"]
    body = message.get_body(("plain",)).get_content()
    assert "When:   Tuesday 6 May 2025, 10:00 to 11:00" in body and result.calendar_url in body
    part = calendar_part(message)
    assert part.get_param("method") == "REQUEST" and part.get_filename() == "invite.ics"

    calendar, event, text = parse(part)
    event_info = service.event(WEBINAR_MAY)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == booking_uid(result.booking.ref, "kent.gov.uk")
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == datetime(2025, 5, 6, 10, 0, tzinfo=LONDON)
    assert event.decoded("DTEND") == datetime(2025, 5, 6, 11, 0, tzinfo=LONDON)
    assert "DTSTART;TZID=Europe/London:20250506T100000" in text
    assert str(event["SUMMARY"]) == "SEND Quality Assurance webinar"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTAMP") == datetime(2025, 4, 1, 9, 0, tzinfo=timezone.utc)  # the booking's clock
    assert f"Join online: {event_info.join_url}" in str(event["DESCRIPTION"])
    assert "revised EHCP template" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == event_info.join_url and str(event["URL"]) == event_info.join_url
    assert str(event["ORGANIZER"]) == "mailto:inclusion@kent.gov.uk"
    assert event["ORGANIZER"].params["CN"] == "Inclusion team"
    assert str(event["ATTENDEE"]) == "mailto:senco1@school1.kent.sch.uk"
    assert event["ATTENDEE"].params["CN"] == "Sam Senco 1"
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"
    summer = [c for c in zone.walk("DAYLIGHT")]
    assert summer and all(c.decoded("TZOFFSETTO") == timedelta(hours=1) for c in summer)

    # A second, independent parser agrees on the instant and the identity.
    (other,) = ics.Calendar(text).events
    assert other.begin.datetime == datetime(2025, 5, 6, 9, 0, tzinfo=timezone.utc)
    assert other.end.datetime == datetime(2025, 5, 6, 10, 0, tzinfo=timezone.utc)
    assert other.uid == str(event["UID"])


async def test_cancelling_sends_a_cancel_with_the_same_uid_and_a_higher_sequence(service, smtp):
    booked = await service.book(WEST, person(1))
    await service.cancel(booked.booking.ref, user_id="29:user-1")

    confirmation, cancellation = await smtp.wait_for(2)
    assert cancellation["Subject"] == "Booking cancelled: Community Induction Meeting – West, Friday 2 May 2025, 09:00"
    part = calendar_part(cancellation)
    assert part.get_param("method") == "CANCEL"
    _c, first, _t = parse(calendar_part(confirmation))
    calendar, cancelled, text = parse(part)
    assert str(calendar["METHOD"]) == "CANCEL" and str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["UID"]) == str(first["UID"])
    assert int(cancelled["SEQUENCE"]) == int(first["SEQUENCE"]) + 1 == 1
    assert str(cancelled["LOCATION"]) == "Mercure Great Danes Hotel, Maidstone"
    (other,) = ics.Calendar(text).events
    assert other.uid == str(first["UID"])


async def test_a_new_time_and_place_sends_an_update_with_the_same_uid(service, smtp, events_path):
    booked = await service.book(WEST, person(1))
    event = service.event(WEST)
    edit_event(events_path, WEST, start=event.start + timedelta(days=1), end=event.end + timedelta(days=1),
               venue="Oakwood House, Maidstone")
    await service.refresh()

    confirmation, update = await smtp.wait_for(2)
    assert update["Subject"] == "Changed: Community Induction Meeting – West, now Saturday 3 May 2025, 09:00"
    _c, first, _t = parse(calendar_part(confirmation))
    calendar, changed, _text = parse(calendar_part(update))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(changed["UID"]) == str(first["UID"]) == booking_uid(booked.booking.ref, "kent.gov.uk")
    assert int(changed["SEQUENCE"]) == 1
    assert changed.decoded("DTSTART") == datetime(2025, 5, 3, 9, 0, tzinfo=LONDON)
    assert str(changed["LOCATION"]) == "Oakwood House, Maidstone"


async def test_a_cancelled_event_sends_everyone_confirmed_a_cancel(service, smtp, events_path):
    await service.book(WEST, person(1))
    await service.book(WEST, person(2))
    edit_event(events_path, WEST, status="cancelled")
    await service.refresh()

    messages = await smtp.wait_for(4)
    cancels = [m for m in messages if m["Subject"].startswith("Cancelled:")]
    assert sorted(m["To"].addresses[0].addr_spec for m in cancels) == [
        "senco1@school1.kent.sch.uk", "senco2@school2.kent.sch.uk"]
    assert all(calendar_part(m).get_param("method") == "CANCEL" for m in cancels)


async def test_a_mail_failure_does_not_undo_the_booking(service, smtp):
    smtp.refuse_next(1)
    result = await service.book(WEST, person(1))
    assert result.outcome == "confirmed" and result.emailed is False
    assert [b.status for b in await service.bookings_for(WEST)] == ["confirmed"]


async def test_booking_in_teams_emails_the_invite_through_the_configured_smtp_server(
        booking_settings, spring_clock, sqlite_db, smtp):
    from bot.console import Conversation
    from bot.assistant import build_assistant
    from bot.core import build_core

    settings = booking_settings.replace(**{"mail.enabled": True, "mail.smtp_port": smtp.port,
                                           "mail.smtp_starttls": False})
    assistant = build_assistant(build_core(settings, clock=spring_clock, database=sqlite_db))
    user = Conversation(assistant.bot, user_id="29:u1", name="Sam Senco", aad_object_id="aad-1", channel_id="msteams")
    await user.says("sign me up for the webinar on 6 May")
    await user.says("Oakwood Primary School")
    await user.says("sam@oakwood.kent.sch.uk")
    booked = await user.button("Confirm booking")

    assert "I've emailed the confirmation and calendar invitation to sam@oakwood.kent.sch.uk" in booked[-1]
    (message,) = await smtp.wait_for(1)
    assert message["To"] == "Sam Senco <sam@oakwood.kent.sch.uk>"
    assert "School: Oakwood Primary School" in message.get_body(("plain",)).get_content()
    assert calendar_part(message).get_param("method") == "REQUEST"
