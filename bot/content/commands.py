"""Staff commands for the shared content store.

    sencobot kb import [--from DIR] [--replace] [--by NAME] [--why TEXT]   seed the store from YAML
    sencobot kb export --out DIR                                           the live state as YAML
    sencobot kb history [--kind K] [--id ID] [--limit N]                   who changed what, when, why
    sencobot kb revert CHANGE [--by NAME] [--why TEXT]                     undo one change
    sencobot kb show KIND ID                                               one live item's correctable fields
    sencobot kb edit KIND ID --set FIELD=VALUE --why TEXT [--by NAME]      correct an FAQ entry, event, forum
                                                                           or deadline (as the Teams card does)
    sencobot faq withdraw ID --why TEXT [--notify]                         unpublish an FAQ answer
    sencobot faq edit ID --answer TEXT --why TEXT [--notify]               correct a published answer

``forums add``, ``events add|edit|cancel`` and ``deadlines add`` write here once the store has been
seeded (``kb import``; ``sencobot serve`` seeds an empty store on start). Every change records who
(``--by``, default the login name), when (the process clock) and why (``--why``).
"""
from __future__ import annotations

import asyncio
import contextlib
import getpass
import sys
from pathlib import Path
from typing import Any, AsyncIterator, Optional

from bot.cli import settings_from
from bot.commands import assignments, correction_options, group


def default_by() -> str:
    try:
        return f"{getpass.getuser()} (CLI)"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "staff (CLI)"


def add_change_options(parser, what: str) -> None:
    """--by/--why on a command that changes content (optional, so existing invocations still work)."""
    if not any(a.dest == "by" for a in parser._actions):
        parser.add_argument("--by", default=None, help="who is making the change (default: your login name)")
    if not any(a.dest == "why" for a in parser._actions):
        parser.add_argument("--why", default=None, help=f"why (kept in the history; default: \"{what}\")")


def who(args) -> str:
    return getattr(args, "by", None) or default_by()


def why(args, default: str) -> str:
    return getattr(args, "why", None) or default


@contextlib.asynccontextmanager
async def store_session(settings, clock) -> AsyncIterator[Any]:
    """(store, catalogues, seeded) on the configured database, migrated first."""
    from bot.content.store import ContentCache, ContentStore, StoreCatalogues
    from integrations.db import Database
    from integrations.db.content import ContentRepository
    from integrations.db.migrate import upgrade

    database = Database(settings.database.url)
    try:
        await upgrade(database)
        repo = ContentRepository(database)
        cache = ContentCache(repo)
        await cache.refresh()
        store = ContentStore(repo, clock, default_capacity=settings.bookings.default_capacity)
        yield store, StoreCatalogues(cache, default_capacity=settings.bookings.default_capacity), cache.active
    finally:
        await database.dispose()


def store_is_seeded(settings, clock) -> bool:
    async def run():
        async with store_session(settings, clock) as (_store, _catalogues, seeded):
            return seeded

    return asyncio.run(run())


def data_dir_of(settings) -> Optional[Path]:
    return Path(settings.knowledge.data_dir) if settings.knowledge.data_dir else None


def register(sub) -> None:
    register_kb(sub)
    register_faq(sub)


def register_kb(sub) -> None:
    """The content store's actions on the `kb` command (which the host's kb check/train share)."""
    kb_actions = group(sub, "kb", "the knowledge base")
    imp = kb_actions.add_parser("import", help="seed the shared content store from the YAML knowledge folder")
    imp.add_argument("--from", dest="source", default=None, help="knowledge folder (default: knowledge.data_dir "
                                                                 "or the packaged data)")
    imp.add_argument("--replace", action="store_true", help="overwrite items already in the store")
    add_change_options(imp, "import from YAML")
    imp.set_defaults(func=cmd_kb_import)
    # `kb export --out DIR` (the whole store as YAML) shares the inbox's `kb export` command.
    hist = kb_actions.add_parser("history", help="changes to the content, newest first")
    hist.add_argument("--kind", default=None, help="forum, event, deadline, faq or glossary")
    hist.add_argument("--id", default=None, help="one item's id")
    hist.add_argument("--limit", type=int, default=30)
    hist.set_defaults(func=cmd_kb_history)
    rev = kb_actions.add_parser("revert", help="undo one change (the item goes back to how it was before it)")
    rev.add_argument("change", type=int, help="the change number from `kb history`")
    add_change_options(rev, "revert")
    rev.set_defaults(func=cmd_kb_revert)
    from bot.content.editing import CORRECTABLE

    show = kb_actions.add_parser("show", help="one live item's fields that can be corrected")
    show.add_argument("kind", choices=tuple(CORRECTABLE))
    show.add_argument("id", help="the item's id (or words of its title)")
    show.set_defaults(func=cmd_kb_show)
    edit = kb_actions.add_parser("edit", help="correct a live FAQ entry, event, forum or deadline")
    edit.add_argument("kind", choices=tuple(CORRECTABLE))
    edit.add_argument("id", help="the item's id")
    edit.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", required=True)
    edit.add_argument("--why", required=True, help="why (kept in the history)")
    edit.add_argument("--by", default=None, help="who is making the change (default: your login name)")
    edit.set_defaults(func=cmd_kb_edit)


def cmd_kb_import(args) -> int:
    from bot.content.store import ContentError
    from knowledge.loader import data_dir

    settings = settings_from(args)
    source = Path(args.source) if args.source else data_dir(settings.knowledge.data_dir or None)

    async def run() -> int:
        async with store_session(settings, args.clock) as (store, _catalogues, _seeded):
            try:
                counts = await store.import_directory(source, by=who(args), why=why(args, f"import from {source}"),
                                                      replace=args.replace)
            except ContentError as exc:
                print(f"sencobot kb import: nothing imported: {exc}", file=sys.stderr)
                return 1
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing new"
        print(f"imported {summary} from {source}")
        return 0

    return asyncio.run(run())


def cmd_kb_export(args) -> int:
    settings = settings_from(args)

    async def run() -> int:
        async with store_session(settings, args.clock) as (store, _catalogues, seeded):
            if not seeded:
                print("sencobot kb export: the content store is empty (run `sencobot kb import` first)",
                      file=sys.stderr)
                return 1
            written = await store.export_directory(Path(args.out))
        print(f"wrote {len(written)} files to {args.out}")
        return 0

    return asyncio.run(run())


def cmd_kb_history(args) -> int:
    from knowledge.london import british_datetime

    settings = settings_from(args)

    async def run() -> int:
        async with store_session(settings, args.clock) as (store, _catalogues, _seeded):
            changes = await store.history(kind=args.kind, key=args.id, limit=args.limit)
        if not changes:
            print("no changes recorded")
        for change in changes:
            print(f"{change.id:>6}  {british_datetime(change.changed_at)}  {change.action:<8} {change.kind:<8} "
                  f"{change.key}  by {change.changed_by}: {change.why}")
        return 0

    return asyncio.run(run())


def cmd_kb_revert(args) -> int:
    from bot.content.store import ContentError

    settings = settings_from(args)

    async def run() -> int:
        async with store_session(settings, args.clock) as (store, _catalogues, _seeded):
            try:
                made = await store.revert(args.change, by=who(args), why=why(args, f"revert change {args.change}"))
            except ContentError as exc:
                print(f"sencobot kb revert: {exc}", file=sys.stderr)
                return 1
        state = "withdrawn again" if made.doc is None else "restored"
        print(f"change {made.id}: {made.kind} {made.key} {state} as before change {args.change}")
        return 0

    return asyncio.run(run())


def save_to_store(settings, clock, kind: str, doc: dict, *, action: str, by: str, why_text: str) -> int:
    """Writes one item through the store (add or edit), printing the store's refusal if any."""
    from bot.content.store import ContentError, key_of

    async def run() -> int:
        async with store_session(settings, clock) as (store, _catalogues, _seeded):
            try:
                if action == "add":
                    made = await store.add(kind, doc, by=by, why=why_text)
                else:
                    made = await store.edit(kind, key_of(kind, doc), doc, by=by, why=why_text)
            except ContentError as exc:
                print(f"sencobot: not saved: {exc}", file=sys.stderr)
                return 1
            print(f"saved to the shared content store as change {made.id}; every replica answers from it within "
                  "seconds")
            if action == "add":
                await _announce(settings, clock, store, kind, made)
        return 0

    return asyncio.run(run())


async def _announce(settings, clock, store, kind: str, made) -> None:
    """Tells the people who asked to hear when new dates are added (their reminder category)."""
    from bot.broadcast.service import build_broadcasts
    from bot.reminders.assembly import build_reminders
    from knowledge.live import added_announcement

    found = added_announcement(kind, made.doc, clock.now(), settings.bookings.default_capacity)
    if found is None:
        return
    category, text = found
    reminders = build_reminders(settings, store.repository.database, clock)
    result = await build_broadcasts(reminders).broadcast(category=category, text=text, created_by=made.changed_by,
                                                         key=f"content.added.{kind}.{made.key}")
    if result.queued:
        print(f"{result.subscribers} {category} subscriber(s) will be told it was added")


def store_events(settings, clock):
    """The events catalogue as the store holds it, or None when the store is not seeded."""
    async def run():
        async with store_session(settings, clock) as (_store, catalogues, seeded):
            return catalogues.events() if seeded else None

    return asyncio.run(run())


# -- sencobot faq withdraw|edit ------------------------------------------------------------------


def register_faq(sub) -> None:
    """`faq withdraw` and `faq edit` on the `faq` command (which the inbox's `faq export` shares)."""
    actions = group(sub, "faq", "the Frequently Asked Questions document")
    withdraw = actions.add_parser("withdraw", help="unpublish an answer (people it was sent to are told)")
    withdraw.add_argument("id", help="the FAQ entry id")
    correction_options(withdraw, why="the reason, kept in the history and told to askers",
                       by="who is making the change (default: your login name)",
                       notify="do not tell the people it was sent to")
    withdraw.set_defaults(func=cmd_faq_withdraw)
    edit = actions.add_parser("edit", help="correct an answer (people it was sent to get the correction)")
    edit.add_argument("id", help="the FAQ entry id")
    edit.add_argument("--answer", required=True, help="the corrected answer")
    correction_options(edit, why="what was wrong, kept in the history and told to askers",
                       by="who is making the change (default: your login name)",
                       notify="do not tell the people it was sent to")
    edit.set_defaults(func=cmd_faq_edit)


def _corrections(args, work) -> int:
    from bot.content.corrections import FaqCorrections
    from bot.content.store import ContentError

    settings = settings_from(args)

    async def run() -> int:
        async with store_session(settings, args.clock) as (store, _catalogues, seeded):
            if not seeded:
                print("sencobot faq: the content store is empty (run `sencobot kb import` first)", file=sys.stderr)
                return 1
            from bot.reminders.assembly import build_reminders
            from integrations.db.inbox import InboxRepository

            database = store.repository.database
            notifier = build_reminders(settings, database, args.clock).notifier
            corrections = FaqCorrections(store, InboxRepository(database), notifier, args.clock,
                                         team_name=settings.team_name)
            try:
                return await work(corrections)
            except ContentError as exc:
                print(f"sencobot faq: {exc}", file=sys.stderr)
                return 1

    return asyncio.run(run())


def cmd_faq_withdraw(args) -> int:
    async def work(corrections) -> int:
        done = await corrections.withdraw(args.id, by=who(args), why=args.why, notify=not args.no_notify)
        print(f"withdrew {args.id} (change {done.change}); {done.told} asker(s) will be told")
        return 0

    return _corrections(args, work)


def cmd_faq_edit(args) -> int:
    async def work(corrections) -> int:
        done = await corrections.edit(args.id, args.answer, by=who(args), why=args.why, notify=not args.no_notify)
        print(f"corrected {args.id} (change {done.change}); {done.told} asker(s) will be told")
        return 0

    return _corrections(args, work)


# -- sencobot kb show|edit -----------------------------------------------------------------------


def _editing(args, work) -> int:
    from bot.content.editing import ContentEditor, EditError
    from bot.privacy.edge import redactor_for

    settings = settings_from(args)

    async def run() -> int:
        async with store_session(settings, args.clock) as (store, _catalogues, _seeded):
            editor = ContentEditor(store, redactor=redactor_for(settings), seed_dir=data_dir_of(settings))
            try:
                return await work(editor)
            except EditError as exc:
                print(f"sencobot kb: {exc}", file=sys.stderr)
                return 1

    return asyncio.run(run())


def cmd_kb_show(args) -> int:
    async def work(editor) -> int:
        found = await editor.find(args.kind, args.id, by=who(args))
        if len(found) != 1:
            print(f"{len(found)} {args.kind} items match {args.id!r}" + (":" if found else "."))
            for f in found:
                print(f"  {f.key}  {f.title}")
            return 1 if not found else 0
        item = await editor.item(args.kind, found[0].key)
        print(f"{item.kind} {item.key} (last changed by {item.updated_by})")
        for name, value in editor.values(item).items():
            print(f"  {name}: {value}")
        return 0

    return _editing(args, work)


def cmd_kb_edit(args) -> int:
    changes = assignments(args.set, "kb edit")
    if changes is None:
        return 2

    async def work(editor) -> int:
        made = await editor.correct(args.kind, args.id, changes, by=who(args), why=args.why)
        print(f"corrected {args.kind} {args.id} ({', '.join(changes)}) as change {made.id}; every replica answers "
              "from it within seconds (undo with `sencobot kb revert " + str(made.id) + "`)")
        return 0

    return _editing(args, work)
