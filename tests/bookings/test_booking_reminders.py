"""Bookings through the reminder scheduler's queue: reminders due a day and an hour before,
withdrawn when the booking ends, a promotion queued for delivery."""
from __future__ import annotations

from datetime import datetime, timezone

from bot.reminders.assembly import build_reminders
from integrations.db.reminders import Outbox
from tests.bookings.conftest import WEBINAR_MAY, WEST, edit_event, make_service, person


async def test_reminders_are_queued_and_withdrawn_with_the_booking(any_db, settings, spring_clock, events_path):
    notifier = build_reminders(settings, any_db, spring_clock).notifier
    service = make_service(any_db, spring_clock, events_path, notifier=notifier)
    outbox = Outbox(any_db)

    booked = await service.book(WEBINAR_MAY, person(1))
    queued = await outbox.find(user_id="29:user-1")
    assert [(m.kind, m.status, m.not_before) for m in queued] == [
        ("booking.reminder", "pending", datetime(2025, 5, 5, 9, 0, tzinfo=timezone.utc)),
        ("booking.reminder", "pending", datetime(2025, 5, 6, 8, 0, tzinfo=timezone.utc))]
    assert all(m.expires_at == datetime(2025, 5, 6, 9, 0, tzinfo=timezone.utc) for m in queued)
    assert "Tuesday 6 May 2025, 10:00" in queued[0].text

    await service.cancel(booked.booking.ref, user_id="29:user-1")
    assert {m.status for m in await outbox.find(user_id="29:user-1")} == {"cancelled"}


async def test_a_promotion_is_queued_for_the_person_promoted(any_db, settings, spring_clock, events_path):
    edit_event(events_path, WEST, capacity=1)
    notifier = build_reminders(settings, any_db, spring_clock).notifier
    service = make_service(any_db, spring_clock, events_path, notifier=notifier)
    first = await service.book(WEST, person(1))
    await service.book(WEST, person(2))

    await service.cancel(first.booking.ref, user_id="29:user-1")

    kinds = sorted((m.kind, m.status) for m in await Outbox(any_db).find(user_id="29:user-2"))
    assert kinds == [("booking.promoted", "pending"), ("booking.reminder", "pending"), ("booking.reminder", "pending")]
