"""Sending mail over SMTP with aiosmtplib, retrying briefly when the server is down."""
from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Optional, Protocol

import aiosmtplib

log = logging.getLogger(__name__)


class MailSender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class MailUnavailable(Exception):
    """SMTP could not take the message after the retries; the caller keeps it to try later."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    starttls: bool = False
    tls: bool = False
    username: str = ""
    password: str = ""
    timeout: float = 30.0
    attempts: int = 3
    backoff_seconds: float = 0.5
    # OAuth2 (XOAUTH2) instead of a password: an async callable returning an access token.
    oauth_token: Optional[Any] = None


class SmtpSender:
    def __init__(self, config: SmtpConfig):
        self._config = config

    async def send(self, message: EmailMessage) -> None:
        config = self._config
        delay = config.backoff_seconds
        for attempt in range(1, config.attempts + 1):
            try:
                await aiosmtplib.send(
                    message,
                    hostname=config.host,
                    port=config.port,
                    start_tls=config.starttls,
                    use_tls=config.tls,
                    username=config.username or None,
                    password=None if config.oauth_token else (config.password or None),
                    oauth_token_generator=config.oauth_token,
                    timeout=config.timeout,
                )
                return
            except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
                # Permanent refusals (5xx for a recipient) are not worth retrying.
                if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
                    raise MailUnavailable(f"recipient refused: {type(exc).__name__}") from exc
                log.warning("SMTP attempt %d/%d failed: %s", attempt, config.attempts, type(exc).__name__)
                if attempt == config.attempts:
                    raise MailUnavailable(type(exc).__name__) from exc
                await asyncio.sleep(delay + random.uniform(0, delay / 2))
                delay *= 2


def smtp_config_from(settings) -> SmtpConfig:
    from integrations.mail.oauth import token_source

    mail = settings.mail
    return SmtpConfig(
        host=mail.smtp_host,
        port=mail.smtp_port,
        starttls=mail.smtp_starttls,
        tls=mail.smtp_tls,
        username=mail.smtp_username,
        password=mail.smtp_password,
        timeout=mail.smtp_timeout_seconds,
        oauth_token=token_source(settings, mail.oauth_smtp_scope),
    )
