"""Staff commands for bookable events and their bookings.

    sencobot events list
    sencobot events add --kind induction --title "…" --start 2026-05-05T13:00 --end 2026-05-05T16:00 --venue "…"
    sencobot events edit EVENT [--start …] [--capacity 80] …
    sencobot events cancel EVENT [--moved]
    sencobot bookings list EVENT [--all]
    sencobot bookings export EVENT --format csv [--out FILE] [--all]

``events`` writes knowledge/data/events.yaml (only the entry concerned is rewritten, so the
file's comments survive), refuses any change the catalogue would reject, and then applies it
to the bookings: a cancellation tells everyone booked, new times or places send calendar
updates, more places promote from the waiting list.
"""
from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import yaml

from bot.cli import settings_from
from bot.commands import group, write_out
from knowledge.events import (AREAS, KINDS, Event, EventSource, EventsError, event_to_raw, load_events,
                              parse_catalogue, render_entry, replace_entry_text)
from knowledge.london import format_local, parse_local, to_the_minute

EXPORT_COLUMNS = ("name", "school", "email", "status", "booked_at")


def register(sub) -> None:
    actions = group(sub, "events", "bookable events (knowledge/data/events.yaml)")

    listing = actions.add_parser("list", help="every event with its dates, status and capacity")
    listing.set_defaults(func=_reporting_catalogue_errors(cmd_events_list))

    add = actions.add_parser("add", help="add an event to the catalogue")
    add.add_argument("--id", default=None, help="kebab-case id (default: from kind, area and date)")
    add.add_argument("--kind", choices=KINDS, required=True)
    add.add_argument("--title", required=True)
    add.add_argument("--description", required=True)
    add.add_argument("--start", required=True, help="London time, YYYY-MM-DDTHH:MM")
    _event_options(add)
    add.set_defaults(func=_reporting_catalogue_errors(cmd_events_add))

    edit = actions.add_parser("edit", help="change an event (people booked are told about new times or places)")
    edit.add_argument("event", help="event id")
    edit.add_argument("--kind", choices=KINDS, default=None)
    edit.add_argument("--title", default=None)
    edit.add_argument("--description", default=None)
    edit.add_argument("--start", default=None, help="London time, YYYY-MM-DDTHH:MM")
    edit.add_argument("--reinstate", action="store_true", help="make a cancelled event bookable again")
    _event_options(edit)
    edit.set_defaults(func=_reporting_catalogue_errors(cmd_events_edit))

    cancel = actions.add_parser("cancel", help="cancel an event and tell everyone booked")
    cancel.add_argument("event", help="event id")
    cancel.add_argument("--moved", action="store_true", help="say it has moved (book the new date) rather than cancelled")
    cancel.add_argument("--no-sync", action="store_true", help="only edit the file; the running bot applies it")
    from bot.content.commands import add_change_options

    add_change_options(cancel, "events cancel")
    cancel.set_defaults(func=_reporting_catalogue_errors(cmd_events_cancel))

    b_actions = group(sub, "bookings", "who booked an event")
    b_list = b_actions.add_parser("list", help="bookings for an event, in joining order")
    b_list.add_argument("event", help="event id")
    b_list.add_argument("--all", action="store_true", help="include cancelled bookings")
    b_list.set_defaults(func=cmd_bookings_list)
    export = b_actions.add_parser("export", help="bookings for an event as CSV")
    export.add_argument("event", help="event id")
    export.add_argument("--format", choices=("csv",), default="csv")
    export.add_argument("--out", default="-", help="file to write (default: standard output)")
    export.add_argument("--all", action="store_true", help="include cancelled bookings")
    export.set_defaults(func=cmd_bookings_export)


def _reporting_catalogue_errors(command):
    """A broken events file is reported as its problems, not as a traceback."""
    def run(args) -> int:
        try:
            return command(args)
        except EventsError as exc:
            for problem in exc.problems:
                print(f"sencobot events: {problem}", file=sys.stderr)
            return 1

    return run


def _event_options(parser) -> None:
    parser.add_argument("--end", default=None, help="London time (default for a new event: start + 1 hour)")
    parser.add_argument("--venue", default=None, help="place, for in-person events")
    parser.add_argument("--join-url", default=None, help="Microsoft Teams link, for online events")
    parser.add_argument("--area", choices=AREAS, default=None, help="Community of Schools area")
    parser.add_argument("--capacity", type=int, default=None, help="places (default: bookings.default_capacity)")
    parser.add_argument("--opens", default=None, help="bookings open, London time (default: now)")
    parser.add_argument("--closes", default=None, help="bookings close (default: the day before, 17:00)")
    parser.add_argument("--session", default=None, help="forum session that announced it")
    parser.add_argument("--presenter", default=None)
    from bot.content.commands import add_change_options

    add_change_options(parser, "events change")
    if not any(a.dest == "no_sync" for a in parser._actions):
        parser.add_argument("--no-sync", action="store_true", help="only edit the file; the running bot applies it")


# -- events --------------------------------------------------------------------------------------


def _catalogue_path(settings) -> Path:
    from bot.bookings.install import events_file

    return events_file(settings)


def cmd_events_list(args) -> int:
    from bot.clock import british_datetime

    settings = settings_from(args)
    catalogue = _current_catalogue(args, settings, _catalogue_path(settings))
    for event in sorted(catalogue.events, key=lambda e: e.start):
        print(f"{event.id:<32} {british_datetime(event.start):<32} {event.status:<10} "
              f"{event.capacity:>4} places  {event.location}")
    return 0


def _current_catalogue(args, settings, path):
    """The store's events once it is seeded (then changes go there), else the file's."""
    from bot.content.commands import store_events

    from_store = store_events(settings, args.clock)
    if from_store is not None:
        args._to_store = True
        return from_store
    args._to_store = False
    return load_events(path, default_capacity=settings.bookings.default_capacity)


def _save(args, settings, path, event, action: str, default_why: str) -> bool:
    if getattr(args, "_to_store", False):
        from bot.content.commands import save_to_store, who, why

        return save_to_store(settings, args.clock, "event", event_to_raw(event), action=action, by=who(args),
                             why_text=why(args, default_why)) == 0
    return _write_entry(path, event, settings.bookings.default_capacity)


def cmd_events_add(args) -> int:
    settings = settings_from(args)
    path = _catalogue_path(settings)
    catalogue = _current_catalogue(args, settings, path)
    try:
        start = parse_local(args.start)
        end = parse_local(args.end) if args.end else start + timedelta(hours=1)
        opens = parse_local(args.opens) if args.opens else to_the_minute(args.clock.now())
        closes = parse_local(args.closes) if args.closes else _day_before_at_five(start)
    except ValueError as exc:
        return _fail(str(exc))
    event_id = args.id or _default_id(args.kind, args.area, start)
    if catalogue.get(event_id):
        return _fail(f"an event with id {event_id} already exists (use `events edit`)")
    event = Event(
        id=event_id, kind=args.kind, title=args.title, description=args.description, start=start, end=end,
        booking_opens=opens, booking_closes=closes,
        capacity=args.capacity if args.capacity is not None else settings.bookings.default_capacity,
        venue=args.venue, join_url=args.join_url, area=args.area, end_assumed=args.end is None,
        source=EventSource(args.session, args.presenter) if args.session else None,
    )
    if not _save(args, settings, path, event, "add", "events add"):
        return 1
    print(f"Added {event.id}.")
    return _sync(args, settings)


def cmd_events_edit(args) -> int:
    settings = settings_from(args)
    path = _catalogue_path(settings)
    event = _current_catalogue(args, settings, path).get(args.event)
    if event is None:
        return _fail(f"no event with id {args.event}")
    changes: dict = {}
    try:
        for name, option in (("start", args.start), ("end", args.end), ("booking_opens", args.opens),
                             ("booking_closes", args.closes)):
            if option:
                changes[name] = parse_local(option)
    except ValueError as exc:
        return _fail(str(exc))
    if args.start and not args.end:
        # Moving the start keeps the length of the event.
        changes["end"] = changes["start"] + (event.end - event.start)
    if args.start and not args.closes:
        changes["booking_closes"] = _day_before_at_five(changes["start"])
    if args.end:
        changes["end_assumed"] = False
    for name in ("kind", "title", "description", "venue", "join_url", "area", "capacity"):
        value = getattr(args, name)
        if value is not None:
            changes[name] = value
    if args.venue and not args.join_url:
        changes["join_url"] = None
    if args.join_url and not args.venue:
        changes["venue"] = None
    if args.session:
        changes["source"] = EventSource(args.session, args.presenter)
    if args.reinstate:
        changes["status"] = "scheduled"
    if not changes:
        return _fail("nothing to change: give at least one option")
    if "capacity" in changes and changes["capacity"] < event.capacity:
        print("Note: fewer places never removes anyone already booked; new bookings wait until there is room.")
    if not _save(args, settings, path, dataclasses.replace(event, **changes), "edit", "events edit"):
        return 1
    print(f"Updated {event.id}.")
    return _sync(args, settings)


def cmd_events_cancel(args) -> int:
    settings = settings_from(args)
    path = _catalogue_path(settings)
    event = _current_catalogue(args, settings, path).get(args.event)
    if event is None:
        return _fail(f"no event with id {args.event}")
    if event.status != "scheduled":
        return _fail(f"{event.id} is already {event.status}")
    status = "moved" if args.moved else "cancelled"
    if not _save(args, settings, path, dataclasses.replace(event, status=status), "edit", f"events cancel ({status})"):
        return 1
    print(f"{event.id} is now {status}.")
    return _sync(args, settings)


def _write_entry(path: Path, event: Event, default_capacity: int) -> bool:
    """Rewrites the event's entry, after checking the whole resulting file loads; atomically."""
    text = path.read_text(encoding="utf-8")
    updated = replace_entry_text(text, event.id, render_entry(event_to_raw(event)))
    _catalogue, problems = parse_catalogue(yaml.safe_load(updated), default_capacity)
    if problems:
        for problem in problems:
            print(f"sencobot events: {problem}", file=sys.stderr)
        print("sencobot events: nothing was changed", file=sys.stderr)
        return False
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".events-", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(updated)
    os.replace(temp, path)
    return True


def _sync(args, settings) -> int:
    if getattr(args, "no_sync", False):
        print("The running bot applies the change within a few seconds.")
        return 0

    async def work(service) -> int:
        report = await service.sync()
        parts = []
        if report.cancelled:
            parts.append(f"cancelled: {', '.join(report.cancelled)}")
        if report.changed:
            parts.append(f"calendar updates for: {', '.join(report.changed)}")
        if report.promoted:
            parts.append(f"{report.promoted} promoted from the waiting list")
        print("Bookings: " + ("; ".join(parts) if parts else "nothing else to do") + ".")
        if report.notified:
            print(f"{report.notified} booking{'s' if report.notified != 1 else ''} told about the change "
                  "(Teams messages are queued for the bot to send).")
        return 0

    return int(_with_bookings(settings, args.clock, work, notify=True) or 0)


def _with_bookings(settings, clock, work, *, notify: bool = False):
    """Runs ``work(service)`` with a BookingService on the configured database (migrated first).

    Only what bookings need is built (not the FAQ index): the reminder scheduler's queue for Teams
    messages when ``notify``, and SMTP when mail is enabled.
    """
    async def run():
        from bot.bookings.install import booking_service
        from bot.notify import RecordingNotifier
        from bot.signed_links import LinkSigner
        from integrations.db import Database
        from integrations.db.migrate import upgrade

        database = Database(settings.database.url)
        try:
            await upgrade(database)
            # Reading needs no notifier; a change queues Teams messages for the bot's scheduler to send.
            notifier = RecordingNotifier()
            if notify:
                from bot.reminders.assembly import build_reminders

                notifier = build_reminders(settings, database, clock).notifier
            mail = None
            if settings.mail.enabled:
                from integrations.mail.smtp import SmtpSender, smtp_config_from

                mail = SmtpSender(smtp_config_from(settings))
            service = booking_service(settings, database=database, clock=clock, notifier=notifier, mail=mail,
                                      signer=LinkSigner.for_settings(settings))
            from bot.content.store import ContentCache, StoreCatalogues
            from integrations.db.content import ContentRepository

            cache = ContentCache(ContentRepository(database))
            await cache.refresh()
            service.catalogue.store = StoreCatalogues(cache, default_capacity=settings.bookings.default_capacity)
            return await work(service)
        finally:
            await database.dispose()

    return asyncio.run(run())


def _default_id(kind: str, area, start) -> str:
    local = format_local(start)[:10]
    return f"{kind}-{area.lower()}-{local}" if area else f"{kind}-{local}"


def _day_before_at_five(start):
    day_before = (start - timedelta(days=1)).date()
    return parse_local(f"{day_before.isoformat()}T17:00")


def _fail(message: str) -> int:
    print(f"sencobot events: {message}", file=sys.stderr)
    return 1


# -- bookings ------------------------------------------------------------------------------------


def _rows(bookings, include_cancelled: bool):
    order = {"confirmed": 0, "waitlisted": 1, "cancelled": 2}
    chosen = [b for b in bookings if include_cancelled or b.status != "cancelled"]
    return sorted(chosen, key=lambda b: (order[b.status], b.id))


def _booked_rows(args):
    """(event or None, bookings to show), or None when the id is unknown to both file and database."""
    async def work(service):
        bookings = await service.bookings_for(args.event)
        if service.event(args.event) is None and not bookings:
            return None
        return service.event(args.event), _rows(bookings, args.all)

    return _with_bookings(settings_from(args), args.clock, work)


def cmd_bookings_list(args) -> int:
    from bot.clock import british_datetime

    found = _booked_rows(args)
    if found is None:
        return _fail(f"no event with id {args.event}")
    event, rows = found
    if event is not None:
        print(f"{event.title}, {british_datetime(event.start)} ({event.location}); {event.capacity} places")
    if not rows:
        print("No bookings.")
        return 0
    confirmed = sum(1 for b in rows if b.status == "confirmed")
    waiting = sum(1 for b in rows if b.status == "waitlisted")
    for number, booking in enumerate(rows, start=1):
        print(f"{number:>3}. {booking.name:<28} {booking.school:<32} {booking.email:<36} "
              f"{booking.status:<10} {british_datetime(booking.created_at)}")
    print(f"{confirmed} booked, {waiting} on the waiting list.")
    return 0


def cmd_bookings_export(args) -> int:
    found = _booked_rows(args)
    if found is None:
        return _fail(f"no event with id {args.event}")
    _event, rows = found
    text = bookings_csv(rows)
    write_out(args.out, text, f"Wrote {len(rows)} booking{'s' if len(rows) != 1 else ''} to {args.out}.")
    return 0


def bookings_csv(bookings) -> str:
    from bot.clock import london

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for booking in bookings:
        writer.writerow([_cell(booking.name), _cell(booking.school), _cell(booking.email), booking.status,
                         london(booking.created_at).strftime("%Y-%m-%d %H:%M")])
    return out.getvalue()


def _cell(value: str) -> str:
    # Names and schools are typed by users: a leading = + - @ would run as a formula in Excel.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
