"""Every catalogue deadline reminds its category's subscribers at 09:00 London time, once per lead time."""
import dataclasses
import datetime as dt

import pytest

from bot.reminders.service import deadline_key
from knowledge.deadlines import CATEGORIES, DeadlineCatalogue, load_deadlines
from tests.reminders.conftest import RecordingSender, london, seed_user

CATALOGUE = load_deadlines()


@pytest.mark.parametrize("deadline", CATALOGUE.deadlines, ids=lambda d: d.id)
async def test_each_catalogue_deadline_is_sent_to_its_subscribers_at_each_lead_time(
        deadline, sqlite_db, make_reminders, clock):
    reminders = make_reminders(sqlite_db)
    other = next(c for c in CATEGORIES if c != deadline.category)
    for user in ("subscriber", "other-category", "nobody"):
        await seed_user(sqlite_db, user)
    await reminders.subscriptions.subscribe("subscriber", [deadline.category])
    await reminders.subscriptions.subscribe("other-category", [other])

    clock.set(london(2025, 1, 1, 12))  # the catalogue is planned well ahead of every date in it
    assert (await reminders.deadlines.sync(DeadlineCatalogue((deadline,)))).added == 2
    sender = RecordingSender()
    worker = reminders.worker(sender)

    week_before = london(*(deadline.on - dt.timedelta(days=7)).timetuple()[:3], 9)
    clock.set(week_before - dt.timedelta(minutes=1))
    await worker.run_once()
    assert sender.sent == []

    clock.set(week_before)
    await worker.run_once()
    await worker.run_once()  # a second pass finds nothing new: exactly once
    (text,) = sender.to("subscriber")
    assert deadline.title in text and deadline.when() in text
    assert deadline.source.session in text

    clock.set(london(*(deadline.on - dt.timedelta(days=1)).timetuple()[:3], 9))
    await worker.run_once()
    assert len(sender.to("subscriber")) == 2
    assert sender.to("other-category") == [] and sender.to("nobody") == []
    card = sender.sent[-1][2]
    assert card["body"][1]["text"] == deadline.title


async def test_reminder_times_follow_london_across_the_clocks_changing(sqlite_db, make_reminders, clock):
    reminders = make_reminders(sqlite_db)
    clock.set(london(2025, 1, 1, 12))
    await reminders.deadlines.sync(CATALOGUE)
    by_key = {a.key: a for a in await reminders.announcements.all(kind="deadline")}
    npq = CATALOGUE.by_id()["npq-senco-applications-close"]
    topup = CATALOGUE.by_id()["topup-claim-system-ceases"]
    utc = dt.timezone.utc
    # 30 March 2025 is the day BST starts: 09:00 London is 08:00 UTC.
    assert by_key[deadline_key(npq, 7)].due_at == dt.datetime(2025, 3, 30, 8, 0, tzinfo=utc)
    # 24 March is still GMT: 09:00 London is 09:00 UTC.
    assert by_key[deadline_key(topup, 7)].due_at == dt.datetime(2025, 3, 24, 9, 0, tzinfo=utc)
    # A reminder stops being worth sending when the deadline day is over (midnight London = 23:00 UTC in BST).
    assert by_key[deadline_key(npq, 1)].expires_at == dt.datetime(2025, 4, 6, 23, 0, tzinfo=utc)


async def test_a_deadline_added_late_gets_only_the_reminders_still_ahead(sqlite_db, make_reminders, clock):
    reminders = make_reminders(sqlite_db)
    npq = CATALOGUE.by_id()["npq-senco-applications-close"]
    clock.set(london(2025, 4, 2, 12))  # four days before: the week-before reminder's moment has gone
    result = await reminders.deadlines.sync(DeadlineCatalogue((npq,)))
    assert result.added == 1
    assert [a.key for a in await reminders.announcements.all()] == [deadline_key(npq, 1)]


async def test_a_moved_deadline_replaces_its_pending_reminders(sqlite_db, make_reminders, clock):
    reminders = make_reminders(sqlite_db)
    npq = CATALOGUE.by_id()["npq-senco-applications-close"]
    clock.set(london(2025, 3, 1, 12))
    await reminders.deadlines.sync(DeadlineCatalogue((npq,)))
    moved = dataclasses.replace(npq, on=dt.date(2025, 4, 13))
    result = await reminders.deadlines.sync(DeadlineCatalogue((moved,)))
    assert (result.added, result.cancelled) == (2, 2)
    statuses = {a.key: a.status for a in await reminders.announcements.all()}
    assert statuses == {deadline_key(npq, 7): "cancelled", deadline_key(npq, 1): "cancelled",
                        deadline_key(moved, 7): "pending", deadline_key(moved, 1): "pending"}
    assert (await reminders.deadlines.sync(DeadlineCatalogue((moved,)))).added == 0  # idempotent


async def test_the_scheduler_loop_syncs_the_catalogue_file_and_sends(sqlite_db, make_reminders, clock):
    from bot.reminders.service import SchedulerLoop

    reminders = make_reminders(sqlite_db)
    await seed_user(sqlite_db, "u1")
    await reminders.subscriptions.subscribe("u1", ["training"])
    sender = RecordingSender()
    loop = SchedulerLoop(reminders, reminders.worker(sender))
    clock.set(london(2025, 3, 1, 12))
    await loop.tick()                       # reads knowledge/data/deadlines.yaml
    assert len(await reminders.announcements.all()) == 2 * len(CATALOGUE.deadlines)
    clock.set(london(2025, 3, 30, 9))
    await loop.tick()
    assert len(sender.to("u1")) == 1 and "NPQ" in sender.to("u1")[0]
