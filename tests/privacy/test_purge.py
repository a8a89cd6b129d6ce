"""Retention: each kind of record survives until its period ends and is purged just after, on SQLite
and PostgreSQL; bookings and evaluations are anonymised, not deleted; the daily schedule."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from bot.clock import FixedClock
from bot.privacy.service import PurgeSchedule
from integrations.db.bookings import bookings
from integrations.db.host import ConversationReferences, ProcessedActivities, StateDocuments
from integrations.db.host import conversation_refs
from integrations.db.evaluations import EvaluationParticipants, EvaluationResponses
from integrations.db.evaluations import evaluation_participants, evaluation_responses
from integrations.db.reminders import AttemptRecord, NewMessage
from knowledge.models import AnswerResult
from tests.privacy.conftest import SOUTH, SPRING, WEBINAR, person, rows, seed_email_person, teams_id

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
SOUTH_ENDS = datetime(2025, 4, 28, 15, 0, tzinfo=timezone.utc)   # 16:00 London (BST)


async def _query(world):
    await world.assistant.features.inbox.service.log.record(channel="teams", asker_id=teams_id(1), asker_name="Sam",
                                         text="A question nobody has answered",
                                         result=AnswerResult(question="q", outcome="decline", confidence=0.1))
    return SPRING


async def _mail(world):
    await seed_email_person(world, 1)
    return SPRING


async def _processed(world):
    await ProcessedActivities(world.database).claim("msteams|a:1|act-1", SPRING - 89 * DAY, DAY)
    await seed_email_person(world, 1)
    return SPRING


async def _evaluation(world):
    await EvaluationParticipants(world.database).ensure(forum_id="term4-2025", respondent=teams_id(1),
                                                        channel="teams", source="self", now=SPRING)
    await EvaluationResponses(world.database).save(
        forum_id="term4-2025", respondent=teams_id(1), channel="teams", phase="primary", overall=5,
        ratings={"a": 4}, most_useful="The tribunal talk", could_be_better="More time", topics=["npq"],
        topics_other="Sam's idea", now=SPRING)
    return SPRING


async def _closed_case(world):
    summary = await world.reminders.tribunal.add(teams_id(1), "Year 6 appeal", final_ehcp_issued=date(2025, 3, 1),
                                                 hearing_on=date(2025, 7, 10))
    world.clock.set(SPRING + 3 * DAY)
    await world.reminders.tribunal.add(teams_id(1), "Case B", final_ehcp_issued=None,
                                       hearing_on=date(2025, 9, 10))
    await world.reminders.tribunal.close(teams_id(1), summary.case.id)
    return SPRING + 3 * DAY


async def _past_booking(world):
    assert (await world.bookings.book(SOUTH, person(1))).outcome == "confirmed"
    assert (await world.bookings.book(WEBINAR, person(1))).outcome == "confirmed"
    return SOUTH_ENDS


async def _delivered(world):
    outbox = world.reminders.outbox
    await outbox.add(NewMessage(idempotency_key="k1", user_id=teams_id(1), text="Reminder text", not_before=SPRING),
                     SPRING)
    await outbox.add(NewMessage(idempotency_key="k2", user_id=teams_id(1), text="Later", not_before=SPRING + 400 * DAY),
                     SPRING)
    [message] = await outbox.claim("w1", SPRING, timedelta(minutes=1), 10)
    await outbox.finish(message.id, "w1", status="sent", now=SPRING,
                        attempts=[AttemptRecord(1, SPRING, "sent", 201)])
    return SPRING


async def _inactive(world):
    references = ConversationReferences(world.database)
    for n in (1, 2):
        await references.save(user_id=teams_id(n), channel_id="msteams", conversation_id=f"a:{n}",
                              service_url="https://smba.example/", tenant_id=None, user_name=f"Sam {n}",
                              aad_object_id=None, reference={}, now=SPRING)
    # Person 2 still wants reminders: their reference is what delivers them.
    await world.reminders.subscriptions.subscribe(teams_id(2), ["forum"])
    return SPRING


async def _state(world):
    await StateDocuments(world.database).write("msteams/users/29:user-1", '{"profile": {}}', None, SPRING)
    return SPRING


# (seed, retention setting, {table: rows purged just after the period})
KINDS = {
    "queries": (_query, "queries_days", {"inbox_queries": 1, "inbox_clusters": 1}),
    "mail": (_mail, "mail_outbox_days", {"mail_outbox": 1, "mail_senders": 1}),
    "processed": (_processed, "processed_ids_days", {"mail_processed": 1}),
    "evaluations": (_evaluation, "evaluation_days", {"evaluation_responses": 1, "evaluation_participants": 1}),
    "tribunal": (_closed_case, "tribunal_closed_days", {"tribunal_cases": 1}),
    "bookings": (_past_booking, "bookings_past_days", {"bookings": 1}),
    "delivery": (_delivered, "delivery_log_days", {"outbound_messages": 1, "delivery_attempts": 1}),
    "inactive": (_inactive, "inactive_user_days", {"conversation_refs": 1}),
    "state": (_state, "bot_state_days", {"bot_state": 1}),
}


@pytest.mark.parametrize("kind", list(KINDS))
async def test_records_are_kept_until_their_retention_period_ends_and_purged_just_after(world, kind):
    seed, setting, purged = KINDS[kind]
    start = await seed(world)
    period = timedelta(days=getattr(world.privacy.retention, setting))

    before = await world.privacy.purge(start + period - MINUTE)
    after = await world.privacy.purge(start + period + MINUTE)
    again = await world.privacy.purge(start + period + 2 * MINUTE)

    assert {table: before.get(table) for table in purged} == {table: 0 for table in purged}
    assert {table: after.get(table) for table in purged} == purged
    assert not any(again.values()), "a second purge finds nothing more to do"


async def test_anonymised_bookings_keep_the_attendance_counts(world):
    await _past_booking(world)
    assert (await world.bookings.book(SOUTH, person(2))).outcome == "confirmed"
    await world.bookings.cancel((await world.bookings.my_bookings(teams_id(2)))[0].booking.ref, user_id=teams_id(2))
    counts = await world.bookings._repo.counts()

    report = await world.privacy.purge(SOUTH_ENDS + 366 * DAY)

    assert report["bookings"] == 2          # the confirmed and the cancelled one
    assert await world.bookings._repo.counts() == counts
    for row in await rows(world.database, bookings, bookings.c.event_id == SOUTH):
        assert row["user_id"].startswith("anonymised:")
        assert (row["name"], row["school"], row["email"]) == ("Anonymised", "", "")
    [kept] = await rows(world.database, bookings, bookings.c.event_id == WEBINAR)
    assert kept["user_id"] == teams_id(1), "the webinar ended later: its booking is not due yet"


async def test_anonymised_evaluations_keep_ratings_and_drop_comments_and_the_person(world):
    await _evaluation(world)
    await world.privacy.purge(SPRING + 731 * DAY)
    [response] = await rows(world.database, evaluation_responses)
    assert response["respondent"].startswith("anonymised:") and response["overall"] == 5
    assert (response["most_useful"], response["could_be_better"], response["topics_other"]) == (None, None, None)
    [participant] = await rows(world.database, evaluation_participants)
    assert participant["respondent"].startswith("anonymised:")


async def test_references_still_needed_for_subscriptions_cases_or_bookings_are_kept(world):
    await _inactive(world)
    report = await world.privacy.purge(SPRING + 366 * DAY)
    assert report["conversation_refs"] == 1
    assert [r["user_id"] for r in await rows(world.database, conversation_refs)] == [teams_id(2)]


async def test_pending_messages_are_never_purged_however_old(world):
    await _delivered(world)
    await world.privacy.purge(SPRING + 1000 * DAY)
    pending = await world.reminders.outbox.find(user_id=teams_id(1))
    assert [m.idempotency_key for m in pending] == ["k2"]


# -- the daily schedule -------------------------------------------------------------------------------


class CountingService:
    def __init__(self):
        self.runs = []

    async def purge(self, now):
        self.runs.append(now)
        return {"bot_state": 0}


@pytest.mark.parametrize("instant, first", [
    # 03:30 London is 03:30 UTC in winter and 02:30 UTC in summer.
    (datetime(2025, 1, 10, 12, 0, tzinfo=timezone.utc), datetime(2025, 1, 11, 3, 30, tzinfo=timezone.utc)),
    (datetime(2025, 7, 10, 1, 0, tzinfo=timezone.utc), datetime(2025, 7, 10, 2, 30, tzinfo=timezone.utc)),
])
async def test_the_purge_runs_once_a_day_at_the_london_time(instant, first):
    clock = FixedClock(instant)
    service = CountingService()
    schedule = PurgeSchedule(service, clock, time(3, 30))

    assert not await schedule.tick()
    assert schedule.next_run == first
    clock.set(first - MINUTE)
    assert not await schedule.tick()
    clock.set(first)
    assert await schedule.tick()
    assert not await schedule.tick(), "once a day, not on every check"
    clock.set(first + DAY - MINUTE)
    assert not await schedule.tick()
    clock.set(first + DAY + MINUTE)
    assert await schedule.tick()
    assert service.runs == [first, first + DAY + MINUTE]
    assert 1.0 <= schedule.seconds_to_wait() <= 3600.0


async def test_the_app_runs_the_daily_purge_in_the_background(world):
    import asyncio

    schedule = world.assistant.features.privacy.schedule
    assert schedule.service is world.privacy and schedule.at == time(3, 30)
    [task] = [t for t in world.assistant.registry.jobs if getattr(t, "background_name", "") == "privacy purge"]
    await _query(world)
    schedule.next_run = world.clock.now()
    world.clock.set(SPRING + 400 * DAY)

    running = task(None)
    await running.__anext__()          # the app has started: the loop runs
    for _ in range(400):
        if schedule.last_counts:
            break
        await asyncio.sleep(0.005)
    with pytest.raises(StopAsyncIteration):
        await running.__anext__()      # the app stops: the loop is cancelled
    assert schedule.last_counts["inbox_queries"] == 1
