"""``sencobot import deck FILE`` and ``sencobot drafts list|show|accept|edit|reject``: the review queue
from the terminal.

    sencobot import deck slides.pptx [--by NAME] [--json drafts.json] [--no-queue]

    sencobot drafts list [--status pending|accepted|rejected|all] [--kind faq]
    sencobot drafts show ID
    sencobot drafts edit ID --set on=2025-07-22 --set title="…" --by "Clara Green"
    sencobot drafts accept ID [ID…] --by "Clara Green"        (or --all [--kind K] [--unflagged])
    sencobot drafts reject ID [ID…] --by "Clara Green" [--note "not a deadline"]

IDs may be shortened to any unique prefix. Every change records who (--by) and when (the clock).
"""
from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Awaitable, Callable

from bot.commands import assignments
from bot.drafts.service import EDITABLE, DraftError, DraftService
from knowledge.deck_import import DeckFormatError, DeckReadError, glossary_forms, import_deck, to_jsonable

STATUSES = ("pending", "accepted", "rejected", "all")
KINDS = ("forum", "event", "deadline", "faq")


def register(sub) -> None:
    register_import(sub)
    drafts = sub.add_parser("drafts", help="the review queue of drafts imported from a forum deck")
    actions = drafts.add_subparsers(dest="drafts_command", metavar="ACTION")
    actions.required = True

    listing = actions.add_parser("list", help="drafts waiting for review (or --status …)")
    listing.add_argument("--status", choices=STATUSES, default="pending")
    listing.add_argument("--kind", choices=KINDS, default=None)
    listing.set_defaults(func=cmd_drafts_list)

    show = actions.add_parser("show", help="one draft in full: its fields, flags, source and history")
    show.add_argument("id")
    show.set_defaults(func=cmd_drafts_show)

    edit = actions.add_parser("edit", help="change fields of a pending draft")
    edit.add_argument("id")
    edit.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", required=True)
    edit.add_argument("--by", required=True, help="who is editing (recorded)")
    edit.set_defaults(func=cmd_drafts_edit)

    accept = actions.add_parser("accept", help="put drafts live (catalogues and the FAQ)")
    accept.add_argument("ids", nargs="*")
    accept.add_argument("--all", action="store_true", help="every pending draft (with --kind/--unflagged)")
    accept.add_argument("--kind", choices=KINDS, default=None)
    accept.add_argument("--unflagged", action="store_true", help="only drafts with nothing flagged for a check")
    accept.add_argument("--by", required=True, help="who is accepting (recorded)")
    accept.set_defaults(func=cmd_drafts_accept)

    reject = actions.add_parser("reject", help="turn drafts down (they are kept for the record)")
    reject.add_argument("ids", nargs="+")
    reject.add_argument("--note", default=None)
    reject.add_argument("--by", required=True, help="who is rejecting (recorded)")
    reject.set_defaults(func=cmd_drafts_reject)


def _settings_from(args):
    from bot.cli import settings_from

    return settings_from(args)


def _with_service(args, work: Callable[[DraftService], Awaitable[int]]) -> int:
    from bot.drafts.install import build_draft_service
    from integrations.db import Database
    from integrations.db.migrate import upgrade

    settings = _settings_from(args)

    async def run() -> int:
        database = Database(settings.database.url)
        try:
            await upgrade(database)
            service = build_draft_service(settings, database=database, clock=args.clock)
            return int(await work(service) or 0)
        finally:
            await database.dispose()

    return asyncio.run(run())


def queue_drafts(args, drafts) -> int:
    """Called by ``sencobot import deck``: the drafts go into the queue in one transaction."""
    by = getattr(args, "by", None) or "sencobot import"

    async def work(service: DraftService) -> int:
        record = await service.queue(drafts, by=by)
        return record.drafts

    return _with_service(args, work)


async def _resolve(service: DraftService, ident: str) -> str:
    matches = [d.id for d in await service.all(status=None) if d.id.startswith(ident)]
    if len(matches) != 1:
        raise DraftError(f"No draft matches {ident!r}." if not matches else f"{ident!r} matches several drafts.")
    return matches[0]


def _when(draft) -> str:
    data = draft.data
    if draft.kind == "event":
        return f"{data.get('day')} {(data.get('start') or '')[:5]}".strip()
    if draft.kind == "deadline":
        return str(data.get("on") or data.get("as_written"))
    if draft.kind == "forum":
        return ", ".join(str(d.get("date")) for d in data.get("days") or [])
    return ""


def cmd_drafts_list(args) -> int:
    async def work(service: DraftService) -> int:
        drafts = await service.all(status=None if args.status == "all" else args.status, kind=args.kind)
        for draft in drafts:
            flag = "!" if draft.flags else " "
            print(f"{draft.id}  {draft.status:<8} {draft.kind:<8} {flag} {_when(draft):<16} {draft.title[:70]}")
        print(f"{len(drafts)} draft{'s' if len(drafts) != 1 else ''}" + (
            "; ! = flagged for a check (`drafts show ID` says why)" if any(d.flags for d in drafts) else ""))
        return 0

    return _with_service(args, work)


def describe(draft) -> str:
    data = draft.data
    lines = [f"{draft.kind} {draft.key}  [{draft.status}]  id {draft.id}"]
    for name in EDITABLE.get(draft.kind, {}):
        if name in data:
            lines.append(f"  {name}: {data[name]}")
    if draft.kind == "event":
        lines.append(f"  area: {data.get('area')}  online: {data.get('online')}")
    if draft.kind == "deadline":
        lines.append(f"  as written in the deck: {data.get('as_written')!r} ({data.get('precision')})")
    if draft.kind == "faq" and data.get("missing_glossary_terms"):
        lines.append(f"  terms the glossary lacks: {', '.join(data['missing_glossary_terms'])}")
    if draft.kind == "forum":
        for session in data.get("sessions") or []:
            slides = session.get("slides") or []
            where = f"slides {slides[0]}–{slides[1]}" if slides else "no slides"
            lines.append(f"  {session.get('item')}. {session.get('title')} — {session.get('presenter') or '-'} "
                         f"({where})")
    source = data.get("source") or {}
    lines.append(f"  source: {source.get('forum')} — {source.get('session')}, {source.get('presenter') or '-'}, "
                 f"slides {', '.join(str(s) for s in source.get('slides') or []) or '-'}")
    for flag in draft.flags:
        lines.append(f"  CHECK: {flag}")
    if draft.edited_by:
        lines.append(f"  edited by {draft.edited_by} at {draft.edited_at:%Y-%m-%d %H:%M} UTC")
    if draft.decided_by:
        lines.append(f"  {draft.status} by {draft.decided_by} at {draft.decided_at:%Y-%m-%d %H:%M} UTC"
                     + (f": {draft.decision_note}" if draft.decision_note else ""))
    return "\n".join(lines)


def cmd_drafts_show(args) -> int:
    async def work(service: DraftService) -> int:
        print(describe(await service.get(await _resolve(service, args.id))))
        return 0

    return _guarded(args, work)


def cmd_drafts_edit(args) -> int:
    changes = assignments(args.set, "drafts")
    if changes is None:
        return 2

    async def work(service: DraftService) -> int:
        draft = await service.edit(await _resolve(service, args.id), changes, by=args.by)
        print(describe(draft))
        return 0

    return _guarded(args, work)


def cmd_drafts_accept(args) -> int:
    async def work(service: DraftService) -> int:
        if args.all:
            ids = [d.id for d in await service.pending(kind=args.kind) if not (args.unflagged and d.flags)]
        else:
            ids = [await _resolve(service, i) for i in args.ids]
        if not ids:
            print("Nothing to accept.")
            return 0
        failed = 0
        for draft_id in ids:
            try:
                decision = await service.accept(draft_id, by=args.by)
            except DraftError as exc:
                failed += 1
                print(f"{draft_id}: {exc}", file=sys.stderr)
                continue
            print(f"{draft_id}: accepted, live as {decision.draft.kind} {decision.published_as}")
        if failed:
            print(f"{failed} not accepted; they stay in the queue.", file=sys.stderr)
        print("The running bot picks the changes up within a few seconds.")
        return 1 if failed else 0

    return _guarded(args, work)


def cmd_drafts_reject(args) -> int:
    async def work(service: DraftService) -> int:
        for ident in args.ids:
            decision = await service.reject(await _resolve(service, ident), by=args.by, note=args.note)
            print(f"{decision.draft.id}: rejected (kept for the record)")
        return 0

    return _guarded(args, work)


def _guarded(args, work) -> int:
    async def safe(service: DraftService) -> int:
        try:
            return await work(service)
        except DraftError as exc:
            print(f"sencobot drafts: {exc}", file=sys.stderr)
            return 1

    return _with_service(args, safe)


# -- sencobot import deck ------------------------------------------------------------------------


def register_import(sub) -> None:
    imports = sub.add_parser("import", help="import a forum deck into drafts for review")
    kinds = imports.add_subparsers(dest="import_command", metavar="WHAT")
    kinds.required = True
    deck = kinds.add_parser("deck", help="draft forum, events, deadlines and FAQ entries from .pptx/.pdf/.docx/.txt")
    deck.add_argument("file")
    deck.add_argument("--json", default=None, help="also write every draft to this JSON file")
    deck.add_argument("--no-queue", action="store_true", help="only print the drafts; do not queue them for review")
    deck.add_argument("--by", default=None, help="who is importing (recorded with the import)")
    deck.set_defaults(func=cmd_import_deck)


def _glossary_path(args) -> Path | None:
    try:
        data_dir = _settings_from(args).knowledge.data_dir
    except Exception:  # settings are optional for a dry run; the repository's glossary is the default
        data_dir = ""
    return Path(data_dir) if data_dir else None


def cmd_import_deck(args) -> int:
    try:
        drafts = import_deck(args.file, glossary=glossary_forms(_glossary_path(args)))
    except (DeckReadError, DeckFormatError) as exc:
        print(f"sencobot import deck: {exc}. Nothing was imported.", file=sys.stderr)
        return 1
    print(summary(drafts))
    if args.json:
        Path(args.json).write_text(json.dumps(to_jsonable(drafts), indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"drafts written to {args.json}")
    if not args.no_queue:
        print(f"{queue_drafts(args, drafts)} drafts queued for review: sencobot drafts list")
    return 0


def summary(drafts) -> str:
    forum = drafts.forum
    lines = [f"{drafts.file}: {drafts.slide_count} slides, forum {forum.id} "
             f"({', '.join(str(d['date']) for d in forum.days)}), {len(forum.sessions)} agenda items"]
    for session in forum.sessions:
        slides = f"slides {session.slides[0]}–{session.slides[1]}" if session.slides else "no slides"
        lines.append(f"  {session.item}. {session.title} — {session.presenter or 'no presenter'} ({slides})")
    if drafts.next_forum:
        lines.append(f"next forum: {drafts.next_forum.id} "
                     f"({', '.join(str(d['date']) for d in drafts.next_forum.days)})")
    flagged = sum(1 for d in drafts.all() if d.flags)
    lines.append(f"{len(drafts.events)} events, {len(drafts.deadlines)} deadlines, {len(drafts.faqs)} FAQ drafts; "
                 f"{flagged} drafts flagged for a closer look")
    for event in drafts.events:
        times = f"{event.start:%H:%M}" + (f"–{event.end:%H:%M}" if event.end else "")
        lines.append(f"  event {event.id}: {event.day} {times} {event.venue or ('online' if event.online else '?')}")
    for deadline in drafts.deadlines:
        mark = " [check]" if deadline.flags else ""
        lines.append(f"  deadline {deadline.on or deadline.as_written}: {deadline.title}{mark}")
    return "\n".join(lines)
