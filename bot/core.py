"""The Core: what every feature may use, typed and built once from Settings.

The web app, the console, the CLI and the tests all call ``build_core`` (tests with fakes for the notifier
or the mailer), then ``bot.assistant.build_assistant`` installs the features on it. Nothing here knows a
feature's Teams side or wiring, so every install can take the Core without an import running back.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from bot.clock import Clock, pacing_seconds
from bot.faq.service import FaqService
from bot.notify import Notifier
from bot.privacy.edge import redactor_for
from bot.privacy.redaction import Redactor
from bot.ratelimit import SharedLimiter
from bot.reminders.assembly import build_sender
from bot.reminders.service import ScheduledNotifier
from bot.replies import Outgoing
from bot.settings import Settings
from bot.signed_links import LinkSigner
from integrations.db import Database
from integrations.db.host import ConversationReferences, ProcessedActivities
from integrations.db.rate_limits import RateLimits
from integrations.db.reminders import Outbox
from integrations.db.turns import TurnLedger
from integrations.mail.smtp import MailSender
from knowledge.engine import Thresholds


@dataclass(frozen=True)
class Core:
    """What every feature may use. Built once per process; tests build the same one with fakes."""

    settings: Settings
    clock: Clock
    database: Database
    answerer: FaqService
    # Proactive Teams messages: queued in the delivery outbox that the reminder scheduler sends.
    notifier: Notifier
    # Outgoing mail; None when mail is disabled.
    mail: Optional[MailSender]
    # One key for every link the bot hands out (calendar files, evaluation forms).
    signer: LinkSigner
    redactor: Redactor
    references: ConversationReferences
    processed: ProcessedActivities
    # The one outgoing Bot Connector sender (bot.replies.Outgoing): turn replies and queued messages.
    outgoing: Outgoing
    # The incoming per-user limit, counted in the database every replica shares.
    limiter: SharedLimiter
    # Where a turn ends: the activity marked done, its state and its replies, in one transaction.
    turns: TurnLedger

    @property
    def staff_ids(self) -> frozenset[str]:
        return frozenset(self.settings.bot.staff_ids)


def build_core(settings: Settings, *, clock: Clock, database: Optional[Database] = None,
               notifier: Optional[Notifier] = None, mail: Optional[MailSender] = None) -> Core:
    """``notifier`` and ``mail`` replace the configured ones (tests, benchmarks)."""
    database = database or Database(settings.database.url, echo=settings.database.echo)
    data_dir = Path(settings.knowledge.data_dir) if settings.knowledge.data_dir else None
    answerer = FaqService.from_directory(
        data_dir,
        Thresholds(answer=settings.knowledge.answer_threshold, suggest=settings.knowledge.suggest_threshold),
        clock,
    )
    if mail is None and settings.mail.enabled:
        from integrations.mail.smtp import SmtpSender, smtp_config_from

        mail = SmtpSender(smtp_config_from(settings))
    return Core(
        settings=settings,
        clock=clock,
        database=database,
        answerer=answerer,
        notifier=notifier if notifier is not None else ScheduledNotifier(Outbox(database), clock),
        mail=mail,
        signer=LinkSigner.for_settings(settings),
        redactor=redactor_for(settings),
        references=ConversationReferences(database),
        processed=ProcessedActivities(database),
        outgoing=Outgoing(lambda session: build_sender(session, settings, clock, database, now=pacing_seconds)),
        limiter=SharedLimiter(settings.bot.rate_limit_per_minute, clock, RateLimits(database)),
        turns=TurnLedger(database),
    )
