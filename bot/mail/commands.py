"""Email assistant commands: ``sencobot mail poll-once``, ``status`` and ``quarantine``."""
from __future__ import annotations

import asyncio
import sys

from bot.cli import settings_from
from bot.commands import action, group


def register(sub) -> None:
    mail_sub = group(sub, "mail", "the email assistant (the team mailbox)")
    action(mail_sub, "poll-once", cmd_poll_once, "read new mail once: answer, log to the inbox, send the outbox")
    action(mail_sub, "status", cmd_status, "how many messages were handled and replies are waiting")
    quarantine = action(mail_sub, "quarantine", cmd_quarantine, "mail set aside after failing every try, with the reason")
    quarantine.add_argument("--save", metavar="FOLDER", help="also write each message to FOLDER as an .eml file")


def cmd_poll_once(args) -> int:
    settings = settings_from(args)
    return asyncio.run(_poll_once(settings, args.clock))


async def _poll_once(settings, clock) -> int:
    from bot.commands.host import _upgrade
    from bot.assistant import build_assistant
    from bot.core import build_core
    from bot.mail.install import imap_configured

    if not imap_configured(settings):
        print("sencobot mail: the email assistant is off: set mail.enabled and mail.imap_host", file=sys.stderr)
        return 2
    await _upgrade(settings)
    core = build_core(settings, clock=clock)
    try:
        # Every feature installed, so replies can offer event bookings.
        worker = build_assistant(core).features.mail.worker
        try:
            report = await worker.poll_once()
        finally:
            await worker.close()
    finally:
        await core.database.dispose()
    if report.held_elsewhere:
        print("another worker (the running bot) is reading the mailbox; nothing done")
        return 1
    decisions = ", ".join(f"{k} {v}" for k, v in sorted(report.decisions.items())) or "none"
    print(f"read {report.fetched} message(s), {report.new} new ({decisions}); "
          f"{report.sent} repl{'y' if report.sent == 1 else 'ies'} sent, {report.send_failed} failed"
          + (f"; {report.quarantined} set aside (see: sencobot mail quarantine)" if report.quarantined else ""))
    return 0


async def _read_mail_records(settings, what: str):
    """One read of the mail records (``counts`` or ``quarantined``) on an up-to-date schema."""
    from bot.commands.host import _upgrade
    from integrations.db import Database
    from integrations.db.mail import MailRepository

    await _upgrade(settings)
    database = Database(settings.database.url)
    try:
        return await getattr(MailRepository(database), what)()
    finally:
        await database.dispose()


def cmd_status(args) -> int:
    settings = settings_from(args)

    async def run():
        counts = await _read_mail_records(settings, "counts")
        print(f"messages handled: {counts['processed']} (logged to the inbox: {counts['logged']}); "
              f"replies sent: {counts['sent']}, waiting: {counts['queued'] - counts['sent']}")
        return 0

    return asyncio.run(run())


def cmd_quarantine(args) -> int:
    settings = settings_from(args)

    async def run():
        from pathlib import Path

        from bot.clock import british_datetime

        kept = await _read_mail_records(settings, "quarantined")
        if not kept:
            print("no mail has been set aside")
            return 0
        for item in kept:
            name = item.raw_hash.split(":")[-1][:16]
            print(f"{name}  set aside {british_datetime(item.quarantined_at)} after {item.tries} tries: {item.reason}")
            if args.save:
                folder = Path(args.save)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{name}.eml").write_bytes(item.raw)
        if args.save:
            print(f"saved {len(kept)} message(s) to {args.save}: open them in a mail program to read and answer")
        return 0

    return asyncio.run(run())
