"""``sencobot import deck FILE``: draft the forum, events, deadlines and FAQ entries from a deck.

    sencobot import deck slides.pptx [--by NAME] [--json drafts.json] [--no-queue]

Reading and drafting are pure (knowledge/deck_import); nothing goes live from here. The drafts
wait in the review queue (``sencobot drafts …``) until a member of staff accepts them. A file that
cannot be read gives one clear line on stderr, exit status 1, and leaves the queue unchanged.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from knowledge.deck_import import DeckFormatError, DeckReadError, glossary_forms, import_deck, to_jsonable


def register(sub) -> None:
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
        from bot.cli import settings_from

        data_dir = settings_from(args).knowledge.data_dir
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
        print(f"{_queue(args, drafts)} drafts queued for review: sencobot drafts list")
    return 0


def _queue(args, drafts) -> int:
    from bot.drafts.commands import queue_drafts

    return queue_drafts(args, drafts)


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
