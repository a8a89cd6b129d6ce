"""iCalendar (RFC 5545 / iTIP RFC 5546) invitations for forum bookings.

One booking is one calendar object for its whole life: the UID never changes,
and every change is sent again as METHOD:REQUEST with a higher SEQUENCE; a
cancellation is METHOD:CANCEL with the same UID.  Calendar clients (Outlook,
Google, Apple) rely on exactly that to update or remove the entry in place.

Times are wall-clock Europe/London with a VTIMEZONE, not UTC, so that a
booker's calendar shows "10:00" for a 10:00 BST webinar whatever it does with
DST.  The VTIMEZONE is built here from zoneinfo rather than with icalendar's
``Timezone.from_tzid``: icalendar 7.3 writes the DAYLIGHT onset in the
post-transition wall clock (02:00 instead of 01:00 for London), which RFC 5545
3.6.5 defines as an hour late.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText
from knowledge.london import LONDON

__all__ = ["Attendee", "CalendarEvent", "LONDON", "booking_uid", "build_ics", "vtimezone"]

PRODID = "-//SENCO Forum Assistant//sencobot//EN"

Method = Literal["REQUEST", "CANCEL"]


@dataclass(frozen=True)
class CalendarEvent:
    """A forum event as it appears in an invitation.

    ``location`` is a venue for in-person events; ``join_url`` is the Teams
    link for webinars.  At least one is required; a hybrid event has both.
    """

    event_id: str
    title: str
    description: str
    start: datetime
    end: datetime
    location: str | None = None
    join_url: str | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"CalendarEvent.{name} must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("CalendarEvent.end must be after start")
        if not (self.location or self.join_url):
            raise ValueError("CalendarEvent needs a location or a join_url")
        if not self.title.strip():
            raise ValueError("CalendarEvent.title is empty")


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str


def booking_uid(booking_id: int | str, domain: str) -> str:
    """The UID for one booking, stable across updates and cancellation.

    Derived from the booking, not the event, so two people booked on the same
    webinar get two independent calendar objects (cancelling one booking must
    not remove the other's entry).
    """
    booking = str(booking_id).strip()
    domain = domain.strip().lower()
    if not booking or not domain or not re.fullmatch(r"[a-z0-9.-]+", domain):
        raise ValueError("booking_uid needs a booking id and a plain domain name")
    return f"booking-{booking}@{domain}"


def build_ics(
    event: CalendarEvent,
    attendee: Attendee,
    method: Method,
    sequence: int,
    uid: str,
    organizer_email: str,
    organizer_name: str,
    now_utc: datetime,
) -> bytes:
    """Serialise one invitation (REQUEST) or cancellation (CANCEL)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"method must be REQUEST or CANCEL, not {method!r}")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise ValueError("sequence must be a non-negative integer")
    if not uid.strip():
        raise ValueError("uid is empty")
    if now_utc.tzinfo is None or now_utc.utcoffset() is None:
        raise ValueError("now_utc must be timezone-aware")

    start = event.start.astimezone(LONDON)
    end = event.end.astimezone(LONDON)

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(vtimezone(LONDON, start.date(), end.date()))

    vevent = Event()
    vevent.add("uid", uid)
    vevent.add("dtstamp", now_utc.astimezone(timezone.utc))
    vevent.add("sequence", sequence)
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    vevent.add("summary", event.title)
    vevent.add("description", _description(event))
    if event.location:
        vevent.add("location", event.location)
    elif event.join_url:
        vevent.add("location", event.join_url)
    if event.join_url:
        vevent.add("url", event.join_url)
    vevent.add("status", "CONFIRMED" if method == "REQUEST" else "CANCELLED")
    vevent.add("transp", "OPAQUE")
    vevent.add("organizer", _address(organizer_email, organizer_name))
    vevent.add("attendee", _attendee(attendee))
    cal.add_component(vevent)
    return cal.to_ical()


def vtimezone(tz: ZoneInfo, first: date, last: date) -> Timezone:
    """A VTIMEZONE for ``tz`` valid from ``first`` to ``last`` inclusive.

    It spans whole calendar years around the event so that it always holds
    both a STANDARD and a DAYLIGHT observance (GMT and BST for London), plus
    the observance already in force when the span starts.
    """
    span_start = datetime(first.year, 1, 1, tzinfo=timezone.utc)
    span_end = datetime(last.year + 1, 1, 1, tzinfo=timezone.utc)
    transitions = _transitions(tz, span_start - timedelta(days=366), span_end)
    # Keep the last transition before the span (the observance in force at
    # its start) and every transition inside it.
    before = [t for t in transitions if t[0] < span_start][-1:]
    inside = [t for t in transitions if t[0] >= span_start]

    component = Timezone()
    component.add("tzid", tz.key)
    for instant, offset_from, offset_to, name, is_dst in before + inside:
        observance = TimezoneDaylight() if is_dst else TimezoneStandard()
        # RFC 5545 3.6.5: the onset is local time in the offset in force
        # *before* the transition.
        onset = (instant + offset_from).replace(tzinfo=None)
        observance.add("dtstart", onset)
        observance.add("tzoffsetfrom", offset_from)
        observance.add("tzoffsetto", offset_to)
        observance.add("tzname", name)
        component.add_component(observance)
    return component


def _transitions(tz: ZoneInfo, start: datetime, end: datetime):
    """(utc_instant, offset_from, offset_to, tzname, is_dst) for every UTC
    offset change in ``[start, end)``, found to the second."""
    found = []
    step = timedelta(days=1)
    prev = start
    prev_offset = start.astimezone(tz).utcoffset()
    while prev < end:
        nxt = min(prev + step, end)
        offset = nxt.astimezone(tz).utcoffset()
        if offset != prev_offset:
            lo, hi = prev, nxt  # offset(lo) == prev_offset != offset(hi)
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == prev_offset:
                    lo = mid
                else:
                    hi = mid
            local = hi.astimezone(tz)
            instant = hi.replace(microsecond=0)
            found.append((instant, prev_offset, offset, local.tzname(), bool(local.dst())))
            prev_offset = offset
        prev = nxt
    return found


def _description(event: CalendarEvent) -> str:
    parts = [event.description.strip()] if event.description.strip() else []
    if event.location:
        parts.append(f"Venue: {event.location}")
    if event.join_url:
        parts.append(f"Join online: {event.join_url}")
    return "\n\n".join(parts)


def _address(email: str, name: str) -> vCalAddress:
    email = email.strip()
    if "@" not in email or any(ch in email for ch in " \r\n:;,"):
        raise ValueError("not a usable email address")
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name.strip() or email)
    return address


def _attendee(attendee: Attendee) -> vCalAddress:
    address = _address(attendee.email, attendee.name)
    address.params["CUTYPE"] = vText("INDIVIDUAL")
    address.params["ROLE"] = vText("REQ-PARTICIPANT")
    # The booking is already confirmed in the bot, and cancelling goes
    # through the bot so the waiting list moves on.  An email reply to the
    # team mailbox would change nothing, so the client is told not to ask.
    address.params["PARTSTAT"] = vText("ACCEPTED")
    address.params["RSVP"] = vText("FALSE")
    return address
