"""Delivery from rows: the notifier's idempotency, opt-out at send time, late and missed, HTTP outcomes
recorded per attempt, unreachable users, and recovery when a worker dies holding claims."""
import datetime as dt
import random

import aiohttp
import pytest

from bot.notify import Notice
from bot.reminders.assembly import build_reminders
from bot.reminders.delivery import DeliveryWorker, WorkerSettings
from integrations.db.host import ConversationReferences
from integrations.db.reminders import NewAnnouncement, NewMessage, Recipients
from integrations.teams_sender import LocalSlots, TeamsLimits, TeamsSender
from tests.reminders.conftest import FakeTime, RecordingSender, london, seed_user

UTC = dt.timezone.utc


def notice(user="u1", key="k1", **kw) -> Notice:
    return Notice(user_id=user, text=kw.pop("text", "hello"), idempotency_key=key, **kw)


async def test_the_same_idempotency_key_is_queued_and_sent_once(any_db, make_reminders, clock):
    reminders = make_reminders(any_db)
    await seed_user(any_db, "u1")
    for _ in range(3):
        await reminders.notifier.notify(notice(kind="booking.promoted"))
    sender = RecordingSender()
    worker = reminders.worker(sender)
    await worker.run_once()
    await reminders.notifier.notify(notice(kind="booking.promoted"))   # after delivery, still the same message
    await worker.run_once()
    assert sender.to("u1") == ["hello"]
    assert (await reminders.outbox.counts()) == {"sent": 1}


async def test_a_notice_waits_for_not_before_and_is_missed_after_expires_at(any_db, make_reminders, clock):
    reminders = make_reminders(any_db)
    await seed_user(any_db, "u1")
    start = clock.now()
    await reminders.notifier.notify(notice(key="later", not_before=start + dt.timedelta(hours=1)))
    await reminders.notifier.notify(notice(key="expired", not_before=start,
                                           meta={"expires_at": start - dt.timedelta(minutes=1)}))
    sender = RecordingSender()
    worker = reminders.worker(sender)
    await worker.run_once()
    assert sender.sent == []
    assert (await reminders.outbox.get("expired")).status == "missed"
    clock.advance(dt.timedelta(hours=1))
    await worker.run_once()
    assert len(sender.sent) == 1 and (await reminders.outbox.get("later")).status == "sent"


async def test_opting_out_after_the_fan_out_still_stops_the_message(any_db, make_reminders, clock):
    reminders = make_reminders(any_db)
    for user in ("stays", "leaves", "stops-everything"):
        await seed_user(any_db, user)
        await reminders.subscriptions.subscribe(user, ["funding"])
    await reminders.announcements.add(NewAnnouncement(
        key="deadline:x:2026-12-01:7d", category="funding", kind="deadline", source="deadline:x",
        text="Top-up claims", due_at=clock.now()), clock.now())
    sender = RecordingSender()
    worker = reminders.worker(sender)
    assert await worker.expand_due() == 1                 # three messages queued...
    await reminders.subscriptions.unsubscribe("leaves", ["funding"])
    await reminders.subscriptions.stop_all("stops-everything")
    await worker.deliver_due()                            # ...but only one is still wanted when sent
    assert [user for user, _, _ in sender.sent] == ["stays"]
    statuses = {m.user_id: m.status for m in await reminders.outbox.find(source="deadline:x")}
    assert statuses == {"stays": "sent", "leaves": "opted_out", "stops-everything": "opted_out"}


async def test_stop_reminders_also_stops_tribunal_case_reminders(any_db, make_reminders, clock):
    reminders = make_reminders(any_db)
    await seed_user(any_db, "u1")
    await reminders.subscriptions.subscribe("u1", ["tribunal"])
    clock.set(london(2025, 3, 1, 12))
    await reminders.tribunal.add("u1", "Case A", final_ehcp_issued=None, hearing_on=dt.date(2025, 4, 2))
    await reminders.subscriptions.stop_all("u1")
    clock.set(london(2025, 4, 2, 12))
    sender = RecordingSender()
    await reminders.worker(sender).run_once()
    assert sender.sent == []
    statuses = [m.status for m in await reminders.outbox.find(user_id="u1")]
    # The hearing's reminders are still current and refused by the opt-out; earlier milestones' are missed.
    assert statuses == ["missed", "missed", "missed", "opted_out", "opted_out"]


async def test_after_downtime_a_reminder_is_sent_late_if_its_deadline_has_not_passed(any_db, make_reminders, clock):
    reminders = make_reminders(any_db)
    await seed_user(any_db, "u1")
    await reminders.subscriptions.subscribe("u1", ["training"])
    due = london(2025, 3, 30, 9)
    for key, expires in (("deadline:npq:7d", london(2025, 4, 7)), ("deadline:old:1d", london(2025, 3, 31))):
        await reminders.announcements.add(NewAnnouncement(
            key=key, category="training", kind="deadline", source=key, text=key, due_at=due, expires_at=expires),
            due - dt.timedelta(days=30))
    await reminders.notifier.notify(notice(key="booking-1h", not_before=due,
                                           meta={"expires_at": london(2025, 3, 30, 10)}))
    clock.set(london(2025, 4, 1, 8))                      # the service was down from 29 March to 1 April
    sender = RecordingSender()
    stats = await reminders.worker(sender).run_once()
    assert [text for _, text, _ in sender.sent] == ["deadline:npq:7d"]
    assert stats.late == 1 and stats.missed == 2
    (sent,) = await reminders.outbox.find(status="sent")
    assert sent.late is True and sent.idempotency_key == "deadline:npq:7d:u1"
    assert (await reminders.announcements.get_by_key("deadline:old:1d")).status == "missed"
    assert (await reminders.outbox.get("booking-1h")).status == "missed"


@pytest.fixture
async def http_worker(any_db, make_reminders, clock, connector):
    """A worker sending over HTTP to the stand-in, with fake time for pacing and backoff."""
    reminders = make_reminders(any_db)
    fake = FakeTime(clock)
    async with aiohttp.ClientSession() as session:
        sender = TeamsSender(session, tokens=_NoTokens(), limits=TeamsLimits(max_transient_retries=2),
                             slots=LocalSlots(), now=fake.now, sleep=fake.sleep, rng=random.Random(1))
        yield reminders, reminders.worker(sender), fake


class _NoTokens:
    async def token(self):
        return None

    def invalidate(self):
        pass


async def test_every_attempt_is_recorded(any_db, connector, http_worker):
    reminders, worker, fake = http_worker
    await seed_user(any_db, "u1", service_url=connector.url)
    connector.scripted = [(429, {"Retry-After": "2"}, {}), (503, {}, {})]
    await reminders.notifier.notify(notice())
    await worker.run_once()
    message = await reminders.outbox.get("k1")
    assert message.status == "sent" and message.activity_id == "reply-1"
    attempts = await reminders.outbox.attempts(message.id)
    assert [(a.outcome, a.http_status) for a in attempts] == [("throttled", 429), ("retry", 503), ("sent", 200)]
    assert attempts[0].wait_seconds == 2.0 and attempts[0].worker == worker.worker_id


async def test_a_blocked_user_is_marked_unreachable_and_not_tried_again(any_db, connector, http_worker):
    reminders, worker, _ = http_worker
    await seed_user(any_db, "u1", service_url=connector.url)
    await seed_user(any_db, "u2", service_url=connector.url)
    connector.scripted = [(403, {}, {"error": {"code": "MessageWritesBlocked", "message": "Thread is blocked"}})]
    for key, user in (("a", "u1"), ("b", "u1"), ("c", "u2")):
        await reminders.notifier.notify(notice(user=user, key=key))
    await worker.run_once()
    assert len(connector.activities("a:conv-u1")) == 1   # the second message to u1 was not attempted
    assert len(connector.activities("a:conv-u2")) == 1
    assert {k: (await reminders.outbox.get(k)).status for k in "abc"} == {
        "a": "unreachable", "b": "unreachable", "c": "sent"}
    assert (await ConversationReferences(any_db).get("u1")).unreachable is True
    await reminders.subscriptions.subscribe("u1", ["forum"])
    assert await reminders.subscribers("forum") == []     # fan-outs skip unreachable users


async def test_transient_failures_beyond_the_budget_are_recorded_as_failed(any_db, connector, http_worker):
    reminders, worker, _ = http_worker
    await seed_user(any_db, "u1", service_url=connector.url)
    connector.scripted = [(502, {}, {})] * 3
    await reminders.notifier.notify(notice())
    await worker.run_once()
    message = await reminders.outbox.get("k1")
    assert message.status == "failed" and "502" in message.detail
    assert len(await reminders.outbox.attempts(message.id)) == 3


async def test_a_new_1_to_1_conversation_is_remembered(any_db, connector, http_worker):
    reminders, worker, _ = http_worker
    await seed_user(any_db, "u1", service_url=connector.url, conversation_type="channel")
    await reminders.notifier.notify(notice(key="one"))
    await worker.run_once()
    stored = await ConversationReferences(any_db).get("u1")
    assert stored.conversation_id == "a:new-u1"
    assert stored.reference["conversation"]["conversationType"] == "personal"
    await reminders.notifier.notify(notice(key="two"))
    await worker.run_once()
    assert [r.path for r in connector.received] == [
        "/v3/conversations", "/v3/conversations/a:new-u1/activities", "/v3/conversations/a:new-u1/activities"]


async def test_users_the_bot_cannot_reach_are_recorded_not_retried(any_db, make_reminders, clock):
    reminders = make_reminders(any_db)
    await seed_user(any_db, "console-user", channel_id="console")
    await reminders.notifier.notify(notice(user="console-user", key="c"))
    await reminders.notifier.notify(notice(user="stranger", key="s"))
    sender = RecordingSender()
    await reminders.worker(sender).run_once()
    assert sender.sent == []
    assert (await reminders.outbox.get("c")).status == "undeliverable"
    assert (await reminders.outbox.get("s")).status == "undeliverable"


async def test_claims_held_by_a_dead_worker_are_taken_over_after_the_lease(any_db, make_reminders, clock):
    reminders = make_reminders(any_db)
    for n in range(6):
        await seed_user(any_db, f"u{n}")
        await reminders.notifier.notify(notice(user=f"u{n}", key=f"k{n}"))
    lease = dt.timedelta(seconds=60)
    held = await reminders.outbox.claim("dead-worker", clock.now(), lease, 4)   # then it is killed
    assert len(held) == 4
    sender = RecordingSender()
    survivor = DeliveryWorker(outbox=reminders.outbox, announcements=reminders.announcements,
                              subscriptions=reminders.subscription_store, directory=Recipients(any_db),
                              sender=sender, clock=clock, settings=WorkerSettings(lease=lease), worker_id="survivor")
    await survivor.run_once()
    assert sorted(u for u, _, _ in sender.sent) == ["u4", "u5"]   # the leased ones are not touched yet
    clock.advance(lease + dt.timedelta(seconds=1))
    await survivor.run_once()
    assert sorted(u for u, _, _ in sender.sent) == [f"u{n}" for n in range(6)]   # nothing lost, none twice
    assert not await reminders.outbox.finish(held[0].id, "dead-worker", status="sent", now=clock.now())


async def test_a_fan_out_interrupted_half_way_adds_only_what_is_missing(any_db, make_reminders, clock):
    reminders = make_reminders(any_db)
    for n in range(5):
        await seed_user(any_db, f"u{n}")
        await reminders.subscriptions.subscribe(f"u{n}", ["forum"])
    item = NewAnnouncement(key="broadcast:b1", category="forum", kind="broadcast", source="broadcast",
                           text="Forum news", due_at=clock.now())
    await reminders.announcements.add(item, clock.now())
    claimed = await reminders.announcements.claim_due("dead-worker", clock.now(), dt.timedelta(seconds=60))
    # It queued two messages, then died before marking the announcement expanded.
    await reminders.outbox.add_many([NewMessage(f"broadcast:b1:u{n}", f"u{n}", "Forum news", clock.now(),
                                                category="forum", reminder_id=claimed.id) for n in (0, 1)],
                                    clock.now())
    clock.advance(dt.timedelta(seconds=61))
    sender = RecordingSender()
    stats = await reminders.worker(sender).run_once()
    assert stats.fanned_out == 3
    assert sorted(u for u, _, _ in sender.sent) == [f"u{n}" for n in range(5)]
    assert (await reminders.announcements.get_by_key("broadcast:b1")).recipients == 5


async def test_old_message_text_is_blanked_but_the_key_still_blocks_a_resend(any_db, make_reminders, clock):
    reminders = make_reminders(any_db)
    await seed_user(any_db, "u1")
    await reminders.notifier.notify(notice(text="personal answer"))
    sender = RecordingSender()
    await reminders.worker(sender).run_once()
    clock.advance(dt.timedelta(days=31))
    assert await reminders.outbox.scrub_text(clock.now() - dt.timedelta(days=30)) == 1
    assert (await reminders.outbox.get("k1")).text == ""
    await reminders.notifier.notify(notice(text="personal answer"))
    await reminders.worker(sender).run_once()
    assert len(sender.sent) == 1


def test_bad_reminder_settings_fail_at_start_up(reminder_settings, sqlite_db, clock):
    from bot.settings import SettingsError

    with pytest.raises(SettingsError, match="reminders.send_time"):
        build_reminders(reminder_settings.replace(**{"reminders.send_time": "9am"}), sqlite_db, clock)
    with pytest.raises(SettingsError, match="reminders.deadline_lead_days"):
        build_reminders(reminder_settings.replace(**{"reminders.deadline_lead_days": [-1]}), sqlite_db, clock)
