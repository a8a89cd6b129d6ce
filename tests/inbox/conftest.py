"""Inbox fixtures: the service over a real migrated database, with a recording notifier and a fake answerer."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.inbox.service import InboxService
from bot.notify import RecordingNotifier
from bot.privacy.redaction import Redactor
from integrations.db.inbox import InboxRepository
from knowledge.models import AnswerResult, FaqEntry, Suggestion


class PublishedFaq:
    """Stands in for FaqService where only publishing matters."""

    def __init__(self):
        self.published: dict[str, FaqEntry] = {}
        self.calls = 0

    def publish(self, *entries: FaqEntry) -> None:
        self.calls += 1
        for entry in entries:
            self.published[entry.id] = entry


def declined(question: str = "") -> AnswerResult:
    return AnswerResult(question=question, outcome="decline", confidence=0.05)


def suggested(question: str = "") -> AnswerResult:
    return AnswerResult(question=question, outcome="suggest", confidence=0.4,
                        suggestions=(Suggestion("npq-what-is", "What is the NPQ for SENCOs?", 0.4),))


@dataclass
class Outbox:
    """A mail sender that keeps messages, or fails while `down` is set."""

    messages: list = field(default_factory=list)
    down: bool = False

    async def send(self, message) -> None:
        if self.down:
            raise ConnectionError("SMTP down")
        self.messages.append(message)


@dataclass
class SwitchedMail:
    """The inbox's mail sender: the outbox while the world has mail enabled, unavailable while not."""

    holder: dict

    async def send(self, message) -> None:
        world = self.holder["world"]
        if not world.mail_enabled:
            raise ConnectionError("mail is not configured")
        await world.outbox.send(message)


@dataclass
class InboxWorld:
    inbox: InboxService
    repo: InboxRepository
    faq: PublishedFaq
    notifier: RecordingNotifier
    outbox: Outbox
    mail_enabled: bool = True


def make_inbox(database, clock, *, faq=None, threshold: float = 80, world: InboxWorld | None = None) -> InboxWorld:
    repo = InboxRepository(database)
    faq = faq or PublishedFaq()
    notifier = RecordingNotifier()
    outbox = Outbox()
    holder: dict = {}
    inbox = InboxService.build(
        repo,
        redactor=Redactor.default(public_emails=["inclusion@kent.gov.uk"]),
        faq=faq,
        clock=clock,
        team_name="Inclusion team",
        team_mailbox="inclusion@kent.gov.uk",
        forum="term4-2025",
        default_topic="questions-from-schools",
        cluster_threshold=threshold,
        notifier=notifier,
        mail=SwitchedMail(holder),
    )
    holder["world"] = InboxWorld(inbox, repo, faq, notifier, outbox)
    return holder["world"]


@pytest.fixture
def world(sqlite_db, clock) -> InboxWorld:
    return make_inbox(sqlite_db, clock)
