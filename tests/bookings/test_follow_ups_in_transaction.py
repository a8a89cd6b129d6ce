"""A booking's confirmation email and reminders are queued in the booking's own transaction: a crash right
after the commit (the mail server slow, the process killed) loses neither. On both databases."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.bookings.mail import BookingMailer
from bot.reminders.service import ScheduledNotifier
from integrations.db.mail import mail_outbox
from integrations.db.reminders import Outbox, outbound_messages
from tests.bookings.conftest import WEBINAR_MAY, make_service, person


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
        reminders = (await conn.execute(select(outbound_messages.c.kind, outbound_messages.c.status))).fetchall()
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
