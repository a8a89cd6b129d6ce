"""A child's name typed in any channel never reaches the database, a CSV, an email, a Teams message
sent on, or a log line.

One test per channel. Each types a message naming a child the way SENCOs and staff write, drives the
product as far as that text can travel (stored, exported, mailed, delivered to Teams, shown to staff),
then searches everything: every column of every table (bot state and queued mail included), every
email sent, every Teams message delivered, the CSVs, and every log record at DEBUG and above. Each
test also checks that the redacted text itself arrived, so a channel that silently stored nothing
cannot pass.
"""
from __future__ import annotations

import asyncio
import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import policy
from email.parser import BytesParser
from email.utils import make_msgid

import pytest

from bot.assistant import build_assistant
from bot.cli import main
from bot.core import build_core
from bot.evaluations.messages import SUBMIT_ACTION
from bot.inbox.digest import DigestService
from integrations.db.metadata import metadata
from tests.privacy.conftest import STAFF_AAD, World, teams_id
from tests.reminders.conftest import RecordingSender
from tests.fakes.http import serving

TEAM = "inclusion@kent.gov.uk"
FORUM = "term4-2025"


class RecordingMail:
    """Stands in for SMTP: keeps every message the product sends."""

    def __init__(self):
        self.sent = []

    async def send(self, message) -> None:
        self.sent.append(message)


@dataclass
class Outputs:
    """Everything that left the product besides the database."""

    mails: list = field(default_factory=list)
    teams: list = field(default_factory=list)
    files: list = field(default_factory=list)


@pytest.fixture
async def world(privacy_settings, clock, sqlite_db) -> World:
    settings = privacy_settings.replace(team_mailbox=TEAM)
    core = build_core(settings, clock=clock, database=sqlite_db, mail=RecordingMail())
    return World(core, build_assistant(core), clock)


@pytest.fixture
def logs(caplog):
    # Our own code at DEBUG; libraries at INFO (a database driver's DEBUG trace echoes every statement,
    # and that level is never switched on in production).
    caplog.set_level(logging.INFO)
    for name in ("bot", "dialogs", "integrations", "knowledge"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _email_text(message) -> str:
    parts = [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def _cell_text(value) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        # Queued mail is stored as the raw message: read it decoded, as a mail client would.
        return _email_text(BytesParser(policy=policy.default).parsebytes(bytes(value)))
    return "" if value is None else str(value)


async def database_text(database, *, skip=lambda table_name, row: False) -> dict[str, str]:
    """table.column -> every value in it, joined (rows for which ``skip(table name, row)`` holds left out)."""
    import integrations.db.tables  # noqa: F401  (every table registered on the metadata)
    from sqlalchemy import select

    found: dict[str, str] = {}
    async with database.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in await conn.execute(select(table)):
                if skip(table.name, row._mapping):
                    continue
                for column, value in row._mapping.items():
                    key = f"{table.name}.{column}"
                    found[key] = found.get(key, "") + "\n" + _cell_text(value)
    return found


def _log_text(caplog) -> str:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        lines.append(repr(record.args))
        if record.exc_text:
            lines.append(record.exc_text)
    return "\n".join(lines)


async def assert_nowhere(world: World, names: tuple[str, ...], outputs: Outputs, caplog, *,
                         stored: str = "[name]") -> None:
    """None of ``names`` anywhere; ``stored`` (the redacted form) does reach the database."""
    tables = await database_text(world.database)
    places = {f"database {key}": text for key, text in tables.items()}
    mails = [*world.services.mail.sent, *outputs.mails]
    places.update({f"email {i}": _email_text(m) for i, m in enumerate(mails)})
    places.update({f"teams message {i}": f"{text} {card}" for i, (_, text, card) in enumerate(outputs.teams)})
    places.update({f"file {i}": text for i, text in enumerate(outputs.files)})
    places["logs"] = _log_text(caplog)
    leaks = [(where, name) for where, text in places.items() for name in names if name.lower() in text.lower()]
    assert not leaks, f"the name reached: {leaks}"
    assert any(stored in text for key, text in tables.items()), f"{stored!r} was stored nowhere"


async def deliver_teams(world: World, outputs: Outputs) -> None:
    sender = RecordingSender()
    await world.reminders.worker(sender).run_once()
    outputs.teams.extend(sender.sent)


def card_texts(replies) -> str:
    return "\n".join(r.text + " " + repr(r.card) for r in replies)


async def staff_inbox(world: World) -> str:
    """The cards staff see: what the inclusion team is shown of a question is forwarded text too."""
    return card_texts(await world.staff().says("inbox"))


# -- Teams and console questions -------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["msteams", "console"])
async def test_a_question_typed_in_teams_or_the_console(world, logs, channel):
    names = ("Amelia", "Kowalczyk")
    sam = world.talk(1)
    if channel == "console":
        from bot.console import Conversation

        sam = Conversation(world.assistant.bot, user_id="console-user", name="Console User", channel_id="console")
    replies = await sam.says("Amelia-Rose Kowalczyk in Year 4 has an EHCP. Can she have a reader in the SATs, "
                             "or does the school apply to the STA?")
    inbox = world.assistant.features.inbox.service
    await inbox.log.escalate(query_id=(await inbox.export.list_queries(include_all=True))[0].id, asker_id=sam.user.id)
    digest = DigestService(inbox.repo, mail=lambda: None, team_name="Inclusion team", team_mailbox=TEAM,
                           recipient=TEAM, interval=timedelta(days=1), at=world.clock.now().time())
    message, _ = await digest.compose(world.clock.now())
    outputs = Outputs(mails=[message], files=[await inbox.export.export_csv(), await staff_inbox(world),
                                              card_texts(replies)])
    [query] = await inbox.export.list_queries(include_all=True)
    assert query.channel == ("console" if channel == "console" else "teams")
    await assert_nowhere(world, names, outputs, logs)


# -- email -------------------------------------------------------------------------------------------


def _raw_mail(subject: str, body: str, sender: str = "Sam Senco <sam.senco@school.kent.sch.uk>") -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = sender
    message["To"] = TEAM
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="school.kent.sch.uk")
    message["Date"] = "Tue, 01 Apr 2025 09:30:00 +0100"
    message.set_content(body)
    return bytes(message)


async def _staff_answers_everything(world: World, answer: str) -> None:
    staff = world.staff()
    cards = await staff.says("inbox")
    for press in [data for r in cards for title, data in r.choices if title == "Answer"]:
        await staff.presses(dict(press, answer=answer))


async def test_an_email_body_and_subject_and_the_replies(world, logs):
    names = ("Tilly", "Ashworth")
    assistant = world.assistant.features.mail.assistant
    handled = await assistant.handle(_raw_mail(
        "Exam access for Tilly Ashworth-Blake (DOB 12/03/2015)",
        "Hello,\n\nTilly Ashworth-Blake in Year 4 has an EHCP and a processing delay. Who decides on a reader "
        "for the KS2 tests, and do we need evidence from the educational psychologist?\n\nKind regards\nSam"))
    assert handled.new
    await assistant.flush_outbox()
    auto_replies = list(world.services.mail.sent)
    assert auto_replies, "the auto-reply was sent (and its subject checked below)"
    await _staff_answers_everything(world, "Yes: Tilly Ashworth-Blake can have a reader if it is her normal way "
                                           "of working. Ask Clara Green on 03000 410816.")
    await deliver_teams(world, outputs := Outputs())
    answer_mails = [m for m in world.services.mail.sent if m not in auto_replies]
    assert answer_mails, "the staff answer went back to the asker by email"
    outputs.files.append(await world.assistant.features.inbox.service.export.export_csv())
    await assert_nowhere(world, names, outputs, logs)


async def test_forwarded_mail(world, logs):
    names = ("Ellis", "Fairbrother")
    assistant = world.assistant.features.mail.assistant
    await assistant.handle(_raw_mail(
        "Fwd: Concerns about Ellis Fairbrother-Quinn",
        "FYI, see below from mum. What should we say about the annual review?\n\n"
        "---------- Forwarded message ---------\nFrom: Jo Fairbrother <jo.fairbrother@gmail.com>\n"
        "Subject: Ellis\n\nEllis Fairbrother-Quinn is not coping in Year 6 and I want a new EHCP assessment."))
    await assistant.flush_outbox()
    await _staff_answers_everything(world, "Ellis Fairbrother-Quinn's review can be brought forward.")
    outputs = Outputs(files=[await world.assistant.features.inbox.service.export.export_csv(), await staff_inbox(world)])
    await assert_nowhere(world, names, outputs, logs)


# -- evaluations -------------------------------------------------------------------------------------


async def _report_csv(world: World, tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("DATABASE_URL", world.services.settings.database.url)
    monkeypatch.setenv("SENCOBOT_TEAM_MAILBOX", TEAM)
    monkeypatch.setenv("SENCOBOT_LINK_SIGNING_KEY", "test-signing-key")
    out = tmp_path / "report"
    assert await asyncio.to_thread(main, ["evaluations", "report", FORUM, "--out", str(out)]) == 0
    return "\n".join(path.read_text(encoding="utf-8") for path in out.iterdir() if path.suffix in (".csv", ".txt",
                                                                                                    ".json"))


async def test_evaluation_comments_from_the_teams_card(world, logs, tmp_path, monkeypatch):
    names = ("Oskar", "Wójcik")
    replies = await world.talk(1).presses({
        "action": SUBMIT_ACTION, "forum_id": FORUM, "overall": "4",
        "most_useful": "The continuum: Oskar Wójcik (Y5) is exactly the child it describes",
        "could_be_better": "More on transition for Oskar Wójcik's cohort",
        "topics_other": "Transition for children like Oskar Wójcik in Year 5"})
    assert any("evaluation of the" in r.text for r in replies)
    results = card_texts(await world.staff().says("evaluation results"))
    outputs = Outputs(files=[await _report_csv(world, tmp_path, monkeypatch), results])
    await assert_nowhere(world, names, outputs, logs)


async def test_evaluation_comments_from_the_web_form(world, logs, tmp_path, monkeypatch):
    import aiohttp

    from bot.app import create_app

    names = ("Mateusz", "Zieli")
    service = world.assistant.features.evaluations.service
    link = await service.form_link(service.forum(FORUM), teams_id(2), channel="teams")
    app = create_app(world.services.settings, core=world.services, run_background=False)
    path = link[len("https://bot.example.org"):]
    async with serving(app) as base:
        async with aiohttp.ClientSession() as session:
            fields = [("overall", "5"), ("most_useful", "Mateusz Zielinski in Year 2 will benefit from the toolkit"),
                      ("could_be_better", "Time to discuss Mateusz Zielinski's plan"), ("topics_other", "")]
            async with session.post(f"{base}{path}", data=fields) as response:
                assert response.status == 200
    assert (await service.answers_of(FORUM, teams_id(2))) is not None
    outputs = Outputs(files=[await _report_csv(world, tmp_path, monkeypatch)])
    await assert_nowhere(world, names, outputs, logs)


# -- answer feedback ---------------------------------------------------------------------------------


async def test_answer_feedback_and_escalation(world, logs):
    names = ("Zainab", "Haddad")
    sam = world.talk(1)
    await sam.says("What is the deadline for NPQ SENCO applications?")
    inbox = world.assistant.features.inbox.service
    [query] = await inbox.export.list_queries(include_all=True)
    # Only the verdict is kept: a card (or a hand-made submit) carrying text has it ignored.
    await sam.presses({"action": "faq.feedback", "query_id": query.id, "helpful": False,
                       "comment": "Not for Zainab Haddad-Morris in reception"})
    await sam.presses({"action": "faq.escalate", "query_id": query.id,
                       "comment": "Zainab Haddad-Morris has no EHCP yet"})
    # What people do after "No": say what they meant, in their own words.
    await sam.says("I meant for Zainab Haddad-Morris in reception, she has no EHCP yet. Can she still get "
                   "top-up funding?")
    [first] = [q for q in await inbox.export.list_queries(include_all=True) if q.id == query.id]
    assert first.helpful is False and first.needs_answer
    outputs = Outputs(files=[await inbox.export.export_csv(), await staff_inbox(world)])
    await assert_nowhere(world, names, outputs, logs)


# -- tribunal case notes -----------------------------------------------------------------------------


async def test_tribunal_case_notes(world, logs):
    names = ("Reuben", "Castellano")
    sam = world.talk(1)
    await sam.says("add a tribunal case")
    named = await sam.says("Reuben Castellano-Ferris Y6 appeal")
    assert not any("saved case" in r.text for r in named)
    await sam.says("appeal for Reuben Castellano-Ferris in Year 6")
    await sam.says("1 March 2025")
    saved = await sam.says("10 July 2025")
    assert any("saved case" in r.text for r in saved)
    listed = await sam.says("my tribunal dates")
    outputs = Outputs(files=[card_texts(named + saved + listed)])
    # To the moment the first reminder is due.
    from integrations.db.reminders import outbound_messages
    from tests.privacy.conftest import rows

    world.clock.set(min(m["not_before"] for m in await rows(world.database, outbound_messages)))
    await deliver_teams(world, outputs)
    assert outputs.teams, "a case reminder was delivered"
    await assert_nowhere(world, names, outputs, logs)


# -- staff broadcasts --------------------------------------------------------------------------------


async def test_a_broadcast_drafted_in_teams(world, logs):
    names = ("Priya", "Chaudhary")
    await world.reminders.subscriptions.subscribe(teams_id(1), ["forum"])
    await world.talk(1).says("hello")  # a conversation reference, so the subscriber can be reached
    staff = world.staff()
    confirm = await staff.says("broadcast forum Thanks to Priya Chaudhary-Lowe's mum for the cakes. "
                               "The Term 5 forum is confirmed for 21 and 22 May.")
    shown = card_texts(confirm)
    assert "21 and 22 May" in shown, "the rest of the draft is kept"
    await staff.button("Send broadcast")
    outputs = Outputs(files=[shown])
    await deliver_teams(world, outputs)
    assert any(user == teams_id(1) for user, _, _ in outputs.teams), "the broadcast was delivered"
    await assert_nowhere(world, names, outputs, logs)


async def test_a_broadcast_from_the_command_line(world, logs, monkeypatch, capsys):
    names = ("Harvey", "Pennington")
    monkeypatch.setenv("DATABASE_URL", world.services.settings.database.url)
    monkeypatch.setenv("SENCOBOT_TEAM_MAILBOX", TEAM)
    code = await asyncio.to_thread(main, [
        "broadcast", "--category", "forum", "--by", "cli",
        "--text", "Harvey Pennington-Smythe's family have asked us to share the parent carer forum date: 3 June."])
    assert code == 0
    outputs = Outputs(files=[capsys.readouterr().out])
    await assert_nowhere(world, names, outputs, logs)


# -- staff answers in the inbox ----------------------------------------------------------------------


async def test_an_inbox_answer_typed_by_staff(world, logs, tmp_path, monkeypatch):
    names = ("Ffion", "Llewellyn")
    sam = world.talk(1)
    await sam.says("Our Year 3 pupil has a new diagnosis and the family want a specialist place. Who do we "
                   "contact at the county about a consultation?")
    inbox = world.assistant.features.inbox.service
    await inbox.log.escalate(query_id=(await inbox.export.list_queries(include_all=True))[0].id, asker_id=teams_id(1))
    assistant = world.assistant.features.mail.assistant
    await assistant.handle(_raw_mail("specialist place",
                                     "Who do we contact at the county about a specialist place consultation?"))
    staff = world.staff()
    cards = await staff.says("inbox")
    presses = [data for r in cards for title, data in r.choices if title == "Publish"]
    assert presses
    for press in presses:
        await staff.presses(dict(
            press, question="Who do we contact about a consultation for Ffion Llewellyn-Pryce?",
            answer="For Ffion Llewellyn-Pryce, email the SEND team; Clara Green on 03000 410816 can advise."))
    outputs = Outputs()
    await deliver_teams(world, outputs)
    assert outputs.teams and world.services.mail.sent, "the answer reached the Teams and the email askers"
    monkeypatch.setenv("DATABASE_URL", world.services.settings.database.url)
    monkeypatch.setenv("SENCOBOT_TEAM_MAILBOX", TEAM)
    document = tmp_path / "faq.md"
    assert await asyncio.to_thread(main, ["faq", "export", "--format", "md", "--out", str(document)]) == 0
    outputs.files += [document.read_text(encoding="utf-8"), await inbox.export.export_csv()]
    # A published answer is answered from at once: its text must be clean there too.
    outputs.files.append(card_texts(await world.talk(3).says("who do we contact about a consultation")))
    await assert_nowhere(world, names, outputs, logs)


async def test_an_inbox_answer_typed_at_the_command_line(world, logs, monkeypatch, capsys):
    # `sencobot inbox answer ID --text ...`: the same answer typed in a terminal, lower case as people type.
    names = ("Ffion", "Llewellyn")
    sam = world.talk(1)
    await sam.says("Who do we contact at the county about a specialist place consultation?")
    inbox = world.assistant.features.inbox.service
    [query] = await inbox.export.list_queries(include_all=True)
    await inbox.log.escalate(query_id=query.id, asker_id=teams_id(1))
    monkeypatch.setenv("DATABASE_URL", world.services.settings.database.url)
    monkeypatch.setenv("SENCOBOT_TEAM_MAILBOX", TEAM)
    code = await asyncio.to_thread(main, [
        "inbox", "answer", query.id, "--by", "cli",
        "--text", "for ffion llewellyn-pryce email the SEND team; Ffion's mum can ring Clara Green on 03000 410816."])
    assert code == 0
    outputs = Outputs(files=[capsys.readouterr().out, await inbox.export.export_csv()])
    from integrations.db.reminders import outbound_messages
    from tests.privacy.conftest import rows

    queued = await rows(world.database, outbound_messages)
    assert queued, "the answer was queued for the asker"
    world.clock.set(max(world.clock.now(), min(m["not_before"] for m in queued)))
    await deliver_teams(world, outputs)
    assert outputs.teams, "the answer reached the asker in Teams"
    assert any("03000 410816" in text for _, text, _ in outputs.teams), "the published contact is kept"
    await assert_nowhere(world, names, outputs, logs)
