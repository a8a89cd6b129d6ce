"""Plugs the email assistant into the assistant: questions mailed to the team mailbox are answered from
the same knowledge base, logged in the FAQ inbox, and may offer open events from the bookings catalogue.
The mailbox worker runs as a background job when mail is enabled and an IMAP host is configured.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from bot.background import while_serving
from bot.bookings.service import BookingService
from bot.inbox.install import Inbox
from bot.mail.service import MailAssistant, MailAssistantConfig, MailWorker
from bot.core import Core
from bot.registry import Registry
from integrations.db.mail import MailRepository, ReplyWindow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    assistant: MailAssistant
    worker: Optional[MailWorker]   # None when IMAP is not configured


def mail_assistant(core: Core, *, inbox: Inbox, bookings: Optional[BookingService]) -> MailAssistant:
    settings = core.settings
    mail = settings.mail
    return MailAssistant(
        MailRepository(core.database),
        faq=core.answerer,
        recorder=inbox.service.log,
        clock=core.clock,
        sender=core.mail,
        config=MailAssistantConfig(
            team_address=settings.team_mailbox,
            team_name=settings.team_name,
            window=ReplyWindow(timedelta(hours=mail.auto_reply_window_hours), mail.auto_reply_max_per_window,
                               mail.auto_reply_max_per_hour),
            own_addresses=tuple(a for a in (mail.imap_username, mail.smtp_username) if "@" in a),
            booking_link=mail.booking_link,
            bot_app_id=settings.bot.app_id,
            sender_key=settings.link_signing_key,
        ),
        events=bookings.events if bookings is not None else None,
        redactor=core.redactor,
    )


def imap_configured(settings) -> bool:
    return bool(settings.mail.enabled and settings.mail.imap_host)


def mail_worker(core: Core, assistant: MailAssistant, mailbox=None) -> Optional[MailWorker]:
    """The worker for ``mailbox`` (default: the configured one), or None when IMAP is not configured."""
    settings = core.settings
    if mailbox is None:
        if not imap_configured(settings):
            return None
        from integrations.mail.imap import ImapMailbox, imap_config_from
        from integrations.mail.oauth import token_source

        mailbox = ImapMailbox(imap_config_from(settings),
                              oauth_token=token_source(settings, settings.mail.oauth_imap_scope))
    return MailWorker(
        mailbox,
        assistant,
        core.clock,
        batch_size=settings.mail.imap_batch_size,
        poll_seconds=settings.mail.imap_poll_seconds,
        sleep=core.clock.sleep,
    )


def install(core: Core, registry: Registry, *, inbox: Inbox, bookings: BookingService) -> Mail:
    assistant = mail_assistant(core, inbox=inbox, bookings=bookings)
    worker = mail_worker(core, assistant)
    if worker is not None:
        registry.add_job(while_serving("mailbox worker", worker.run))
    return Mail(assistant=assistant, worker=worker)
