"""Privacy fixtures: an assistant on SQLite or PostgreSQL at a fixed spring 2025 instant, and people
with records in every feature (Teams questions, bookings, reminders, tribunal cases, evaluations,
queued messages, email questions and replies)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.console import Conversation
from bot.bookings.service import Person
from bot.mail.service import sender_hash
from bot.assistant import build_assistant
from bot.core import build_core
from integrations.db.host import ConversationReferences, StateDocuments
from integrations.db.evaluations import EvaluationParticipants, EvaluationResponses
from integrations.db.mail import MailRepository, PlannedReply, ReplyWindow
from knowledge.models import AnswerResult

# Bookings for the deck's spring events are open; the South induction (28 April) ends first.
SPRING = datetime(2025, 4, 1, 9, 0, tzinfo=timezone.utc)
SOUTH = "induction-south-2025-04-28"     # ends 28 April 2025, 16:00 London
WEBINAR = "webinar-2025-05-06"           # ends 6 May 2025, 11:00 London
STAFF_AAD = "aad-staff"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(SPRING)


@pytest.fixture
def privacy_settings(settings, events_path):
    return settings.replace(**{
        "bookings.events_file": str(events_path),
        "bot.staff_ids": [STAFF_AAD],
        "link_signing_key": "test-signing-key",
        "server.public_base_url": "https://bot.example.org",
    })


@dataclass
class World:
    services: object
    assistant: object
    clock: FixedClock

    @property
    def privacy(self):
        return self.assistant.features.privacy.service

    @property
    def bookings(self):
        return self.assistant.features.bookings

    @property
    def reminders(self):
        return self.assistant.features.reminders

    @property
    def database(self):
        return self.services.database

    def talk(self, n: int) -> Conversation:
        return Conversation(self.assistant.bot, user_id=teams_id(n), name=f"Sam Senco {n}",
                            aad_object_id=f"aad-{n}", channel_id="msteams")

    def staff(self) -> Conversation:
        return Conversation(self.assistant.bot, user_id="29:staff", name="Clara Green", aad_object_id=STAFF_AAD,
                            channel_id="msteams")


def teams_id(n: int) -> str:
    return f"29:user-{n}"


def email_of(n: int) -> str:
    return f"senco{n}@school{n}.kent.sch.uk"


def person(n: int) -> Person:
    return Person(user_id=teams_id(n), name=f"Sam Senco {n}", school=f"School {n}", email=email_of(n))


@pytest.fixture
async def world(privacy_settings, clock, any_db) -> World:
    services = build_core(privacy_settings, clock=clock, database=any_db)
    return World(services, build_assistant(services), clock)


@pytest.fixture
async def sqlite_world(privacy_settings, clock, sqlite_db) -> World:
    """For behaviour that does not depend on the database (roles, logging)."""
    services = build_core(privacy_settings, clock=clock, database=sqlite_db)
    return World(services, build_assistant(services), clock)


async def seed_teams_person(world: World, n: int) -> None:
    """Records of every kind a Teams user can leave, made through the features' own services."""
    db, uid = world.database, teams_id(n)
    now = world.clock.now()
    await ConversationReferences(db).save(
        user_id=uid, channel_id="msteams", conversation_id=f"a:conv-{n}", service_url="https://smba.example/",
        tenant_id="tenant-1", user_name=f"Sam Senco {n}", aad_object_id=f"aad-{n}",
        reference={"conversation": {"id": f"a:conv-{n}", "conversationType": "personal"},
                   "user": {"id": uid}, "channelId": "msteams"},
        now=now,
    )
    documents = StateDocuments(db)
    await documents.write(f"msteams/users/{uid}", f'{{"BookingProfile": {{"school": "School {n}"}}}}', None, now)
    await documents.write(f"msteams/conversations/a:conv-{n}", '{"DialogState": {"dialog_stack": []}}', None, now)
    await world.assistant.features.inbox.service.log.record(
        channel="teams", asker_id=uid, asker_name=f"Sam Senco {n}",
        text=f"Can my pupil Tyler Brooks{n} get extra time? Call me on 07700 900{n:03d}.",
        result=AnswerResult(question="q", outcome="decline", confidence=0.1),
    )
    assert (await world.bookings.book(SOUTH, person(n))).outcome == "confirmed"
    assert (await world.bookings.book(WEBINAR, person(n))).outcome in ("confirmed", "waitlisted")
    await world.reminders.subscriptions.subscribe(uid, ["forum", "tribunal"])
    await world.reminders.subscriptions.first_time_asking(uid)
    await world.reminders.tribunal.add(uid, f"Year {n} appeal", final_ehcp_issued=date(2025, 3, 1),
                                       hearing_on=date(2025, 7, 10))
    await EvaluationParticipants(db).ensure(forum_id="term4-2025", respondent=uid, channel="teams", source="self",
                                            now=now)
    await EvaluationResponses(db).save(
        forum_id="term4-2025", respondent=uid, channel="teams", phase="primary", overall=4, ratings={"a": 5},
        most_useful=f"The tribunal talk (person {n})", could_be_better=None, topics=["npq"], topics_other=None,
        now=now,
    )


async def seed_email_person(world: World, n: int) -> None:
    """An email asker: a logged question, a reply waiting in the outbox, an auto-reply window."""
    address = email_of(n)
    await world.assistant.features.inbox.service.log.record(
        channel="email", asker_id=address, asker_name=f"Sam Senco {n}", text=f"Emailed question {n}",
        result=AnswerResult(question="q", outcome="decline", confidence=0.1), message_id=f"<m{n}@school>",
        subject=f"Question from school {n}",
    )
    reply = EmailMessage()
    reply["From"] = "inclusion@kent.gov.uk"
    reply["To"] = address
    reply["Subject"] = f"Re: Question from school {n}"
    reply["Message-ID"] = f"<reply{n}@kent.gov.uk>"
    reply.set_content("Thank you")
    await MailRepository(world.database).decide(
        message_key=f"key-{n}", sender_hash=sender_hash(address),
        reply=PlannedReply(f"<reply{n}@kent.gov.uk>", bytes(reply), True, "answer"), no_reply_reason=None,
        window=ReplyWindow(timedelta(hours=24), 5), now=world.clock.now(),
    )


async def table_counts(database) -> dict[str, int]:
    import integrations.db.tables  # noqa: F401
    from sqlalchemy import func, select

    from integrations.db.metadata import metadata

    async with database.engine.connect() as conn:
        return {table.name: await conn.scalar(select(func.count()).select_from(table))
                for table in metadata.sorted_tables}


async def rows(database, table, *where) -> list[dict]:
    from sqlalchemy import select

    async with database.engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(select(table).where(*where))]
