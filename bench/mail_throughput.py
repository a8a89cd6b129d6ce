"""End-to-end throughput of the email assistant over real servers on loopback.

    python bench/mail_throughput.py [--messages 1000] [--senders 300] [--database-url URL]

Queues N messages in a real IMAP mailbox (pymap, APPEND), then runs the mail worker until every
message is handled: answered or acknowledged by a reply that reaches a real SMTP server (aiosmtpd),
or only logged (auto-replies, list mail, a second unconfident question inside a sender's window).
Every message must appear exactly once in the FAQ collation inbox, and every queued reply must arrive
exactly once. The last line is machine-readable:

    mail_throughput messages=… replied=… logged=… duplicates=… lost=… per_s=…

duplicates: replies or inbox entries beyond one per message; lost: messages missing from the inbox,
plus replies that were queued but never arrived.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.clock import SystemClock  # noqa: E402
from bot.mail.install import mail_worker  # noqa: E402
from bot.settings import DEFAULT_CONFIG, load_settings  # noqa: E402
from bot.assistant import build_assistant  # noqa: E402
from bot.core import build_core  # noqa: E402
from integrations.db import Database  # noqa: E402
from integrations.db.mail import MailRepository  # noqa: E402
from integrations.db.migrate import upgrade  # noqa: E402
from integrations.mail.imap import ImapConfig, ImapMailbox  # noqa: E402
from integrations.mail.smtp import SmtpConfig, SmtpSender  # noqa: E402
from tests.fakes.imap import ImapServer  # noqa: E402
from tests.fakes.smtp import SmtpServer  # noqa: E402

TEAM = "inclusion@kent.gov.uk"
ANSWERABLE = (
    "When is the next SENCO forum?",
    "Where can I find the SEND policy template?",
    "How do I book the Communities of Schools induction meeting?",
    "When are the SEND QA webinars?",
    "What is the NPQ for SENCOs?",
    "How do I join the webinar?",
)
UNKNOWN = (
    "Can the county reimburse our minibus fuel for the trip to the zoo?",
    "Who do I ask about the new photocopier lease for the school office?",
    "Is there funding for a sensory garden at our primary school this year?",
)


def build_messages(count: int, senders: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    messages = []
    for index in range(count):
        message = EmailMessage()
        sender = f"senco{rng.randrange(senders):04d}@school{index % 37:02d}.kent.sch.uk"
        message["From"] = f"SENCO {index} <{sender}>"
        message["To"] = TEAM
        message["Message-ID"] = f"<bench-{index:05d}@school.kent.sch.uk>"
        message["Date"] = "Thu, 26 Nov 2026 09:30:00 +0000"
        roll = rng.random()
        if roll < 0.05:
            message["Subject"] = "Automatic reply: forum"
            message["Auto-Submitted"] = "auto-replied"
            body = "I am out of the office until Monday."
        elif roll < 0.10:
            message["Subject"] = "SEND news"
            message["List-Id"] = "SEND news <send-news.lists.example.org>"
            body = "This month's newsletter."
        elif roll < 0.75:
            message["Subject"] = "Forum question"
            body = f"Hello,\n\n{rng.choice(ANSWERABLE)}\n\nKind regards,\nSENCO {index}"
        else:
            message["Subject"] = "A question"
            body = f"Hi,\n\n{rng.choice(UNKNOWN)}\n\nThanks\n"
        message.set_content(body)
        messages.append(bytes(message))
    return messages


async def run(count: int, senders: int, database_url: str | None) -> int:
    imap = ImapServer().start()
    smtp = SmtpServer().start()
    tmp = tempfile.TemporaryDirectory()
    url = database_url or f"sqlite+aiosqlite:///{tmp.name}/bench.db"
    try:
        database = Database(url)
        await upgrade(database)
        settings = load_settings(DEFAULT_CONFIG, environ={}, overrides={
            "database.url": url, "team_mailbox": TEAM, "mail.enabled": True,
            "mail.smtp_host": "127.0.0.1", "mail.smtp_port": smtp.port, "mail.smtp_starttls": False,
            "mail.imap_host": imap.host, "mail.imap_port": imap.port, "mail.imap_tls": False,
            "mail.imap_username": imap.user, "mail.imap_batch_size": 100, "inbox.digest_enabled": False,
            # A throughput test, not a flood: the hourly ceiling on auto-replies would stop it at 500.
            "mail.auto_reply_max_per_hour": 0,
        })
        core = build_core(settings, clock=SystemClock(), database=database,
                          mail=SmtpSender(SmtpConfig(host="127.0.0.1", port=smtp.port, attempts=5, backoff_seconds=0.05)))
        services = build_assistant(core)
        mailbox = ImapMailbox(ImapConfig(host=imap.host, port=imap.port, tls=False, username=imap.user,
                                         password=imap.password, folder="INBOX", timeout=30))
        worker = mail_worker(core, services.features.mail.assistant, mailbox)

        messages = build_messages(count, senders)
        started = time.perf_counter()
        await imap.deliver("INBOX", *messages)
        queued = time.perf_counter() - started
        print(f"queued {count} messages in the IMAP mailbox in {queued:.1f} s", flush=True)

        started = time.perf_counter()
        while True:
            report = await worker.poll_once()
            if report.fetched == 0:
                break
        counts = await MailRepository(database).counts()
        # Wait for anything still in flight at the SMTP server (there should be none).
        deadline = time.perf_counter() + 10
        while len(smtp.messages) < counts["queued"] and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
        await worker.close()

        queries = await services.features.inbox.service.export.list_queries(include_all=True)
        logged_ids = Counter(q.message_id for q in queries)
        reply_targets = Counter(m["In-Reply-To"] for m in smtp.messages)
        expected_ids = {f"<bench-{i:05d}@school.kent.sch.uk>" for i in range(count)}
        duplicates = sum(n - 1 for n in logged_ids.values() if n > 1) + sum(n - 1 for n in reply_targets.values() if n > 1)
        lost = len(expected_ids - set(logged_ids)) + max(0, counts["queued"] - len(reply_targets))
        replied = len(reply_targets)
        per_s = count / elapsed if elapsed else 0.0
        print(f"handled {counts['processed']} messages in {elapsed:.1f} s: {replied} replies sent, "
              f"{len(queries)} inbox entries, {counts['queued'] - counts['sent']} replies unsent", flush=True)
        print(f"mail_throughput messages={count} replied={replied} logged={len(set(logged_ids) & expected_ids)} "
              f"duplicates={duplicates} lost={lost} per_s={per_s:.1f}")
        await database.dispose()
        return 0 if duplicates == 0 and lost == 0 else 1
    finally:
        smtp.stop()
        imap.stop()
        tmp.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=300, help="distinct sender addresses")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    return asyncio.run(run(args.messages, args.senders, args.database_url))


if __name__ == "__main__":
    sys.exit(main())
