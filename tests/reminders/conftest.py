"""Helpers for the reminder tests: London instants, seeded users, a recording sender, fake time."""
from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field

import pytest

from bot.clock import LONDON, FixedClock
from bot.console import Conversation
from bot.reminders.assembly import build_reminders
from integrations.db.host import ConversationReferences
from integrations.teams_sender import Attempt, Recipient, SendResult
from tests.fakes.connector import ConnectorStandIn
from tests.support.chat import assistant_for, teams_user

TENANT = "3253a20d-c735-4bfe-a8b7-3e6ab37f5f90"
STAFF = "aad-staff"


def london(year, month, day, hour=0, minute=0) -> dt.datetime:
    """A London wall-clock time as the UTC instant it is."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(dt.timezone.utc)


async def seed_user(database, user_id: str, *, service_url: str = "http://connector.invalid/",
                    conversation_type: str = "personal", tenant_id: str | None = TENANT,
                    channel_id: str = "msteams", now: dt.datetime | None = None) -> None:
    await ConversationReferences(database).save(
        user_id=user_id,
        channel_id=channel_id,
        conversation_id=f"a:conv-{user_id}",
        service_url=service_url,
        tenant_id=tenant_id,
        user_name=None,
        aad_object_id=None,
        reference={
            "bot": {"id": "28:sencobot", "name": "SENCO Forum Assistant"},
            "user": {"id": user_id},
            "conversation": {"id": f"a:conv-{user_id}", "conversationType": conversation_type},
            "channelId": channel_id,
            "serviceUrl": service_url,
        },
        now=now or dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
    )


@dataclass
class RecordingSender:
    """Stands in for TeamsSender where HTTP is not the point: records what would be sent."""

    sent: list = field(default_factory=list)
    outcome: str = "sent"

    async def send(self, recipient: Recipient, text: str, card=None) -> SendResult:
        self.sent.append((recipient.user_id, text, card))
        return SendResult(self.outcome, (Attempt(1, 0.0, self.outcome, 201),), activity_id=f"act-{len(self.sent)}")

    def to(self, user_id: str) -> list[str]:
        return [text for user, text, _ in self.sent if user == user_id]


class FakeTime:
    """Time for the sender's pacing and backoff, driven by a FixedClock: sleeping moves the clock."""

    def __init__(self, clock: FixedClock):
        self.clock = clock
        self.slept: list[float] = []

    def now(self) -> float:
        return self.clock.now().timestamp()

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(dt.timedelta(seconds=seconds))
        await asyncio.sleep(0)


@pytest.fixture
def reminder_settings(settings):
    return settings.replace(**{"reminders.deadline_lead_days": [7, 1], "reminders.tribunal_lead_days": [7, 1],
                               "reminders.send_time": "09:00"})


@pytest.fixture
def make_reminders(reminder_settings, clock):
    def make(database, *, settings=None, at_clock=None):
        return build_reminders(settings or reminder_settings, database, at_clock or clock)

    return make


async def seed_many(database, user_ids, *, categories=(), service_url="http://connector.invalid/",
                    tenant_id=TENANT) -> None:
    """Many subscribers in two statements (seeding one by one would dominate the test's time)."""
    import json

    from sqlalchemy import insert

    from integrations.db.host import conversation_refs
    from integrations.db.reminders import reminder_subscriptions

    now = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    refs = [dict(user_id=u, channel_id="msteams", conversation_id=f"a:conv-{u}", service_url=service_url,
                 tenant_id=tenant_id, user_name=None, aad_object_id=None, unreachable=0, updated_at=now,
                 reference=json.dumps({"bot": {"id": "28:sencobot"},
                                       "conversation": {"id": f"a:conv-{u}", "conversationType": "personal"}}))
            for u in user_ids]
    subs = [dict(user_id=u, category=c, active=True, updated_at=now) for u in user_ids for c in categories]
    async with database.engine.begin() as conn:
        await conn.execute(insert(conversation_refs), refs)
        if subs:
            await conn.execute(insert(reminder_subscriptions), subs)


@pytest.fixture
async def connector():
    """The Bot Connector stand-in (tests.fakes.connector) that the Teams sender talks to."""
    stand_in = await ConnectorStandIn().start()
    yield stand_in
    await stand_in.stop()


@pytest.fixture
def assistant(settings, clock, sqlite_db):
    return assistant_for(settings.replace(**{"bot.staff_ids": [STAFF]}), clock, sqlite_db)


def senco(assistant, user_id="29:senco-1", aad="aad-senco-1") -> Conversation:
    return teams_user(assistant, user_id, aad_object_id=aad)


def reminders_of(assistant):
    return assistant.features.reminders


async def active_reminders(assistant, user_id: str = "29:senco-1") -> frozenset[str]:
    """The reminder categories ``user_id`` is subscribed to now."""
    return (await reminders_of(assistant).subscriptions.view(user_id)).active


async def assert_all_reminders_off(assistant, said: str, user_id: str = "29:senco-1") -> None:
    """The user was told (in ``said``) that all their reminders are off, and they are."""
    assert "turned off all your reminders" in said
    assert await active_reminders(assistant, user_id) == frozenset()
