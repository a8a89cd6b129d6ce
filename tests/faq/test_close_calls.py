"""Issue 16, point 6: the feedback loop in Teams. Staff see questions the answerer declined although it ranked
an entry close, and confirm "yes, this is entry X" in one press; the confirmation lands in the training data
`sencobot kb train` reads, through the same service as `sencobot kb confirm`. Transcripts over the handler Teams
uses, then the same press end to end over HTTP."""
from __future__ import annotations

import json

import pytest

from bot.assistant import build_assistant
from bot.app import ASSISTANT_KEY, create_app
from bot.console import Conversation
from bot.core import build_core
from bot.faq.feedback import KbFeedback
from integrations.db import Database
from integrations.db.migrate import upgrade
from knowledge import training
from knowledge.models import AnswerResult
from tests.e2e.conftest import serve_bot
from tests.fakes.connector import ConnectorStandIn

STAFF = "aad-staff"
STAFF_AAD = "6c4e9a41-0d1b-4c2a-9f3e-1b2c3d4e5f60"  # the recorded Teams payload's sender
CLOSE = "what has to go into a witness statement for the tribunal"
FAR = "Can governors claim mileage for coming to the forum?"
DECLINED = AnswerResult(question="", outcome="decline", confidence=0.0)


@pytest.fixture
def confirmed(tmp_path):
    return tmp_path / "confirmed.jsonl"


@pytest.fixture
def assistant(settings, clock, sqlite_db, confirmed):
    settings = settings.replace(**{"bot.staff_ids": [STAFF], "knowledge.confirmed_file": str(confirmed)})
    return build_assistant(build_core(settings, clock=clock, database=sqlite_db))


def staff(assistant) -> Conversation:
    return Conversation(assistant.bot, user_id="29:officer", name="Olu Officer", aad_object_id=STAFF,
                        channel_id="msteams")


def senco(assistant) -> Conversation:
    return Conversation(assistant.bot, user_id="29:senco", name="Sam Senco", aad_object_id="aad-senco",
                        channel_id="msteams")


async def declined(assistant, *texts: str) -> None:
    """Questions the answerer declined, as the inbox stores them (the ranking on the card is the engine's own)."""
    log = assistant.features.inbox.service.log
    for n, text in enumerate(texts):
        await log.record(channel="teams", asker_id=f"29:s{n}", asker_name="", text=text, result=DECLINED)


def rows(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


async def test_staff_confirm_a_close_call_in_one_press_and_it_becomes_training_data(assistant, confirmed):
    await declined(assistant, CLOSE, FAR)
    officer = staff(assistant)
    replies = await officer.says("close calls")
    [card] = [r for r in replies if r.card]
    assert "1 declined question the answerer ranked close to an entry" in replies[0].text
    assert CLOSE in card.text and FAR not in card.text     # far from every entry: nothing to confirm
    buttons = [(title, data) for title, data in card.choices if data.get("action") == "faq.confirm"]
    top = assistant.core.answerer.answerer.score(CLOSE)[0].entry_id
    title, data = buttons[0]
    assert data["faq_id"] == top and title.startswith("Yes, it's: ")

    replies = await officer.presses(data)
    entry = assistant.core.answerer.entry(top)
    assert f"Recorded: \"{CLOSE}\" is \"{entry.question}\" ({top})" in replies[-1].text
    [row] = rows(confirmed)
    assert row == {"question": CLOSE, "faq_id": top, "by": "Olu Officer", "on": assistant.core.clock.now().date()
                   .isoformat()}
    # A second press (or Teams redelivering it) records nothing new; the list no longer offers it.
    replies = await officer.presses(data)
    assert "Already recorded" in replies[-1].text and len(rows(confirmed)) == 1
    replies = await officer.says("close calls")
    assert "No close calls" in replies[-1].text
    assert await assistant.features.inbox.service.repo.list_queries() != []   # the inbox itself is untouched


async def test_only_staff_see_close_calls_or_can_confirm(assistant, confirmed):
    await declined(assistant, CLOSE)
    sam = senco(assistant)
    replies = await sam.says("close calls")
    assert "for the inclusion team" in replies[-1].text and not any(r.card for r in replies)
    [query] = await assistant.features.inbox.service.repo.list_queries()
    top = assistant.core.answerer.answerer.score(CLOSE)[0].entry_id
    replies = await sam.presses({"action": "faq.confirm", "query_id": query.id, "faq_id": top})
    assert "only the inclusion team" in replies[-1].text.lower()
    assert rows(confirmed) == []
    assert "close calls" not in (await sam.says("help"))[-1].text
    assert "close calls" in (await staff(assistant).says("help"))[-1].text


async def test_a_forged_or_stale_button_records_nothing(assistant, confirmed):
    await declined(assistant, CLOSE)
    [query] = await assistant.features.inbox.service.repo.list_queries()
    officer = staff(assistant)
    replies = await officer.presses({"action": "faq.confirm", "query_id": "no-such-query", "faq_id": "x"})
    assert "can't find that question" in replies[-1].text
    replies = await officer.presses({"action": "faq.confirm", "query_id": query.id, "faq_id": "no-such-entry"})
    assert "no entry 'no-such-entry'" in replies[-1].text
    assert rows(confirmed) == []


def test_the_card_and_the_cli_write_the_training_data_kb_train_reads(monkeypatch, tmp_path, capsys):
    """One service, one file: by default both doors append to knowledge/training/confirmed.jsonl, which
    knowledge/train.py reads; with knowledge.confirmed_file set, the CLI writes there too."""
    from bot.cli import main
    from bot.settings import DEFAULT_CONFIG, load_settings

    assert load_settings(DEFAULT_CONFIG, environ={}).knowledge.confirmed_file == ""
    assert KbFeedback(ranker=None, clock=None).confirmed_path == training.CONFIRMED
    path = tmp_path / "confirmed.jsonl"
    monkeypatch.setenv("SENCOBOT_KNOWLEDGE__CONFIRMED_FILE", str(path))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(CLOSE + "\n"))
    assert main(["kb", "closest"]) == 0
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    top = line["closest"][0]["faq_id"]
    assert main(["kb", "confirm", CLOSE, top, "--by", "cli"]) == 0
    assert main(["kb", "confirm", CLOSE, top, "--by", "cli"]) == 0
    assert "already recorded" in capsys.readouterr().out
    assert [r["faq_id"] for r in rows(path)] == [top]
    assert main(["kb", "confirm", CLOSE, "no-such-entry"]) == 2


@pytest.fixture
async def staff_bot(settings, clock, confirmed):
    settings = settings.replace(**{"bot.staff_ids": [STAFF_AAD], "knowledge.confirmed_file": str(confirmed)})
    connector = await ConnectorStandIn().start()
    database = Database(settings.database.url)
    await upgrade(database)
    app = create_app(settings, clock=clock, database=database, run_background=False)
    async with serve_bot(app, connector) as bot:
        yield bot


async def test_over_http_staff_press_yes_on_the_close_calls_card(staff_bot, confirmed):
    assistant = staff_bot.app[ASSISTANT_KEY]
    await declined(assistant, CLOSE)
    status, _ = await staff_bot.say("close calls")
    assert status in (200, 201)
    [shown] = await staff_bot.connector.wait_for(1)
    card = shown["attachments"][0]["content"]
    button = next(a for element in card["body"] if element["type"] == "ActionSet" for a in element["actions"])
    assert button["data"]["action"] == "faq.confirm"

    status, _ = await staff_bot.say("", value=button["data"])
    assert status in (200, 201)
    reply = (await staff_bot.connector.wait_for(2))[-1]
    assert reply["text"].startswith(f"Recorded: \"{CLOSE}\"")
    assert [(r["question"], r["faq_id"]) for r in rows(confirmed)] == [(CLOSE, button["data"]["faq_id"])]
