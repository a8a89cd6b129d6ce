"""Booking rules on SQLite and PostgreSQL: capacity, waitlist order, promotion, catalogue changes."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from tests.bookings.conftest import (SPRING, WEBINAR_APRIL, WEBINAR_MAY, WEST, QueueNotifier, edit_event,
                                     make_service, person)


@pytest.fixture
def notifier():
    return QueueNotifier()


@pytest.fixture
def service(any_db, spring_clock, events_path, notifier):
    return make_service(any_db, spring_clock, events_path, notifier=notifier)


def kinds(notifier, kind):
    return [n for n in notifier.notices if n.kind == kind]


async def test_a_booking_is_confirmed_with_reminders_a_day_and_an_hour_before(service, notifier):
    result = await service.book(WEBINAR_MAY, person(1))

    assert result.outcome == "confirmed"
    assert result.booking.status == "confirmed" and result.booking.school == "School 1"
    assert result.calendar_url.startswith("https://bot.example.org/calendar/") and result.calendar_url.endswith(".ics")
    reminders = kinds(notifier, "booking.reminder")
    # 10:00 BST on 6 May is 09:00 UTC.
    assert sorted(n.not_before for n in reminders) == [
        datetime(2025, 5, 5, 9, 0, tzinfo=timezone.utc), datetime(2025, 5, 6, 8, 0, tzinfo=timezone.utc)]
    assert all(n.user_id == "29:user-1" and n.meta["booking_ref"] == result.booking.ref for n in reminders)
    assert "Tuesday 6 May 2025, 10:00" in reminders[0].text


async def test_one_active_booking_per_person_per_event(service):
    first = await service.book(WEST, person(1))
    again = await service.book(WEST, person(1, name="Sam Again"))

    assert again.outcome == "duplicate" and again.booking.ref == first.booking.ref
    assert len(await service.bookings_for(WEST)) == 1
    # A different event is a different booking.
    assert (await service.book(WEBINAR_MAY, person(1))).outcome == "confirmed"


async def test_a_full_event_waitlists_in_joining_order_and_a_cancellation_promotes_the_first(
        service, notifier, events_path):
    edit_event(events_path, WEST, capacity=2)
    results = [await service.book(WEST, person(n)) for n in range(1, 6)]

    assert [r.outcome for r in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [r.waitlist_position for r in results[2:]] == [1, 2, 3]
    assert (await service.book(WEST, person(9), waitlist_ok=False)).outcome == "full"

    cancelled = await service.cancel(results[0].booking.ref, user_id="29:user-1")

    assert cancelled.outcome == "cancelled" and cancelled.booking.status == "cancelled"
    assert [b.user_id for b in cancelled.promoted] == ["29:user-3"]
    promoted = kinds(notifier, "booking.promoted")
    assert [n.user_id for n in promoted] == ["29:user-3"]
    assert "place has come up" in promoted[0].text and "/calendar/" in promoted[0].text
    statuses = {b.user_id: b.status for b in await service.bookings_for(WEST)}
    assert statuses == {"29:user-1": "cancelled", "29:user-2": "confirmed", "29:user-3": "confirmed",
                        "29:user-4": "waitlisted", "29:user-5": "waitlisted"}
    mine = await service.my_bookings("29:user-5")
    assert mine[0].waitlist_position == 2


async def test_leaving_the_waitlist_promotes_nobody_and_someone_else_cannot_cancel(service, events_path):
    edit_event(events_path, WEST, capacity=1)
    first = await service.book(WEST, person(1))
    waiting = await service.book(WEST, person(2))

    assert (await service.cancel(first.booking.ref, user_id="29:user-2")).outcome == "not_found"
    left = await service.cancel(waiting.booking.ref, user_id="29:user-2")
    assert left.outcome == "cancelled" and left.promoted == ()
    assert (await service.cancel(waiting.booking.ref, user_id="29:user-2")).outcome == "already_cancelled"
    # After cancelling, booking again is allowed (a new booking at the back of the queue).
    assert (await service.book(WEST, person(2))).outcome == "waitlisted"


async def test_staff_raising_capacity_promotes_from_the_waitlist_in_order(service, notifier, events_path):
    edit_event(events_path, WEST, capacity=1)
    for n in range(1, 5):
        await service.book(WEST, person(n))

    edit_event(events_path, WEST, capacity=3)
    report = await service.refresh()

    assert report.promoted == 2
    assert [n.user_id for n in kinds(notifier, "booking.promoted")] == ["29:user-2", "29:user-3"]
    offer = (await service.offers([service.event(WEST)]))[0]
    assert (offer.places.confirmed, offer.places.waitlisted, offer.places.left) == (3, 1, 0)


async def test_past_events_and_closed_bookings_are_refused(service, spring_clock):
    spring_clock.set(datetime(2025, 5, 1, 17, 30, tzinfo=timezone.utc))  # 18:30 BST, the evening before
    closed = await service.book(WEST, person(1))
    assert closed.outcome == "closed" and closed.booking is None

    spring_clock.set(datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc))  # today: all the deck's dates are past
    assert {(await service.book(e.id, person(1))).outcome for e in service.events()} == {"past"}
    assert await service.bookings_for(WEST) == []


async def test_cancelling_an_event_ends_every_booking_and_tells_everyone(service, notifier, events_path):
    edit_event(events_path, WEST, capacity=1)
    confirmed = await service.book(WEST, person(1))
    waiting = await service.book(WEST, person(2))

    edit_event(events_path, WEST, status="cancelled")
    report = await service.refresh()

    assert report.cancelled == (WEST,)
    told = kinds(notifier, "booking.event_cancelled")
    assert sorted(n.user_id for n in told) == ["29:user-1", "29:user-2"]
    assert "Friday 2 May 2025, 09:00" in told[0].text and "cancelled" in told[0].text
    after = {b.ref: b for b in await service.bookings_for(WEST)}
    assert after[confirmed.booking.ref].status == "cancelled" and after[confirmed.booking.ref].sequence == 1
    assert after[waiting.booking.ref].cancelled_by == "event"
    assert (await service.book(WEST, person(3))).outcome == "cancelled"
    # Syncing again changes nothing and tells nobody twice.
    await service.sync()
    assert len(kinds(notifier, "booking.event_cancelled")) == 2


async def test_a_new_time_raises_the_invite_sequence_and_replaces_the_reminders(service, notifier, events_path):
    booked = await service.book(WEBINAR_APRIL, person(1))
    old_reminders = notifier.pending("booking.reminder")
    assert len(old_reminders) == 2
    assert all(n.meta["expires_at"] == datetime(2025, 4, 30, 15, 0, tzinfo=timezone.utc) for n in old_reminders)

    event = service.event(WEBINAR_APRIL)
    edit_event(events_path, WEBINAR_APRIL, start=event.start + timedelta(hours=1), end=event.end + timedelta(hours=1))
    report = await service.refresh()

    assert report.changed == (WEBINAR_APRIL,)
    assert (await service.get(booked.booking.ref)).sequence == 1
    changed = kinds(notifier, "booking.changed")
    assert len(changed) == 1 and "17:00" in changed[0].text
    pending = notifier.pending("booking.reminder")
    assert {n.idempotency_key for n in pending}.isdisjoint(n.idempotency_key for n in old_reminders)
    assert sorted(n.not_before for n in pending) == [
        datetime(2025, 4, 29, 16, 0, tzinfo=timezone.utc), datetime(2025, 4, 30, 15, 0, tzinfo=timezone.utc)]


async def test_cancelling_withdraws_the_queued_reminders(service, notifier):
    booked = await service.book(WEBINAR_MAY, person(1))
    other = await service.book(WEBINAR_MAY, person(2))
    await service.cancel(booked.booking.ref, user_id=None, by="staff")
    assert {n.meta["booking_ref"] for n in notifier.pending("booking.reminder")} == {other.booking.ref}


async def test_concurrent_attempts_never_exceed_capacity(any_db, spring_clock, events_path):
    edit_event(events_path, WEST, capacity=5)
    service = make_service(any_db, spring_clock, events_path)

    results = await asyncio.gather(*(service.book(WEST, person(n)) for n in range(40)),
                                   *(service.book(WEST, person(n)) for n in range(5)))

    outcomes = [r.outcome for r in results]
    assert outcomes.count("confirmed") == 5
    assert outcomes.count("waitlisted") == 35
    assert outcomes.count("duplicate") == 5
    rows = await service.bookings_for(WEST)
    assert len(rows) == 40 and len({b.user_id for b in rows}) == 40
    # Waitlist positions handed out are exactly 1..35.
    assert sorted(r.waitlist_position for r in results if r.outcome == "waitlisted") == list(range(1, 36))

    first_five = [b for b in rows if b.status == "confirmed"]
    cancelled = await asyncio.gather(*(service.cancel(b.ref, user_id=b.user_id) for b in first_five))
    promoted = sorted((p for c in cancelled for p in c.promoted), key=lambda b: b.id)
    waitlist = [b for b in rows if b.status == "waitlisted"]
    assert [b.id for b in promoted] == [b.id for b in waitlist[:5]]


async def test_a_booking_for_an_unknown_event_is_refused(service):
    assert (await service.book("no-such-event", person(1))).outcome == "unknown"
    with pytest.raises(ValueError):
        await service.book(WEST, person(1, email="not an email"))


async def test_the_calendar_link_serves_the_invite_and_rejects_forgeries(service, spring_clock):
    booked = await service.book(WEST, person(1))
    token = booked.calendar_url.rsplit("/", 1)[1][: -len(".ics")]

    name, content = await service.calendar_file(token)
    assert name == f"{WEST}.ics" and b"METHOD:REQUEST" in content
    assert await service.calendar_file(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert await service.calendar_file("garbage") is None

    await service.cancel(booked.booking.ref, user_id="29:user-1")
    _name, cancelled = await service.calendar_file(token)
    assert b"METHOD:CANCEL" in cancelled and b"SEQUENCE:1" in cancelled

    spring_clock.set(SPRING + timedelta(days=400))
    assert await service.calendar_file(token) is None


async def test_two_processes_sharing_one_sqlite_file_never_overbook(tmp_path, spring_clock, events_path):
    from integrations.db import Database
    from integrations.db.migrate import upgrade

    # Two engines on one file stand for the bot and the CLI: they share no in-process lock.
    url = f"sqlite+aiosqlite:///{tmp_path}/shared.db"
    first, second = Database(url), Database(url)
    await upgrade(first)
    edit_event(events_path, WEST, capacity=3)
    try:
        bot, cli = make_service(first, spring_clock, events_path), make_service(second, spring_clock, events_path)
        results = await asyncio.gather(*((bot if n % 2 else cli).book(WEST, person(n)) for n in range(30)))
        outcomes = [r.outcome for r in results]
        assert (outcomes.count("confirmed"), outcomes.count("waitlisted")) == (3, 27)
        assert sorted(r.waitlist_position for r in results if r.waitlist_position) == list(range(1, 28))
    finally:
        await first.dispose()
        await second.dispose()
