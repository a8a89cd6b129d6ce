"""Staff commands for forums and their evaluations.

    sencobot forums list
    sencobot forums add term1-2026 --title "…" --display "…" --session secondary:2025-09-24 \\
        --session primary:2025-09-25:09:30-12:30 --item "Welcome|Ruth Gately|SEND Specialist Adviser|5" …
    sencobot evaluations status [FORUM]
    sencobot evaluations invite FORUM [--teams USER_ID …] [--email ADDRESS …] [--file PATH]
    sencobot evaluations send
    sencobot evaluations report FORUM --out DIR

``forums add`` appends to knowledge/data/forums.yaml (the file's comments survive) after checking
the new forum as ``sencobot kb check`` would. ``invite`` lists attendees: they are asked when the
forum ends (at once if it has). ``send`` runs one round of invitations and reminders (the bot does
this by itself every few minutes). ``report`` writes the CSV (free text redacted), the summary and
the chart.
"""
from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

from bot.cli import settings_from
from bot.commands import action, group

_SESSION = re.compile(r"^(primary|secondary|any):(\d{4}-\d{2}-\d{2})(?::(\d{2}:\d{2})-(\d{2}:\d{2}))?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def register(sub) -> None:
    forums = sub.add_parser("forums", help="the forum catalogue (knowledge/data/forums.yaml)")
    forum_actions = forums.add_subparsers(dest="forums_command", metavar="ACTION")
    forum_actions.required = True
    action(forum_actions, "list", cmd_forums_list, "every forum with its days and agenda size")
    add = forum_actions.add_parser("add", help="add a forum (held, scheduled or proposed) to the catalogue")
    add.add_argument("id", help="forum code, term<N>-<YYYY> (e.g. term1-2026)")
    add.add_argument("--title", required=True, help="formal name, e.g. \"Countywide SENCO Forum, Term 1 2026\"")
    add.add_argument("--display", required=True, help="label users see, e.g. \"Countywide SENCO Forum, September 2025\"")
    add.add_argument("--status", choices=("held", "scheduled", "proposed"), default="scheduled")
    add.add_argument("--session", action="append", required=True, metavar="PHASE:DATE[:HH:MM-HH:MM]",
                     help="one per day: primary|secondary|any, the date, and the London times if known")
    add.add_argument("--item", action="append", default=[], metavar="TITLE[|PRESENTER[|ROLE[|MINUTES]]]",
                     help="an agenda item, in running order (repeat)")
    add.add_argument("--presenter", action="append", default=[], metavar="NAME[|ROLE]")
    add.add_argument("--file", default=None, help="forums file (default: forums.yaml in the knowledge folder); "
                                                  "ignored once the shared content store is seeded")
    add.add_argument("--venue", default=None, help="where it is held")
    add.add_argument("--join-url", default=None, help="Microsoft Teams link, when it is online")
    add.add_argument("--booking-url", default=None, help="where to book a place (a link)")
    add.add_argument("--event", default=None, help="id of the bookable event for a place at the forum")
    from bot.content.commands import add_change_options

    add_change_options(add, "forums add")
    add.set_defaults(func=cmd_forums_add)

    actions = group(sub, "evaluations", "forum evaluations: attendees, sending, results")
    status = actions.add_parser("status", help="when each survey is open, how many were asked and answered")
    status.add_argument("forum", nargs="?", default=None)
    status.set_defaults(func=cmd_status)
    invite = actions.add_parser("invite", help="list a forum's attendees; they are asked when it ends")
    invite.add_argument("forum")
    invite.add_argument("--teams", action="append", default=[], metavar="USER_ID", help="Teams user id (repeat)")
    invite.add_argument("--email", action="append", default=[], metavar="ADDRESS", help="email address (repeat)")
    invite.add_argument("--file", default=None, help="a file of Teams user ids and email addresses, one a line")
    invite.set_defaults(func=cmd_invite)
    action(actions, "send", cmd_send, "send the invitations and reminders that are due now")
    report = actions.add_parser("report", help="write the responses CSV, the summary and the chart")
    report.add_argument("forum")
    report.add_argument("--out", required=True, help="folder to write into (created if missing)")
    report.set_defaults(func=cmd_report)


# -- forums --------------------------------------------------------------------------------------

def _forums_file(args, settings):
    from knowledge.forums import forums_file_in

    return Path(args.file) if getattr(args, "file", None) else forums_file_in(settings.knowledge.data_dir or None)


def cmd_forums_list(args) -> int:
    from knowledge.forums import ForumsError, load_forums

    settings = settings_from(args)
    from bot.content.commands import store_session

    async def from_store():
        async with store_session(settings, args.clock) as (_store, catalogues, seeded):
            return catalogues.forum_catalogue() if seeded else None

    stored = asyncio.run(from_store())
    try:
        catalogue = stored if stored is not None else load_forums(_forums_file(args, settings))
    except ForumsError as exc:
        print("sencobot forums: the forums file has problems:\n  " + "\n  ".join(exc.problems), file=sys.stderr)
        return 1
    for forum in catalogue.forums:
        days = ", ".join(f"{s.phase or 'any'} {s.date.isoformat()}" for s in forum.sessions)
        print(f"{forum.id}  [{forum.status}]  {forum.display}  ({days}; {len(forum.agenda)} agenda items, "
              f"{len(forum.rated_items)} rated)")
    return 0


def parse_forum_arguments(args) -> dict:
    """The command line's forum as the file's raw form (checked by knowledge.forums when added)."""
    sessions = []
    for text in args.session:
        match = _SESSION.match(text.strip())
        if not match:
            raise ValueError(f"--session {text!r}: expected PHASE:YYYY-MM-DD or PHASE:YYYY-MM-DD:HH:MM-HH:MM")
        phase, date, start, end = match.groups()
        sessions.append({"phase": None if phase == "any" else phase, "date": date, "start": start, "end": end})
    agenda = []
    for number, text in enumerate(args.item, start=1):
        parts = [p.strip() or None for p in text.split("|")]
        if len(parts) > 4 or not parts[0]:
            raise ValueError(f"--item {text!r}: expected TITLE[|PRESENTER[|ROLE[|MINUTES]]]")
        parts += [None] * (4 - len(parts))
        title, presenter, role, minutes = parts
        if minutes is not None and not minutes.isdigit():
            raise ValueError(f"--item {text!r}: minutes must be a whole number")
        agenda.append({"id": _slug(title, {i["id"] for i in agenda}), "item": number, "title": title,
                       "presenter": presenter, "role": role, "minutes": int(minutes) if minutes else None})
    presenters = []
    for text in args.presenter:
        name, _, role = text.partition("|")
        presenters.append({"name": name.strip(), "role": role.strip() or None})
    raw = {"id": args.id, "title": args.title, "display": args.display, "status": args.status,
           "sessions": sessions, "agenda": agenda, "presenters": presenters, "evaluation": None,
           "contact": None, "source": None}
    for key in ("venue", "join_url", "booking_url", "event"):
        if getattr(args, key, None):
            raw[key] = getattr(args, key)
    return raw


def _slug(title: str, taken: set[str]) -> str:
    base = "-".join(re.findall(r"[a-z0-9]+", title.lower()))[:40].strip("-") or "item"
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def cmd_forums_add(args) -> int:
    from knowledge.forums import ForumsError, add_forum

    settings = settings_from(args)
    from bot.content.commands import save_to_store, store_is_seeded, who, why

    if store_is_seeded(settings, args.clock):
        try:
            raw = parse_forum_arguments(args)
        except ValueError as exc:
            print(f"sencobot forums add: not added:\n  {exc}", file=sys.stderr)
            return 1
        code = save_to_store(settings, args.clock, "forum", raw, action="add", by=who(args),
                             why_text=why(args, "forums add"))
        if code == 0:
            print(f"added {raw['id']}: {raw['display']}, {len(raw['sessions'])} session(s), "
                  f"{len(raw['agenda'])} agenda item(s)")
        return code
    try:
        raw = parse_forum_arguments(args)
        forum = add_forum(_forums_file(args, settings), raw)
    except (ValueError, ForumsError) as exc:
        problems = exc.problems if isinstance(exc, ForumsError) else [str(exc)]
        print("sencobot forums add: not added:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"added {forum.id}: {forum.display}, {len(forum.sessions)} session(s), {len(forum.agenda)} agenda item(s)")
    return 0


# -- evaluations -----------------------------------------------------------------------------------

async def _with_service(settings, clock, work, *, full: bool = False):
    from bot.evaluations.install import build_evaluation_service
    from integrations.db import Database
    from integrations.db.migrate import upgrade

    database = Database(settings.database.url)
    try:
        await upgrade(database)
        if full:
            # Sending needs the bot's real notifier and mail, exactly as the running bot has them.
            from bot.core import build_core
            from bot.reminders import install as reminders_feature

            core = build_core(settings, clock=clock, database=database)
            service, _ = build_evaluation_service(
                settings, database=database, clock=core.clock, notifier=core.notifier, signer=core.signer,
                mail=core.mail, subscribers=reminders_feature.build(core).subscribers,
            )
        else:
            service, _ = build_evaluation_service(settings, database=database, clock=clock)
        return await work(service)
    finally:
        await database.dispose()


def _forum_or_complain(service, forum_id: str):
    forum = service.forum(forum_id)
    if forum is None:
        known = ", ".join(f.id for f in service.catalogue().forums) or "none"
        print(f"sencobot evaluations: no forum {forum_id!r} (known: {known})", file=sys.stderr)
    return forum


def cmd_status(args) -> int:
    settings = settings_from(args)

    async def work(service):
        forums = service.evaluable()
        if args.forum:
            forum = _forum_or_complain(service, args.forum)
            if forum is None:
                return 1
            forums = [forum]
        for forum in forums:
            summary = await service.summary(forum)
            rate = f" ({summary.rate:.0%})" if summary.rate is not None else ""
            print(f"{forum.id}: {forum.display}: {service.describe_window(forum)}; "
                  f"{summary.responses} response(s) of {summary.asked} asked{rate}")
        return 0

    return asyncio.run(_with_service(settings, args.clock, work))


def cmd_invite(args) -> int:
    settings = settings_from(args)
    teams = [t.strip() for t in args.teams if t.strip()]
    emails = [e.strip() for e in args.email if e.strip()]
    if args.file:
        for line in Path(args.file).read_text(encoding="utf-8").splitlines():
            entry = line.strip()
            if entry and not entry.startswith("#"):
                (emails if "@" in entry else teams).append(entry)
    bad = [e for e in emails if not _EMAIL.match(e)]
    if bad:
        print(f"sencobot evaluations invite: {len(bad)} entr{'y is' if len(bad) == 1 else 'ies are'} not an email "
              "address; nothing was listed", file=sys.stderr)
        return 1
    if not teams and not emails:
        print("sencobot evaluations invite: give --teams, --email or --file", file=sys.stderr)
        return 2

    async def work(service):
        forum = _forum_or_complain(service, args.forum)
        if forum is None:
            return 1
        count = await service.list_attendees(forum, teams_ids=teams, emails=emails)
        print(f"{count} attendee(s) listed for {forum.id}; they are asked when the forum ends "
              f"(the evaluation {service.describe_window(forum)}).")
        if emails and not settings.mail.enabled:
            print("note: mail.enabled is false, so email invitations wait until mail is configured.")
        return 0

    return asyncio.run(_with_service(settings, args.clock, work))


def cmd_send(args) -> int:
    settings = settings_from(args)

    async def work(service):
        report = await service.run_due()
        print(f"{report.invited} invited, {report.reminded} reminded, {report.failed} failed"
              + (f", {report.skipped_email} email(s) waiting for mail to be enabled" if report.skipped_email else ""))
        return 0 if not report.failed else 1

    return asyncio.run(_with_service(settings, args.clock, work, full=True))


def cmd_report(args) -> int:
    from bot.evaluations.service import report_spec
    from bot.privacy.edge import redactor_for
    from integrations.evaluation_report import summary_text, write_report

    settings = settings_from(args)

    async def work(service):
        forum = _forum_or_complain(service, args.forum)
        if forum is None:
            return 1
        results = await service.results(forum)
        summary, files = write_report(
            Path(args.out), report_spec(results.survey), results.responses, asked=results.asked,
            redact=redactor_for(settings).redact,
        )
        print(summary_text(summary))
        for path in (files.csv, files.summary_text, files.summary_json, files.chart):
            print(f"wrote {path}")
        return 0

    return asyncio.run(_with_service(settings, args.clock, work))
