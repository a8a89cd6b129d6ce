"""Staff commands for retention and data-subject requests.

    sencobot privacy purge                               apply the retention periods now
    sencobot privacy export --user ID|EMAIL [--out FILE] everything held about a person, as JSON
    sencobot privacy delete --user ID|EMAIL [--yes]      erase a person (asks first unless --yes)

ID is a Teams user id ("29:...") or an Entra ID object id; EMAIL finds what was emailed or booked
with that address. Bookings for events still to come are cancelled through the booking service
(the next person waiting gets the place and is told); bookings for past events are anonymised.
"""
from __future__ import annotations

import asyncio
import json
import sys

from bot.cli import settings_from
from bot.commands import action, group, write_out


def register(sub) -> None:
    actions = group(sub, "privacy", "retention purge, and export or erase one person's data")
    action(actions, "purge", cmd_purge, "delete or anonymise records older than their retention period")
    export = actions.add_parser("export", help="everything held about a person, as JSON")
    export.add_argument("--user", required=True, help="Teams user id, Entra ID object id, or email address")
    export.add_argument("--out", default="-", help="file to write (default: standard output)")
    export.set_defaults(func=cmd_export)
    delete = actions.add_parser("delete", help="erase everything held about a person")
    delete.add_argument("--user", required=True, help="Teams user id, Entra ID object id, or email address")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(func=cmd_delete)


def _run(args, work):
    settings = settings_from(args)

    async def run():
        from bot.bookings.install import booking_service
        from bot.privacy.install import build_privacy_service
        from bot.reminders.assembly import build_reminders
        from bot.signed_links import LinkSigner
        from integrations.db import Database
        from integrations.db.migrate import upgrade

        database = Database(settings.database.url)
        clock = args.clock
        try:
            await upgrade(database)
            mail = None
            if settings.mail.enabled:
                from integrations.mail.smtp import SmtpSender, smtp_config_from

                mail = SmtpSender(smtp_config_from(settings))
            # Cancelling a booking tells the person promoted from the waiting list through the bot's queue.
            bookings = booking_service(settings, database=database, clock=clock,
                                       notifier=build_reminders(settings, database, clock).notifier, mail=mail,
                                       signer=LinkSigner.for_settings(settings))
            service = build_privacy_service(settings, database=database, clock=clock, bookings=bookings)
            return await work(service)
        finally:
            await database.dispose()

    return asyncio.run(run())


def cmd_purge(args) -> int:
    counts = _run(args, lambda service: service.purge())
    changed = {name: n for name, n in counts.items() if n}
    if not changed:
        print("Nothing was older than its retention period.")
        return 0
    for name, n in sorted(changed.items()):
        print(f"{name:<26} {n}")
    print(f"{sum(changed.values())} record(s) deleted or anonymised.")
    return 0


def cmd_export(args) -> int:
    data = _run(args, lambda service: service.export_user(args.user))
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    write_out(args.out, text, f"Wrote {_count(data)} record(s) for {args.user} to {args.out}.")
    return 0


def cmd_delete(args) -> int:
    if not args.yes:
        data = _run(args, lambda service: service.export_user(args.user))
        found = _count(data)
        if not found:
            print(f"Nothing is held for {args.user}.")
            return 0
        if not sys.stdin.isatty():
            print(f"{found} record(s) held for {args.user}. Add --yes to delete them.", file=sys.stderr)
            return 1
        answer = input(f"Delete {found} record(s) held for {args.user}? Type yes to confirm: ")
        if answer.strip().lower() != "yes":
            print("Nothing deleted.")
            return 1
    erased = _run(args, lambda service: service.delete_user(args.user))
    for name, n in sorted(erased.counts.items()):
        print(f"{name:<26} {n} deleted")
    if erased.bookings_anonymised:
        print(f"{'bookings (past events)':<26} {erased.bookings_anonymised} anonymised (kept for attendance counts)")
    for name, n in sorted(erased.pseudonymised.items()):
        print(f"{name:<26} {n} kept without the person's name (work they did as staff)")
    if erased.bookings_cancelled:
        print(f"Cancelled {erased.bookings_cancelled} booking(s) for events still to come; "
              f"{erased.places_offered} place(s) went to people on the waiting list.")
    if erased.waitlist_not_promoted:
        print(f"{erased.waitlist_not_promoted} booking(s) were deleted without the booking service: "
              "nobody on the waiting list was promoted.")
    if not erased.total:
        print(f"Nothing was held for {args.user}.")
    return 0


def _count(data: dict) -> int:
    """Records in an export (every list, the mail and staff sections' lists included)."""
    total = 0
    for key, value in data.items():
        if isinstance(value, list) and key != "identifiers":
            total += len(value)
        elif key in ("mail", "staff_records") and isinstance(value, dict):
            total += sum(len(v) for v in value.values() if isinstance(v, list))
    return total
