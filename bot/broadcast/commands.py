"""``sencobot broadcast``: queue an announcement to every subscriber of a category from the server."""
from __future__ import annotations

import asyncio
import datetime as dt
import sys

from bot.cli import settings_from


def register(sub) -> None:
    broadcast = sub.add_parser("broadcast", help="send an announcement to every subscriber of a category")
    broadcast.add_argument("--category", required=True, help="funding, tribunal, training, events or forum")
    broadcast.add_argument("--text", required=True, help="the announcement")
    broadcast.add_argument("--key", default=None, help="idempotency key: the same key is never sent twice")
    broadcast.add_argument("--at", default=None, help="London time to send, \"YYYY-MM-DD HH:MM\" (default: now)")
    broadcast.add_argument("--by", default="cli", help="who is sending it (kept with the broadcast)")
    broadcast.set_defaults(func=cmd_broadcast)


def cmd_broadcast(args) -> int:
    from bot.broadcast.service import build_broadcasts
    from bot.clock import LONDON
    from bot.reminders.commands import with_reminders

    settings = settings_from(args)
    at = None
    if args.at:
        try:
            at = dt.datetime.strptime(args.at.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=LONDON)
        except ValueError:
            print("sencobot broadcast: --at must look like \"2025-05-06 10:00\" (London time)", file=sys.stderr)
            return 2

    async def work(reminders):
        return await build_broadcasts(reminders).broadcast(category=args.category, text=args.text, created_by=args.by,
                                                    key=args.key, at=at)

    try:
        result = asyncio.run(with_reminders(settings, args.clock, work))
    except ValueError as exc:
        print(f"sencobot broadcast: {exc}", file=sys.stderr)
        return 2
    if not result.queued:
        print(f"{result.key} was queued before; nothing new was queued")
        return 0
    print(f"queued {result.key} for {result.subscribers} {args.category} subscribers; the running app sends it "
          "(or run: sencobot reminders run-once)")
    return 0
