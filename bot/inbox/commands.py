"""Staff commands for the FAQ collation inbox: inbox list/answer/export/digest, faq export,
kb export, and redact (stdin lines to redacted lines)."""
from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Awaitable, Callable

from bot.cli import settings_from
from bot.commands import action, correction_options, group
from integrations.db.inbox import QUERY_STATUSES


def register(sub) -> None:
    actions = group(sub, "inbox", "the FAQ collation inbox: questions waiting for the inclusion team")

    listing = actions.add_parser("list", help="questions needing an answer (oldest first)")
    listing.add_argument("--status", choices=QUERY_STATUSES, default=None, help="only questions with this status")
    listing.add_argument("--all", action="store_true", help="every logged query, not only those needing an answer")
    listing.set_defaults(func=cmd_inbox_list)

    answer = actions.add_parser("answer", help="answer a question (and its whole group); askers are sent it")
    answer.add_argument("id", help="question id from `inbox list` (the first 8 characters are enough)")
    answer.add_argument("--text", required=True, help="the answer")
    answer.add_argument("--by", default=None, help="who answered (default: the team name)")
    answer.set_defaults(func=cmd_inbox_answer)

    groups = actions.add_parser("groups", help="groups of similar questions waiting (ids for merge and publish)")
    groups.set_defaults(func=cmd_inbox_groups)

    merge = actions.add_parser("merge", help="merge group A into group B (the same question; answered once)")
    merge.add_argument("source", help="the group to merge away (the first 8 characters of its id are enough)")
    merge.add_argument("target", help="the group it is the same question as")
    merge.add_argument("--by", default=None, help="who is merging (recorded; default: your login name)")
    merge.set_defaults(func=cmd_inbox_merge)

    publish = actions.add_parser("publish", help="publish an answered group as an FAQ entry (answered at once)")
    publish.add_argument("id", help="the group's id (or its start)")
    publish.add_argument("--question", default=None, help="the question as it should read in the FAQ")
    publish.add_argument("--topic", default=None, help="the FAQ topic (default: inbox.default_topic)")
    publish.add_argument("--answer", default=None, help="answer it first (sent to every asker) if not answered")
    publish.add_argument("--by", default=None, help="who is publishing (recorded; default: your login name)")
    publish.set_defaults(func=cmd_inbox_publish)

    published = actions.add_parser("published", help="answers published from the inbox")
    published.set_defaults(func=cmd_inbox_published)

    correct = actions.add_parser("edit", help="correct a published answer (people given the old one are told)")
    correct.add_argument("id", help="the published answer's FAQ id, or its group's id (or its start)")
    correct.add_argument("--answer", required=True, help="the corrected answer")
    correct.add_argument("--question", default=None, help="a corrected question wording")
    correction_options(correct, why="what was wrong (kept in the history, told to askers)",
                       by="who is correcting (recorded; default: your login name)",
                       notify="do not tell the people given the old answer")
    correct.set_defaults(func=cmd_inbox_edit)

    unpublish = actions.add_parser("unpublish", help="withdraw a published answer (its group goes back to the inbox)")
    unpublish.add_argument("id", help="the published answer's FAQ id, or its group's id (or its start)")
    correction_options(unpublish, why="the reason (kept in the history, told to askers)",
                       by="who is unpublishing (recorded; default: your login name)",
                       notify="do not tell the people it was sent to")
    unpublish.set_defaults(func=cmd_inbox_unpublish)

    export = actions.add_parser("export", help="the query log as CSV (redacted)")
    export.add_argument("--format", choices=("csv",), default="csv")
    export.add_argument("--out", default="-", help="file to write (default: standard output)")
    export.add_argument("--needing-answer", action="store_true", help="only questions flagged for the team")
    export.set_defaults(func=cmd_inbox_export)

    digest = actions.add_parser("digest", help="print the digest of new questions; --send emails it now")
    digest.add_argument("--send", action="store_true", help="send it to the team mailbox and mark the questions")
    digest.set_defaults(func=cmd_inbox_digest)

    faq_actions = group(sub, "faq", "the Frequently Asked Questions document")
    faq_export = faq_actions.add_parser("export", help="write the FAQ document (md, html or docx)")
    faq_export.add_argument("--format", choices=("md", "html", "docx"), required=True)
    faq_export.add_argument("--out", required=True, help="file to write")
    faq_export.add_argument("--new-since", type=date.fromisoformat, default=None,
                            help="mark as new only entries published on or after this date (YYYY-MM-DD)")
    faq_export.set_defaults(func=cmd_faq_export)

    kb_export = group(sub, "kb", "the knowledge base").add_parser(
        "export", help="--out DIR: the shared content store as YAML files; --out FILE.yaml: entries published "
                       "from the inbox (default: the knowledge folder's faq/published.yaml)"
    )
    kb_export.add_argument("--out", default=None, help="a folder (the whole store) or a .yaml file (published entries)")
    kb_export.set_defaults(func=cmd_kb_export)

    action(sub, "redact", cmd_redact, "redact personal data from stdin, one line out per line in")


def _with_assistant(args, work: Callable[..., Awaitable[int]]) -> int:
    """Runs `work(assistant)` against the configured database, migrated first. Teams messages it asks for
    (answers to askers) are queued in the delivery outbox, which the running assistant sends."""
    settings = settings_from(args)

    async def run() -> int:
        from bot.assistant import build_assistant
        from bot.core import build_core
        from integrations.db import Database
        from integrations.db.migrate import upgrade

        database = Database(settings.database.url)
        try:
            await upgrade(database)
            assistant = build_assistant(build_core(settings, clock=args.clock, database=database))
            await assistant.features.inbox.service.publishing.ensure_published_loaded()
            return int(await work(assistant) or 0)
        finally:
            await database.dispose()

    return asyncio.run(run())


# -- inbox ----------------------------------------------------------------------------------


def cmd_inbox_list(args) -> int:
    from bot.clock import british_datetime

    async def work(assistant) -> int:
        queries = await assistant.features.inbox.service.export.list_queries(status=args.status, include_all=args.all)
        if not queries:
            print("No questions." if args.all or args.status else "No questions need an answer.")
            return 0
        groups: dict[str, int] = {}
        for q in queries:
            if q.cluster_id:
                groups[q.cluster_id] = groups.get(q.cluster_id, 0) + 1
        for q in queries:
            group = f"group {q.cluster_id[:8]} (×{groups[q.cluster_id]})" if q.cluster_id else "no group"
            print(f"{q.id[:8]}  {british_datetime(q.asked_at)}  {q.channel:<7}  {q.status:<9}  {group}")
            print(f"          {q.text}")
        print(f"{len(queries)} question{'s' if len(queries) != 1 else ''}.")
        return 0

    return _with_assistant(args, work)


def cmd_inbox_answer(args) -> int:
    from bot.inbox.views import InboxError

    async def work(assistant) -> int:
        try:
            outcome = await assistant.features.inbox.service.answers.answer_query(
                args.id, args.text, by=args.by or assistant.core.settings.team_name)
        except InboxError as exc:
            print(f"sencobot inbox answer: {exc}", file=sys.stderr)
            return 1
        d = outcome.delivery
        # "Queued", not "sent": the running assistant's scheduler delivers Teams messages, and only it
        # learns whether Teams took them.
        print(f"Answered group {outcome.cluster.id[:8]}: {d.teams} queued for Teams, {d.email} sent by email"
              + (f"; {d.pending} will be sent by the running assistant" if d.pending else "")
              + (f"; {d.undeliverable} can't be reached in Teams (no conversation with them is stored: they "
                 "need to message the assistant first)" if d.undeliverable else "") + ".")
        if outcome.redactions:
            print(f"Removed {outcome.redactions} piece(s) of personal data from the answer.")
        return 0

    return _with_assistant(args, work)


def _who(args) -> str:
    from bot.content.commands import who

    return who(args)


def _inbox_action(args, name: str, work) -> int:
    """Runs a staff action on the inbox, printing its refusal (InboxError) as one line."""
    from bot.inbox.views import InboxError

    async def guarded(assistant) -> int:
        try:
            return int(await work(assistant.features.inbox.service, assistant) or 0)
        except InboxError as exc:
            print(f"sencobot inbox {name}: {exc}", file=sys.stderr)
            return 1

    return _with_assistant(args, guarded)


def cmd_inbox_groups(args) -> int:
    from bot.clock import british_datetime

    async def work(inbox, assistant) -> int:
        views = await inbox.triage.clusters()
        for view in views:
            state = "answered" if view.status == "answered" else "open"
            print(f"{view.id[:8]}  {state:<8}  asked {view.count}×, first {british_datetime(view.first_asked)}")
            print(f"          {view.question}")
        print(f"{len(views)} group{'s' if len(views) != 1 else ''} waiting.")
        return 0

    return _inbox_action(args, "groups", work)


def cmd_inbox_merge(args) -> int:
    async def work(inbox, assistant) -> int:
        source = await inbox.triage.group_id(args.source)
        target = await inbox.triage.group_id(args.target)
        view = await inbox.triage.merge(source, target, by=_who(args))
        print(f"Merged group {source[:8]} into {target[:8]}: \"{view.question}\" has now been asked "
              f"{view.count} time{'s' if view.count != 1 else ''}.")
        return 0

    return _inbox_action(args, "merge", work)


def cmd_inbox_publish(args) -> int:
    async def work(inbox, assistant) -> int:
        group = await inbox.triage.group_id(args.id)
        entry = await inbox.publishing.publish(group, by=_who(args), question=args.question, topic=args.topic,
                                               answer=args.answer)
        print(f"Published \"{entry.question}\" as FAQ entry {entry.id} ({entry.source.session}); every replica "
              "answers it within seconds.")
        return 0

    return _inbox_action(args, "publish", work)


def cmd_inbox_published(args) -> int:
    from bot.clock import british_datetime

    async def work(inbox, assistant) -> int:
        entries = await inbox.publishing.published_entries()
        for entry in entries:
            print(f"{entry.faq_id}  group {(entry.cluster_id or '-')[:8]}  published by {entry.published_by} on "
                  f"{british_datetime(entry.published_at)}")
            print(f"          {entry.question}")
        print(f"{len(entries)} published answer{'s' if len(entries) != 1 else ''}.")
        return 0

    return _inbox_action(args, "published", work)


def cmd_inbox_edit(args) -> int:
    async def work(inbox, assistant) -> int:
        done = await inbox.publishing.correct(args.id, args.answer, question=args.question, by=_who(args),
                                              why=args.why, notify=not args.no_notify)
        print(f"Corrected \"{done.question}\" (change {done.change}); {done.told} asker(s) will be told.")
        return 0

    return _inbox_action(args, "edit", work)


def cmd_inbox_unpublish(args) -> int:
    async def work(inbox, assistant) -> int:
        entry, done = await inbox.publishing.unpublish(args.id, by=_who(args), why=args.why,
                                                       notify=not args.no_notify)
        told = f"; {done.told} asker(s) will be told" if done else ""
        print(f"Unpublished {entry.faq_id} (group {(entry.cluster_id or '-')[:8]} is back in the inbox as "
              f"answered){told}.")
        return 0

    return _inbox_action(args, "unpublish", work)


def cmd_inbox_export(args) -> int:
    async def work(assistant) -> int:
        text = await assistant.features.inbox.service.export.export_csv(include_all=not args.needing_answer)
        _write(args.out, text)
        return 0

    return _with_assistant(args, work)


def cmd_inbox_digest(args) -> int:
    from datetime import timedelta

    from bot.inbox.digest import DigestService, parse_time_of_day

    async def work(assistant) -> int:
        settings = assistant.core.settings
        digest = DigestService(
            assistant.features.inbox.service.repo, mail=assistant.core.mail, team_name=settings.team_name,
            team_mailbox=settings.team_mailbox, recipient=settings.inbox.digest_to,
            interval=timedelta(hours=settings.inbox.digest_interval_hours),
            at=parse_time_of_day(settings.inbox.digest_time),
        )
        message, ids = await digest.compose(assistant.core.clock.now())
        if not args.send:
            print(f"Subject: {message['Subject']}\n")
            print(message.get_content())
            return 0
        if assistant.core.mail is None:
            print("sencobot inbox digest: mail is not enabled (mail.enabled in app.yaml)", file=sys.stderr)
            return 1
        if not ids:
            print("No new questions: nothing sent.")
            return 0
        await assistant.core.mail.send(message)
        await assistant.features.inbox.service.repo.mark_digested(ids, assistant.core.clock.now())
        print(f"Digest of {len(ids)} question{'s' if len(ids) != 1 else ''} sent to {message['To']}.")
        return 0

    return _with_assistant(args, work)


# -- faq / kb -------------------------------------------------------------------------------


async def export_faq(assistant, fmt: str, out: Path, new_since: date | None = None) -> Path:
    """Writes the FAQ document from the live knowledge base (files plus published answers)."""
    from bot.inbox.faq_document import build_document
    from bot.rendering import environment
    from integrations.faq_export import write_document

    inbox = assistant.features.inbox.service
    await inbox.publishing.ensure_published_loaded()
    published = {e.faq_id: e.published_at for e in await inbox.publishing.published_entries()}
    updated_at = max(published.values(), default=None)
    content = assistant.features.content
    # The live state: the shared content store's entries (withdrawn ones gone, corrections in).
    if await content.store.is_seeded():
        await content.poll()
        changes = await content.store.history(kind="faq", limit=1)
        if changes:
            updated_at = max(filter(None, (updated_at, changes[0].changed_at)))
    document = build_document(
        assistant.core.answerer.answerer.kb,
        published=published,
        now=assistant.core.clock.now(),
        team_mailbox=assistant.core.settings.team_mailbox,
        new_since=new_since,
        updated_at=updated_at,
    )
    return write_document(document, fmt, Path(out), environment())


def cmd_faq_export(args) -> int:
    async def work(assistant) -> int:
        out = await export_faq(assistant, args.format, Path(args.out), args.new_since)
        print(f"FAQ document written to {out}")
        return 0

    return _with_assistant(args, work)


def published_yaml(entries) -> str:
    """Entries published from the inbox in the knowledge files' own format (knowledge/README.md)."""
    import yaml

    items = []
    for e in entries:
        source = {"session": e.session}
        if e.presenter:
            source["presenter"] = e.presenter
        source["forum"] = e.forum
        item = {"id": e.faq_id, "question": e.question}
        if e.alternatives:
            item["alternatives"] = list(e.alternatives)
        item.update({"answer": e.answer, "source": source, "tags": list(e.tags)})
        items.append(item)
    header = (
        "# Answers the Inclusion team published from the FAQ collation inbox.\n"
        "# Written by `sencobot kb export` for review in version control; the database is the live copy,\n"
        "# so edit an answer by publishing it again rather than here.\n"
    )
    return header + yaml.safe_dump({"entries": items}, sort_keys=False, allow_unicode=True, width=100)


def cmd_kb_export(args) -> int:
    from knowledge.loader import DEFAULT_DATA_DIR

    if args.out and not args.out.endswith((".yaml", ".yml")):
        # A folder: the shared content store's live state, as the knowledge folder's YAML files.
        from bot.content.commands import cmd_kb_export as export_store

        return export_store(args)

    async def work(assistant) -> int:
        entries = await assistant.features.inbox.service.publishing.published_entries()
        configured = assistant.core.settings.knowledge.data_dir
        data_dir = Path(configured) if configured else DEFAULT_DATA_DIR
        out = Path(args.out) if args.out else data_dir / "faq" / "published.yaml"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(published_yaml(entries), encoding="utf-8")
        print(f"{len(entries)} published entr{'y' if len(entries) == 1 else 'ies'} written to {out}")
        return 0

    return _with_assistant(args, work)


# -- redact ---------------------------------------------------------------------------------


def cmd_redact(args) -> int:
    from bot.privacy.edge import redactor_for
    from bot.privacy.redaction import redact_lines

    settings = settings_from(args)
    redactor = redactor_for(settings)
    for line in redact_lines(sys.stdin, redactor):
        sys.stdout.write(line)
    sys.stdout.flush()
    return 0


def _write(out: str, text: str) -> None:
    if out == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text, encoding="utf-8", newline="")
