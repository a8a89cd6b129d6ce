"""Fixtures for booking tests: a private copy of events.yaml, spring 2025 clocks, built services."""
from __future__ import annotations

import dataclasses
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.assistant import build_assistant
from bot.clock import FixedClock
from bot.console import Conversation
from bot.core import build_core
from bot.bookings.service import BookingService, EventCatalogue, Person
from bot.notify import RecordingNotifier
from bot.signed_links import LinkSigner
from integrations.db.bookings import BookingRepository
from knowledge.events import DEFAULT_EVENTS_FILE, event_to_raw, load_events, render_entry, replace_entry_text

# Bookings for the deck's events opened at the forum (19 March 2025); 1 April is mid-way.
SPRING = datetime(2025, 4, 1, 9, 0, tzinfo=timezone.utc)
WEST = "induction-west-2025-05-02"
WEBINAR_MAY = "webinar-2025-05-06"
WEBINAR_APRIL = "webinar-2025-04-30"


@pytest.fixture
def spring_clock() -> FixedClock:
    return FixedClock(SPRING)


def edit_event(path: Path, event_id: str, **changes) -> None:
    """Changes one event in the events file, as staff would (and bumps the mtime so it is noticed)."""
    event = load_events(path).get(event_id)
    updated = dataclasses.replace(event, **changes)
    text = replace_entry_text(path.read_text(encoding="utf-8"), event_id, render_entry(event_to_raw(updated)))
    stat = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def person(n: int, **changes) -> Person:
    values = dict(user_id=f"29:user-{n}", name=f"Sam Senco {n}", school=f"School {n}",
                  email=f"senco{n}@school{n}.kent.sch.uk")
    values.update(changes)
    return Person(**values)


def make_service(database, clock, events_path, *, notifier=None, mailer=None) -> BookingService:
    return BookingService(
        BookingRepository(database),
        EventCatalogue(events_path, default_capacity=60),
        clock,
        notifier=notifier if notifier is not None else RecordingNotifier(),
        signer=LinkSigner("test-signing-key"),
        public_base_url="https://bot.example.org/",
        organizer_email="inclusion@kent.gov.uk",
        organizer_name="Inclusion team",
        mailer=mailer,
    )


@pytest.fixture
def booking_settings(settings, events_path, tmp_path):
    # An empty FAQ: building the real answerer's index for every transcript would only slow these tests.
    knowledge = tmp_path / "knowledge"
    (knowledge / "faq").mkdir(parents=True)
    for name in ("deadlines.yaml", "forums.yaml"):
        shutil.copy(DEFAULT_EVENTS_FILE.parent / name, knowledge / name)
    return settings.replace(**{
        "knowledge.data_dir": str(knowledge),
        "bookings.events_file": str(events_path),
        "bot.staff_ids": ["aad-staff"],
        "link_signing_key": "test-signing-key",
    })


class QueueNotifier(RecordingNotifier):
    """Like the reminder scheduler's notifier: queued notices can be withdrawn by source."""

    def __init__(self):
        super().__init__()
        self.withdrawn: set[str] = set()

    async def cancel(self, *, source=None, keys=(), keep_keys=()) -> int:
        keep = set(keep_keys)
        hit = [n.idempotency_key for n in self.notices
               if (n.meta.get("source") == source or n.idempotency_key in set(keys))
               and n.idempotency_key not in keep and n.idempotency_key not in self.withdrawn]
        self.withdrawn.update(hit)
        return len(hit)

    def pending(self, kind: str):
        return [n for n in self.notices if n.kind == kind and n.idempotency_key not in self.withdrawn]


@pytest.fixture
def services(booking_settings, spring_clock, sqlite_db):
    services = build_core(booking_settings, clock=spring_clock, database=sqlite_db)
    # Records what would be queued for Teams, so the transcript can check who is told what.
    services = dataclasses.replace(services, notifier=QueueNotifier())
    return services


@pytest.fixture
def assistant(services):
    return build_assistant(services)


def senco(assistant, n: int = 1, name: str = "Sam Senco", channel: str = "msteams") -> Conversation:
    return Conversation(assistant.bot, user_id=f"29:u{n}", name=name, aad_object_id=f"aad-{n}", channel_id=channel)


async def book_west(user: Conversation, school: str = "Oakwood Primary School", email: str = "sam@oakwood.kent.sch.uk",
                    *, confirm: bool = False):
    """Asks for the West induction meeting and answers the school and email questions if they come; with
    ``confirm``, also presses Confirm booking. Returns the last replies."""
    replies = await user.says("book the induction meeting in Maidstone")
    if "Which school" in replies[-1].text:
        replies = await user.says(school)
    if "Which email" in replies[-1].text:
        replies = await user.says(email)
    if confirm:
        replies = await user.button("Confirm booking")
    return replies


async def west_is_full(assistant, events_path: Path) -> tuple[Conversation, Conversation]:
    """Cuts the West induction meeting to one place and books it for the first SENCO; returns the first and a
    second SENCO, Alex, who has not asked for it yet."""
    edit_event(events_path, WEST, capacity=1)
    first, second = senco(assistant, 1), senco(assistant, 2, name="Alex Senco")
    await book_west(first, confirm=True)
    return first, second


def notices(services, kind):
    return [n for n in services.notifier.notices if n.kind == kind]
