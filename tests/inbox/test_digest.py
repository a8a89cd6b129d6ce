"""The digest email: its schedule, its content, and sending over a real SMTP server on loopback."""
from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta, timezone

import pytest

from bot.inbox.digest import DigestService, InboxHousekeeping, current_slot
from integrations.mail.smtp import SmtpConfig, SmtpSender
from tests.inbox.conftest import declined

DAILY = timedelta(hours=24)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_a_daily_digest_period_starts_at_eight_london_time_in_winter_and_summer():
    assert current_slot(utc(2026, 11, 26, 10, 0), DAILY, time(8, 0)).isoformat() == "2026-11-26T08:00:00+00:00"
    assert current_slot(utc(2026, 11, 26, 7, 59), DAILY, time(8, 0)).isoformat() == "2026-11-25T08:00:00+00:00"
    # 07:30 UTC is 08:30 BST: already in the day's period.
    assert current_slot(utc(2026, 6, 10, 7, 30), DAILY, time(8, 0)).isoformat() == "2026-06-10T08:00:00+01:00"
    weekly = current_slot(utc(2026, 11, 26, 10, 0), timedelta(hours=168), time(8, 0))
    assert weekly.strftime("%A %d %B %H:%M") == "Monday 23 November 08:00"
    twice = current_slot(utc(2026, 11, 26, 21, 0), timedelta(hours=12), time(8, 0))
    assert twice.isoformat() == "2026-11-26T20:00:00+00:00"


def digest_for(world, smtp, **changes):
    sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=smtp.port, attempts=1))
    options = dict(mail=sender, team_name="Inclusion team", team_mailbox="inclusion@kent.gov.uk",
                   recipient="", interval=DAILY, at=time(8, 0))
    options.update(changes)
    return DigestService(world.repo, **options)


async def test_the_digest_lists_new_questions_once_per_period(world, clock, smtp):
    for asker, text in [("29:a", "Is there parking at the venue?"), ("b@school.example", "is there parking"),
                        ("29:c", "My pupil Tyler Brooks needs a laptop, who pays?")]:
        await world.inbox.log.record(channel="email" if "@" in asker else "teams", asker_id=asker, asker_name="",
                                 text=text, result=declined())
    digest = digest_for(world, smtp)

    result = await digest.send_if_due(clock.now())
    assert result.sent and result.questions == 3
    [mail] = await smtp.wait_for(1)
    assert mail["To"] == "inclusion@kent.gov.uk"
    assert mail["Subject"] == "SENCO Forum inbox: 3 questions need an answer (26 November 2026)"
    assert mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_content()
    assert '"Is there parking at the venue?"' in body and "asked 2 times in all" in body
    assert "Tyler" not in body and "[name]" in body
    assert "Thursday 26 November 2026, 10:00 · Teams" in body
    assert "2 groups of questions are waiting" in body

    # Same period: nothing more. Next period: only what is new since.
    clock.advance(timedelta(hours=3))
    assert await digest.send_if_due(clock.now()) is None
    await world.inbox.log.record(channel="teams", asker_id="29:d", asker_name="", text="Will there be lunch?",
                             result=declined())
    clock.advance(timedelta(days=1))
    result = await digest.send_if_due(clock.now())
    assert result.sent and result.questions == 1
    mails = await smtp.wait_for(2)
    assert "1 question needs an answer" in mails[1]["Subject"]
    assert "Will there be lunch?" in mails[1].get_content() and "parking" not in mails[1].get_content()


async def test_an_empty_period_sends_nothing_and_a_failed_send_is_retried(world, clock, smtp):
    digest = digest_for(world, smtp, recipient="triage@kent.gov.uk")
    result = await digest.send_if_due(clock.now())
    assert not result.sent and result.reason == "no new questions"

    clock.advance(timedelta(days=1))
    await world.inbox.log.record(channel="teams", asker_id="29:a", asker_name="", text="Is there parking?",
                             result=declined())
    smtp.refuse_next(1)
    failed = await digest.send_if_due(clock.now())
    assert not failed.sent
    assert (await world.repo.undigested_questions()) != []
    retried = await digest.send_if_due(clock.now() + timedelta(minutes=1))
    assert retried.sent
    [mail] = await smtp.wait_for(1)
    assert mail["To"] == "triage@kent.gov.uk"


async def test_no_digest_without_mail(world, clock):
    digest = DigestService(world.repo, mail=None, team_name="Inclusion team",
                           team_mailbox="inclusion@kent.gov.uk", recipient="", interval=DAILY, at=time(8, 0))
    assert await digest.send_if_due(clock.now()) is None


async def test_housekeeping_retries_deliveries_and_runs_as_a_background_task(world, clock):
    await world.inbox.log.record(channel="email", asker_id="b@school.example", asker_name="", text="Is there parking?",
                             result=declined())
    [view] = await world.inbox.triage.clusters()
    world.outbox.down = True
    await world.inbox.answers.answer(view.id, "No parking.", by="Olu")
    world.outbox.down = False

    housekeeping = InboxHousekeeping(world.inbox, None, clock, interval_seconds=0.05)
    context = housekeeping.background_task()(app=None)
    await context.__anext__()                       # start-up: published entries loaded, loop started
    for _ in range(400):
        if housekeeping.ticks:
            break
        await asyncio.sleep(0.005)
    assert housekeeping.ticks >= 1
    assert len(world.outbox.messages) == 1
    with pytest.raises(StopAsyncIteration):
        await context.__anext__()                   # shutdown cancels the loop cleanly
