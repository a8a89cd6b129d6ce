"""Core commands: serve, chat, ask, db, kb, config."""
from __future__ import annotations

import asyncio
import json
import sys

from bot.cli import settings_from
from bot.commands import action, group


def register(sub) -> None:
    serve = sub.add_parser("serve", help="run the bot's web app")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(func=cmd_serve)

    chat = sub.add_parser("chat", help="talk to the assistant in this terminal")
    chat.add_argument("--staff", metavar="NAME", default=None,
                      help="chat as a member of the inclusion team (answer the inbox, review drafts); NAME is recorded")
    chat.set_defaults(func=cmd_chat)

    ask = sub.add_parser("ask", help="answer one question, or JSON lines from stdin with --jsonl")
    ask.add_argument("question", nargs="?", default=None)
    ask.add_argument("--jsonl", action="store_true", help="read questions one per line, write JSON lines")
    ask.set_defaults(func=cmd_ask)

    db_sub = group(sub, "db", "database schema")
    action(db_sub, "upgrade", cmd_db_upgrade, "apply migrations")

    kb_actions = group(sub, "kb", "the knowledge base")
    kb_check = kb_actions.add_parser("check", help="validate the knowledge files (FAQ, glossary, catalogues)")
    kb_check.add_argument("--path", default=None, help="knowledge folder (default: the configured one)")
    kb_check.set_defaults(func=cmd_kb_check)
    kb_closest = kb_actions.add_parser(
        "closest", help="for each question on stdin (e.g. declined ones), the entries the answerer ranks closest")
    kb_closest.set_defaults(func=cmd_kb_closest)
    kb_confirm = kb_actions.add_parser(
        "confirm", help="record that a question means an entry: training data for the next model build")
    kb_confirm.add_argument("question")
    kb_confirm.add_argument("faq_id")
    kb_confirm.add_argument("--by", default=None, help="who confirmed it")
    kb_confirm.set_defaults(func=cmd_kb_confirm)
    kb_train = kb_actions.add_parser("train", help="rebuild the entry vectors and the decision model (reproducible)")
    kb_train.set_defaults(func=cmd_kb_train)
    action(sub, "config", cmd_config, "print the effective settings (secrets masked)")


def cmd_serve(args) -> int:
    from aiohttp import web

    from bot.app import create_app
    from bot.security import check_listen_address

    settings = settings_from(args)
    overrides = {}
    if args.host:
        overrides["server.host"] = args.host
    if args.port is not None:
        overrides["server.port"] = args.port
    if overrides:
        settings = settings.replace(**overrides)
    check_listen_address(settings)
    if settings.bot.app_id and not settings.link_signing_key:
        from bot.settings import SettingsError
        from bot.signed_links import MISSING_KEY

        # Before migrating anything: a replica with a key of its own would hand out links others refuse.
        raise SettingsError(MISSING_KEY)
    asyncio.run(_upgrade(settings))
    asyncio.run(_seed_content(settings, args.clock))
    app = create_app(settings, clock=args.clock)
    print(f"SENCO Forum Assistant listening on http://{settings.server.host}:{settings.server.port}/api/messages",
          flush=True)
    from bot.access_log import PrivateAccessLogger

    web.run_app(app, host=settings.server.host, port=settings.server.port, print=None,
                access_log_class=PrivateAccessLogger)
    return 0


async def _upgrade(settings) -> None:
    from integrations.db import Database
    from integrations.db.migrate import upgrade

    database = Database(settings.database.url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()


async def _seed_content(settings, clock) -> None:
    """An empty content store is seeded from the YAML knowledge folder, once (the first replica to start)."""
    from bot.content.commands import store_session
    from bot.content.store import ContentError
    from knowledge.loader import data_dir

    async with store_session(settings, clock) as (store, _catalogues, seeded):
        if seeded:
            return
        try:
            counts = await store.import_directory(data_dir(settings.knowledge.data_dir or None),
                                                  by="sencobot serve", why="first start: seeded from YAML")
        except ContentError as exc:
            print(f"content store not seeded: {exc}", flush=True)
            return
        print("content store seeded: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())), flush=True)


def cmd_db_upgrade(args) -> int:
    settings = settings_from(args)
    asyncio.run(_upgrade(settings))
    print("database is up to date")
    return 0


def _kb_feedback(args):
    """The feedback service the close-calls card in Teams uses, over the configured knowledge base."""
    from pathlib import Path

    from bot.faq.feedback import KbFeedback
    from knowledge.engine import Answerer
    from knowledge.loader import load_knowledge

    settings = settings_from(args)
    confirmed = settings.knowledge.confirmed_file
    return KbFeedback(Answerer(load_knowledge(settings.knowledge.data_dir or None)), args.clock,
                      confirmed_path=Path(confirmed) if confirmed else None)


def cmd_kb_closest(args) -> int:
    feedback = _kb_feedback(args)
    for line in sys.stdin:
        question = line.strip()
        if not question:
            continue
        print(json.dumps({"question": question, "closest": [
            {"faq_id": c.faq_id, "probability": c.probability, "entry": c.question}
            for c in feedback.closest(question)]}, ensure_ascii=False))
    return 0


def cmd_kb_confirm(args) -> int:
    from bot.faq.feedback import FeedbackError

    feedback = _kb_feedback(args)
    try:
        done = feedback.confirm(args.question, args.faq_id, by=args.by)
    except FeedbackError as exc:
        print(f"sencobot kb confirm: {exc}", file=sys.stderr)
        return 2
    if not done.recorded:
        print(f"already recorded: {done.question!r} is {done.faq_id}")
        return 0
    print(f"recorded: {done.question!r} is {done.faq_id} (used by the next `sencobot kb train`)")
    return 0


def cmd_kb_train(args) -> int:
    from knowledge.train import main as train_main

    return train_main([])


def cmd_kb_check(args) -> int:
    from knowledge.check import check, errors

    settings = settings_from(args)
    path = args.path or settings.knowledge.data_dir or None
    problems = check(path)
    for problem in problems:
        print(problem)
    failed = len(errors(problems))
    print(f"{failed} error(s), {len(problems) - failed} warning(s)")
    return 1 if failed else 0


def cmd_config(args) -> int:
    settings = settings_from(args)
    print(json.dumps(settings.masked(), indent=2))
    return 0


CONSOLE_STAFF_ID = "console-staff"


def cmd_chat(args) -> int:
    settings = settings_from(args)

    async def run():
        from bot.console import run_console
        from bot.assistant import build_assistant
        from bot.core import build_core

        chat_settings, who = settings, {}
        if args.staff:
            # The terminal is the operator's own: whoever runs `chat --staff` is trusted as staff.
            chat_settings = settings.replace(**{"bot.staff_ids": [*settings.bot.staff_ids, CONSOLE_STAFF_ID]})
            who = {"user_id": CONSOLE_STAFF_ID, "name": args.staff}
        await _upgrade(chat_settings)
        core = build_core(chat_settings, clock=args.clock)
        try:
            await run_console(build_assistant(core).bot, **who)
        finally:
            await core.database.dispose()

    asyncio.run(run())
    return 0


def cmd_ask(args) -> int:
    settings = settings_from(args)
    if not args.jsonl and not args.question:
        print("sencobot ask: give a question, or --jsonl to read questions from stdin", file=sys.stderr)
        return 2

    async def run() -> int:
        from bot.assistant import build_assistant
        from bot.core import build_core

        await _upgrade(settings)
        core = build_core(settings, clock=args.clock)
        try:
            assistant = build_assistant(core)
            if args.jsonl:
                for line in sys.stdin:
                    question = line.strip()
                    if question:
                        result = await answer_as_chat(assistant, question)
                        print(json.dumps(result.as_dict(), ensure_ascii=False), flush=True)
                return 0
            _print_answer(await answer_as_chat(assistant, args.question))
            return 0
        finally:
            await core.database.dispose()

    return asyncio.run(run())


async def answer_as_chat(assistant, question: str):
    """What the chat answers a question no command claims (bot.content.install's fallback order): the
    shared content store brought up to date, a dated question from the live catalogues, else the FAQ
    engine with published answers loaded. Nothing is logged: this is a rehearsal, not a user's question."""
    from knowledge.models import AnswerResult

    content = assistant.features.content
    await content.poll()
    found = await content.live.answer(question, None)
    if found is not None:
        return AnswerResult(question=question, outcome="answer", confidence=1.0, answer_text=found.plain())
    await assistant.features.inbox.service.publishing.ensure_published_loaded()
    return assistant.core.answerer.ask(question)


def _print_answer(result) -> None:
    if result.outcome == "answer":
        print(result.answer_text)
        if result.source_line:
            print(f"Source: {result.source_line}")
    elif result.outcome == "suggest":
        print("Did you mean:")
        for suggestion in result.suggestions:
            print(f"  - {suggestion.question}")
    else:
        print("I don't know: the forum hasn't covered that. It would be logged for the inclusion team.")
