"""What follows a booking change is queued in the change's own transaction: a crash right after the commit
(the mail server slow, the process killed) loses none of it. A booking's confirmation email and reminders; a
cancellation's email and the withdrawal of its reminders; a promotion's email, notice and reminders (from a
cancellation or from staff adding places). On both databases."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.bookings.mail import BookingMailer
from bot.reminders.service import ScheduledNotifier
from integrations.db.mail import mail_outbox
from integrations.db.reminders import Outbox, outbound_messages
from tests.bookings.conftest import WEBINAR_MAY, WEST, edit_event, make_service, person


class Killed(BaseException):
    """The process dies: nothing after this point runs."""


class DiesWhileSending:
    def __init__(self):
        self.sent = []

    async def send(self, message):
        raise Killed()


class Sends:
    def __init__(self):
        self.sent = []

    async def send(self, message):
        self.sent.append(message)


def service_with(db, clock, events_path, sender):
    mailer = BookingMailer(sender, from_address="inclusion@kent.gov.uk", from_name="Inclusion team")
    return make_service(db, clock, events_path, notifier=ScheduledNotifier(Outbox(db), clock), mailer=mailer)


async def queued(db):
    async with db.engine.connect() as conn:
        reminders = (await conn.execute(select(outbound_messages.c.kind, outbound_messages.c.status)
                                        .order_by(outbound_messages.c.id))).fetchall()
        emails = (await conn.execute(select(mail_outbox.c.message_key, mail_outbox.c.content,
                                            mail_outbox.c.sent_at))).fetchall()
    return reminders, emails


async def test_a_crash_right_after_the_booking_commits_loses_neither_email_nor_reminders(
        any_db, spring_clock, events_path):
    service = service_with(any_db, spring_clock, events_path, DiesWhileSending())
    with pytest.raises(Killed):
        await service.book(WEBINAR_MAY, person(1))
    reminders, emails = await queued(any_db)
    assert sorted(kind for kind, _ in reminders) == ["booking.reminder", "booking.reminder"]
    [(key, content, sent_at)] = emails
    assert key.startswith("booking:") and key.endswith(":confirmed") and sent_at is None
    assert b"invite.ics" in content and b"senco1@school1.kent.sch.uk" in content


async def test_a_booking_sends_its_email_at_once_and_records_it(any_db, spring_clock, events_path):
    sender = Sends()
    service = service_with(any_db, spring_clock, events_path, sender)
    result = await service.book(WEBINAR_MAY, person(2))
    assert result.outcome == "confirmed" and result.emailed and len(sender.sent) == 1
    _, emails = await queued(any_db)
    [(_, content, sent_at)] = emails
    assert sent_at is not None and content is None, "the stored copy is blanked once sent"


async def outbox_by_user(db):
    async with db.engine.connect() as conn:
        rows = (await conn.execute(select(outbound_messages.c.user_id, outbound_messages.c.kind,
                                          outbound_messages.c.status).order_by(outbound_messages.c.id))).fetchall()
    found = {}
    for user_id, kind, status in rows:
        found.setdefault(user_id, []).append((kind, status))
    return found


async def test_a_crash_right_after_a_cancellation_commits_loses_no_email_notice_or_reminder(
        any_db, spring_clock, events_path):
    edit_event(events_path, WEST, capacity=1)
    booked = await service_with(any_db, spring_clock, events_path, Sends()).book(WEST, person(1))
    await service_with(any_db, spring_clock, events_path, Sends()).book(WEST, person(2))     # waitlisted

    dies = service_with(any_db, spring_clock, events_path, DiesWhileSending())
    with pytest.raises(Killed):
        await dies.cancel(booked.booking.ref, user_id="29:user-1")

    outbox = await outbox_by_user(any_db)
    # The cancelled booking's reminders are withdrawn; the promoted person's notice and reminders are queued.
    assert outbox["29:user-1"] == [("booking.reminder", "cancelled"), ("booking.reminder", "cancelled")]
    assert outbox["29:user-2"] == [("booking.promoted", "pending"), ("booking.reminder", "pending"),
                                   ("booking.reminder", "pending")]
    _, emails = await queued(any_db)
    unsent = {key.rsplit(":", 1)[-1]: content for key, content, sent_at in emails if sent_at is None}
    assert set(unsent) == {"cancelled", "confirmed"}, "the cancellation and the promotion emails wait to be sent"
    assert b"senco1@school1.kent.sch.uk" in unsent["cancelled"] and b"cancel.ics" in unsent["cancelled"]
    assert b"senco2@school2.kent.sch.uk" in unsent["confirmed"] and b"invite.ics" in unsent["confirmed"]


async def test_a_cancellation_sends_its_emails_at_once_and_records_them(any_db, spring_clock, events_path):
    edit_event(events_path, WEST, capacity=1)
    sender = Sends()
    service = service_with(any_db, spring_clock, events_path, sender)
    booked = await service.book(WEST, person(1))
    await service.book(WEST, person(2))
    await service.cancel(booked.booking.ref, user_id="29:user-1")
    assert [m["To"].addresses[0].addr_spec for m in sender.sent] == [
        "senco1@school1.kent.sch.uk", "senco1@school1.kent.sch.uk", "senco2@school2.kent.sch.uk"]
    _, emails = await queued(any_db)
    assert len(emails) == 3 and all(sent_at is not None and content is None for _, content, sent_at in emails)


async def test_a_crash_right_after_staff_add_places_loses_no_promotion(any_db, spring_clock, events_path):
    edit_event(events_path, WEST, capacity=1)
    service = service_with(any_db, spring_clock, events_path, Sends())
    for n in (1, 2, 3):
        await service.book(WEST, person(n))
    edit_event(events_path, WEST, capacity=2)
    with pytest.raises(Killed):
        await service_with(any_db, spring_clock, events_path, DiesWhileSending()).refresh()
    outbox = await outbox_by_user(any_db)
    assert outbox["29:user-2"] == [("booking.promoted", "pending"), ("booking.reminder", "pending"),
                                   ("booking.reminder", "pending")]
    assert "29:user-3" not in outbox
    _, emails = await queued(any_db)
    assert [key.rsplit(":", 1)[-1] for key, _, sent_at in emails if sent_at is None] == ["confirmed"]
