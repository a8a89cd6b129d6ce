"""Plugs the email assistant into a running bot: the assistant (shared through services.extras["mail"]),
and the mailbox worker as a background task when mail is enabled and an IMAP host is configured.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Optional

from bot.background import while_serving
from bot.privacy.edge import redactor_for
from bot.services.mail_assistant import MailAssistant, MailAssistantConfig, MailWorker
from integrations.db.mail_repos import MailRepository, ReplyWindow

log = logging.getLogger(__name__)


def build_mail_assistant(services) -> MailAssistant:
    existing = services.extras.get("mail_assistant")
    if existing is not None:
        return existing
    settings = services.settings
    mail = settings.mail
    assistant = MailAssistant(
        MailRepository(services.database),
        faq=services.faq,
        recorder=services.recorder,
        clock=services.clock,
        sender=lambda: services.mail,
        config=MailAssistantConfig(
            team_address=settings.team_mailbox,
            team_name=settings.team_name,
            window=ReplyWindow(timedelta(hours=mail.auto_reply_window_hours), mail.auto_reply_max_per_window),
            own_addresses=tuple(a for a in (mail.imap_username, mail.smtp_username) if "@" in a),
            booking_link=mail.booking_link,
            bot_app_id=settings.bot.app_id,
        ),
        events=lambda: _events(services),
        redactor=redactor_for(settings),
    )
    services.extras["mail_assistant"] = assistant
    return assistant


def _events(services):
    bookings = services.extras.get("bookings")
    return bookings.events() if bookings is not None else ()


def imap_configured(settings) -> bool:
    return bool(settings.mail.enabled and settings.mail.imap_host)


def build_mail_worker(services, mailbox=None) -> Optional[MailWorker]:
    """The worker for the configured mailbox, or None when IMAP is not configured."""
    settings = services.settings
    if mailbox is None:
        if not imap_configured(settings):
            return None
        from integrations.mail.imap import ImapMailbox, imap_config_from
        from integrations.mail.oauth import token_source

        mailbox = ImapMailbox(imap_config_from(settings),
                              oauth_token=token_source(settings, settings.mail.oauth_imap_scope))
    return MailWorker(
        mailbox,
        build_mail_assistant(services),
        services.clock,
        batch_size=settings.mail.imap_batch_size,
        poll_seconds=settings.mail.imap_poll_seconds,
        sleep=services.clock.sleep,
    )


def install_mail(services) -> None:
    """Runs the mailbox worker with the web app when mail is enabled and IMAP is configured."""
    build_mail_assistant(services)
    worker = build_mail_worker(services)
    if worker is None:
        return
    services.extras["mail_worker"] = worker
    services.background.append(while_serving("mailbox worker", worker.run))


