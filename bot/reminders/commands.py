"""Reminder commands: ``deadlines add|list``, ``reminders run-once|status``."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path

from bot.cli import settings_from
from bot.commands import action, group


def register(sub) -> None:
    deadlines_sub = group(sub, "deadlines", "the deadline catalogue (knowledge/data/deadlines.yaml)")

    add = deadlines_sub.add_parser("add", help="append a validated deadline to the catalogue")
    add.add_argument("--id", required=True, help="stable kebab-case id, e.g. npq-senco-applications-close")
    add.add_argument("--category", required=True, help="funding, tribunal, training, events or forum")
    add.add_argument("--title", required=True, help="short headline")
    add.add_argument("--on", required=True, help="the date: 2025-04-06, 6 April 2025 or 06/04/2025")
    add.add_argument("--until", default=None, help="last day of an item spanning several days")
    add.add_argument("--month", action="store_true", help="the source gives only a month (\"May 2025\")")
    add.add_argument("--event", default=None, help="id of the matching event in events.yaml")
    add.add_argument("--detail", required=True, help="one or two sentences in the source's words")
    add.add_argument("--session", required=True, help="the agenda item that gave the date")
    add.add_argument("--presenter", default=None, help="who presented it")
    add.add_argument("--data-dir", default=None, help="knowledge folder (default: knowledge.data_dir setting); "
                                                      "ignored once the shared content store is seeded")
    from bot.content.commands import add_change_options

    add_change_options(add, "deadlines add")
    add.set_defaults(func=cmd_deadlines_add)

    listing = deadlines_sub.add_parser("list", help="show the catalogue, marking passed deadlines")
    listing.add_argument("--data-dir", default=None)
    listing.set_defaults(func=cmd_deadlines_list)

    reminders_sub = group(sub, "reminders", "the reminder scheduler")
    action(reminders_sub, "run-once", cmd_run_once, "sync the catalogue and deliver everything due now, then exit")
    action(reminders_sub, "status", cmd_status, "counts of announcements and messages by status")


def _today(args) -> dt.date:
    from knowledge.london import london_today

    return london_today(args.clock.now())


def _date(args, text: str) -> dt.date:
    from bot.reminders.tribunal import parse_british_date

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return parse_british_date(text, today=_today(args), prefer="future")


def _data_dir(args, settings):
    if getattr(args, "data_dir", None):
        return Path(args.data_dir)
    return Path(settings.knowledge.data_dir) if settings.knowledge.data_dir else None


def cmd_deadlines_add(args) -> int:
    from bot.reminders.tribunal import DateProblem
    from knowledge.deadlines import DeadlineError, append_deadline, parse_deadline

    settings = settings_from(args)
    try:
        on = _date(args, args.on)
        until = _date(args, args.until) if args.until else None
        if args.month:
            on = on.replace(day=1)
    except DateProblem as problem:
        print(f"sencobot deadlines add: {problem}", file=sys.stderr)
        return 2
    item = {
        "id": args.id,
        "category": args.category,
        "title": args.title,
        "on": on,
        "detail": args.detail,
        "source": {"session": args.session, "presenter": args.presenter},
    }
    if args.month:
        item["precision"] = "month"
    if until:
        item["until"] = until
    if args.event:
        item["event"] = args.event
    data_dir = _data_dir(args, settings)
    from bot.content.commands import save_to_store, store_is_seeded, who, why

    if store_is_seeded(settings, args.clock):
        try:
            deadline = parse_deadline(item, where=args.id)
        except DeadlineError as exc:
            print(f"sencobot deadlines add: {exc}", file=sys.stderr)
            return 2
        code = save_to_store(settings, args.clock, "deadline", item, action="add", by=who(args),
                             why_text=why(args, "deadlines add"))
        if code == 0:
            print(f"added {deadline.id} ({deadline.category}, {deadline.when()})")
        return 2 if code else 0
    try:
        deadline = parse_deadline(item, where=args.id)
        path = append_deadline(deadline, data_dir)
    except DeadlineError as exc:
        print(f"sencobot deadlines add: {exc}", file=sys.stderr)
        return 2
    print(f"added {deadline.id} ({deadline.category}, {deadline.when()}) to {path}")
    print("the running app picks it up within a few seconds; reminders follow app.yaml reminders.deadline_lead_days")
    return 0


def cmd_deadlines_list(args) -> int:
    from knowledge.deadlines import DeadlineError, load_deadlines

    settings = settings_from(args)
    import asyncio

    from bot.content.commands import store_session

    async def from_store():
        async with store_session(settings, args.clock) as (_store, catalogues, seeded):
            return catalogues.deadline_catalogue() if seeded else None

    try:
        catalogue = asyncio.run(from_store()) or load_deadlines(_data_dir(args, settings))
    except DeadlineError as exc:
        print(f"sencobot deadlines list: {exc}", file=sys.stderr)
        return 2
    today = _today(args)
    for deadline in sorted(catalogue.deadlines, key=lambda d: d.on):
        state = "passed" if deadline.has_passed(today) else "upcoming"
        print(f"{deadline.on.isoformat()}  {deadline.category:<8}  {state:<8}  {deadline.id}: {deadline.title} "
              f"({deadline.when()})")
    return 0


async def with_reminders(settings, clock, work):
    from bot.reminders.assembly import build_reminders
    from integrations.db import Database
    from integrations.db.migrate import upgrade

    database = Database(settings.database.url)
    try:
        await upgrade(database)
        reminders = build_reminders(settings, database, clock)
        return await work(reminders)
    finally:
        await database.dispose()


def cmd_run_once(args) -> int:
    settings = settings_from(args)

    async def work(reminders):
        import aiohttp

        from bot.reminders.assembly import build_sender

        async with aiohttp.ClientSession() as session:
            synced = await reminders.deadlines.sync()
            worker = reminders.worker(build_sender(session, settings, reminders.clock, reminders.database))
            stats = await worker.run_once()
            return {"catalogue_added": synced.added, "catalogue_cancelled": synced.cancelled, **stats.as_dict()}

    print(json.dumps(asyncio.run(with_reminders(settings, args.clock, work))))
    return 0


def cmd_status(args) -> int:
    settings = settings_from(args)

    async def work(reminders):
        return {
            "announcements": await reminders.announcements.counts(),
            "messages": await reminders.outbox.counts(),
        }

    print(json.dumps(asyncio.run(with_reminders(settings, args.clock, work)), indent=2))
    return 0
