"""Email assistant fixtures: a real IMAP server (pymap) and a real SMTP server (aiosmtpd) on loopback,
the real inbox over a migrated SQLite database, and a worker reading one fresh folder per test."""
from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Optional

import pytest

from dataclasses import replace

from bot.mail.install import mail_worker
from bot.mail.service import MailAssistant, MailWorker
from bot.assistant import Assistant, build_assistant
from bot.core import build_core
from integrations.mail.imap import ImapConfig, ImapMailbox
from integrations.mail.smtp import SmtpConfig, SmtpSender
from tests.fakes import running
from tests.fakes.imap import ImapServer
from tests.fakes.smtp import SmtpServer

TEAM = "inclusion@kent.gov.uk"


@pytest.fixture(scope="session")
def imap_server():
    yield from running(ImapServer())


@dataclass
class MailWorld:
    services: Assistant
    assistant: MailAssistant
    worker: MailWorker
    imap: ImapServer
    folder: str
    smtp: SmtpServer

    def mailbox(self, **changes) -> ImapMailbox:
        return make_mailbox(self.imap, self.folder, **changes)

    def new_worker(self) -> MailWorker:
        """A second worker, as after a restart: a new process with its own lease id."""
        return mail_worker(self.services.core, self.assistant, self.mailbox())

    async def deliver(self, *messages: bytes) -> None:
        await self.imap.deliver(self.folder, *messages)

    async def queries(self):
        return await self.services.features.inbox.service.export.list_queries(include_all=True)


def make_mailbox(imap: ImapServer, folder: str, **changes) -> ImapMailbox:
    config = dict(host=imap.host, port=imap.port, tls=False, username=imap.user, password=imap.password,
                  folder=folder, timeout=5, idle=True, mark_seen=True)
    config.update(changes)
    return ImapMailbox(ImapConfig(**config))


def mail_settings(settings, imap: ImapServer, smtp: SmtpServer):
    return settings.replace(**{
        "team_mailbox": TEAM,
        "mail.enabled": True,
        "mail.smtp_host": "127.0.0.1",
        "mail.smtp_port": smtp.port,
        "mail.smtp_starttls": False,
        "mail.imap_host": imap.host,
        "mail.imap_port": imap.port,
        "mail.imap_tls": False,
        "mail.imap_username": imap.user,
        "mail.imap_poll_seconds": 30,
        "mail.imap_batch_size": 20,
        "inbox.digest_enabled": False,
        "bot.app_id": "00000000-0000-0000-0000-00000000b07",
        "link_signing_key": "test-signing-key",
    })


@pytest.fixture(scope="session")
def shared_answerer():
    """The knowledge index is built once: answering is pure given the clock, and these tests publish nothing."""
    from bot.settings import DEFAULT_CONFIG, load_settings
    from knowledge.engine import Answerer, Thresholds
    from knowledge.loader import load_knowledge

    knowledge = load_settings(DEFAULT_CONFIG, environ={}).knowledge
    return Answerer(load_knowledge(None), Thresholds(answer=knowledge.answer_threshold,
                                                     suggest=knowledge.suggest_threshold))


@pytest.fixture
def quick_faq(monkeypatch, shared_answerer):
    from bot.faq.service import FaqService

    monkeypatch.setattr(FaqService, "from_directory",
                        classmethod(lambda cls, data_dir, thresholds, clock: cls(shared_answerer, clock, None)))


@pytest.fixture
async def world(settings, clock, sqlite_db, imap_server, smtp, quick_faq) -> MailWorld:
    folder = await imap_server.new_folder()
    services = build_core(mail_settings(settings, imap_server, smtp), clock=clock, database=sqlite_db)
    # One quick retry: the tests control when SMTP is down, not how long the backoff sleeps.
    services = replace(services, mail=SmtpSender(SmtpConfig(host="127.0.0.1", port=smtp.port, attempts=2,
                                                            backoff_seconds=0.01, timeout=5)))
    # Every feature installed, as in the running bot (bookings offer event links).
    whole = build_assistant(services)
    assistant = whole.features.mail.assistant
    worker = mail_worker(services, assistant, make_mailbox(imap_server, folder))
    return MailWorld(whole, assistant, worker, imap_server, folder, smtp)


def email_bytes(
    body: Optional[str] = "When is the next SENCO forum?",
    *,
    sender: str = "Sam Senco <sam.senco@school.kent.sch.uk>",
    subject: str = "Forum question",
    html: Optional[str] = None,
    charset: str = "utf-8",
    headers: Optional[dict] = None,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    message_id: Optional[str] = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = TEAM
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="school.kent.sch.uk")
    message["Date"] = "Thu, 26 Nov 2026 09:30:00 +0000"
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body, charset=charset, cte="8bit" if charset != "utf-8" else None)
    if html is not None:
        if body is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for filename, mime, data in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()
