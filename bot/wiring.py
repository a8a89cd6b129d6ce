"""Everything a running assistant is made of, built from Settings in one place.

The web app, the console and the tests all call ``build_assistant`` so they drive
the same handler with the same services.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Optional

from botbuilder.core import ConversationState, UserState
from botbuilder.dialogs import DialogSet

from bot.clock import Clock
from bot.handler import SencoBot
from bot.router import Router
from bot.services.faq import FaqService
from bot.settings import Settings
from bot.staff import staff_team_from
from bot.storage import SqlStorage
from integrations.db import Database
from integrations.db.core_repos import ConversationReferences, ProcessedActivities, StateDocuments
from knowledge.engine import Thresholds

log = logging.getLogger(__name__)

# aiohttp cleanup_ctx style: code before the yield runs at start-up, after it at shutdown.
BackgroundTask = Callable[[Any], AsyncIterator[None]]


@dataclass
class Services:
    settings: Settings
    clock: Clock
    database: Database
    references: ConversationReferences
    processed: ProcessedActivities
    faq: FaqService
    recorder: Any = None
    # Proactive Teams messages (bot.services.notify.Notifier); the reminder scheduler provides the real one.
    notifier: Any = None
    # The one outgoing Bot Connector sender (bot.replies.Outgoing): turn replies and queued messages.
    outgoing: Any = None
    # Outgoing mail (integrations.mail.smtp.MailSender), None when mail is disabled.
    mail: Any = None
    background: list[BackgroundTask] = field(default_factory=list)
    # (method, path, handler) routes features add to the web app (calendar files, forms).
    web_routes: list[tuple[str, str, Callable]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    # The incoming per-user limit (bot.ratelimit.SharedLimiter), counted in the shared database.
    limiter: Any = None

    async def purge_processed_activities(self) -> None:
        await self.processed.purge_expired(self.clock.now())
        if self.limiter is not None:
            await self.limiter.purge()


@dataclass
class Assistant:
    services: Services
    bot: SencoBot
    storage: SqlStorage


def build_services(settings: Settings, *, clock: Clock, database: Optional[Database] = None) -> Services:
    database = database or Database(settings.database.url, echo=settings.database.echo)
    data_dir = Path(settings.knowledge.data_dir) if settings.knowledge.data_dir else None
    faq = FaqService.from_directory(
        data_dir,
        Thresholds(answer=settings.knowledge.answer_threshold, suggest=settings.knowledge.suggest_threshold),
        clock,
    )
    mail = None
    if settings.mail.enabled:
        from integrations.mail.smtp import SmtpSender, smtp_config_from

        mail = SmtpSender(smtp_config_from(settings))
    services = Services(
        mail=mail,
        settings=settings,
        clock=clock,
        database=database,
        references=ConversationReferences(database),
        processed=ProcessedActivities(database),
        faq=faq,
    )
    from bot.ratelimit import SharedLimiter
    from integrations.db.rate_limits import RateLimits

    services.limiter = SharedLimiter(settings.bot.rate_limit_per_minute, clock, RateLimits(database))
    services.recorder = _build_inbox(services)
    # The real Notifier (a queue the reminder scheduler delivers), the scheduler itself, subscriptions.
    from bot.services.reminders import install_delivery

    install_delivery(services)
    return services


def _build_inbox(services: Services):
    """The FAQ collation inbox logs every query (services.recorder; also extras["inbox"] for email)."""
    from bot.services.inbox import InboxService
    from bot.services.redaction import Redactor
    from integrations.db.inbox_repos import InboxRepository

    settings = services.settings
    inbox = InboxService(
        InboxRepository(services.database),
        redactor=Redactor.default(public_emails=[settings.team_mailbox]),
        faq=services.faq,
        clock=services.clock,
        team_name=settings.team_name,
        team_mailbox=settings.team_mailbox,
        forum=settings.inbox.forum,
        default_topic=settings.inbox.default_topic,
        cluster_threshold=settings.inbox.cluster_threshold,
        notifier=lambda: services.notifier,
        mail=lambda: services.mail,
    )
    services.extras["inbox"] = inbox
    return inbox


def build_assistant(services: Services) -> Assistant:
    from bot.features import install_features

    settings = services.settings
    storage = SqlStorage(StateDocuments(services.database), services.clock)
    conversation_state = ConversationState(storage)
    user_state = UserState(storage)
    dialog_state = conversation_state.create_property("DialogState")
    dialogs = DialogSet(dialog_state)
    router = Router()
    installed = install_features(services, router, dialogs, user_state)
    bot = SencoBot(
        clock=services.clock,
        conversation_state=conversation_state,
        user_state=user_state,
        router=router,
        dialogs=dialogs,
        dialog_state=dialog_state,
        fallback=installed.fallback,
        references=services.references,
        processed=services.processed,
        staff_ids=settings.bot.staff_ids,
        dedupe_ttl=timedelta(seconds=settings.bot.dedupe_ttl_seconds),
        max_message_chars=settings.bot.max_message_chars,
        rate_limit_per_minute=settings.bot.rate_limit_per_minute,
        limiter=services.limiter,
        on_new_user=installed.on_new_user,
        staff_team=staff_team_from(settings, services.clock),
    )
    services.extras["forget_reference"] = bot.forget_reference
    return Assistant(services=services, bot=bot, storage=storage)
