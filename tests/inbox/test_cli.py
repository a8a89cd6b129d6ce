"""The staff CLI: inbox list/answer/export, faq export, kb export, redact."""
from __future__ import annotations

import asyncio
import csv
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from bot.cli import main
from bot.clock import FixedClock
from tests.conftest import TEST_NOW
from bot.settings import DEFAULT_CONFIG, REPO_ROOT, load_settings
from bot.assistant import build_assistant
from bot.core import build_core
from integrations.db import Database
from integrations.db.migrate import upgrade
from knowledge.loader import load_knowledge
from tests.inbox.conftest import declined


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def seed(url: str, questions: list[tuple[str, str]], *, publish: bool = False) -> list[str]:
    async def run():
        database = Database(url)
        await upgrade(database)
        services = build_assistant(build_core(load_settings(DEFAULT_CONFIG, environ={"DATABASE_URL": url}),
                                              clock=FixedClock(TEST_NOW), database=database))
        ids = [await services.features.inbox.service.log.record(channel="teams", asker_id=asker, asker_name="", text=text,
                                              result=declined()) for asker, text in questions]
        if publish:
            [view] = await services.features.inbox.service.triage.clusters()
            await services.features.inbox.service.publishing.publish(view.id, by="Olu", answer="Use the station car park.",
                                            question="Is there parking at the forum venue?")
        await database.dispose()
        return ids

    return asyncio.run(run())


def test_inbox_list_and_answer(db_url, capsys):
    ids = seed(db_url, [("29:a", "My pupil Tyler Brooks: is there parking at the venue?"),
                        ("29:b", "is there parking at the venue")])
    assert main(["inbox", "list"]) == 0
    out = capsys.readouterr().out
    assert "Tyler" not in out and "[name]" in out and "2 questions." in out
    assert out.count("(×2)") == 2

    assert main(["inbox", "list", "--status", "answered"]) == 0
    assert "No questions." in capsys.readouterr().out

    assert main(["inbox", "answer", ids[0][:8], "--text", "Use the station car park."]) == 0
    out = capsys.readouterr().out
    # Queued for Teams now when a delivering notifier is configured, else left for the running assistant.
    found = re.search(r"(\d) queued for Teams, 0 sent by email(?:; (\d) will be sent by the running assistant)?"
                      r"(?:; (\d) can't be reached in Teams \(no conversation with them is stored[^)]*\))?\.", out)
    assert found and sum(int(n or 0) for n in found.groups()) == 2, out
    assert main(["inbox", "list", "--status", "answered"]) == 0
    assert "2 questions." in capsys.readouterr().out

    assert main(["inbox", "answer", "ffffffff", "--text", "x"]) == 1
    assert "No question or group" in capsys.readouterr().err


def test_inbox_export_csv(db_url, tmp_path, capsys):
    seed(db_url, [("29:a", "Is there parking at the venue?")])
    out = tmp_path / "inbox.csv"
    assert main(["inbox", "export", "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["channel"], r["question"], r["status"]) for r in rows] == [("teams", "Is there parking at the venue?", "new")]


def test_faq_and_kb_export_include_published_answers(db_url, tmp_path, capsys):
    seed(db_url, [("29:a", "Is there parking at the venue?")], publish=True)
    out = tmp_path / "faq.docx"
    assert main(["faq", "export", "--format", "docx", "--out", str(out)]) == 0
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "Is there parking at the forum venue?  New" in text and "Use the station car park." in text

    # kb export writes the knowledge files' own format: the loader reads it back unchanged.
    kb_dir = tmp_path / "kb"
    shutil.copytree(REPO_ROOT / "knowledge" / "data", kb_dir)
    published = kb_dir / "faq" / "published.yaml"
    assert main(["kb", "export", "--out", str(published)]) == 0
    assert "1 published entry written" in capsys.readouterr().out
    entry = load_knowledge(kb_dir).by_id()
    [mine] = [e for e in entry.values() if e.origin == "published.yaml"]
    assert mine.question == "Is there parking at the forum venue?"
    assert mine.answer == "Use the station car park."
    assert mine.alternatives == ("Is there parking at the venue?",)
    assert mine.tags == ("questions-from-schools", "inbox")
    assert mine.source.session.startswith("Inclusion team answer, ") and mine.source.forum == "term4-2025"


def test_redact_writes_one_line_out_per_line_in(monkeypatch, capsys):
    lines = "My pupil Tyler Brooks is upset.\n\nCall me on 07700 900123\nTerm 4 forum was on 19 March 2025\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    assert main(["redact"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4
    assert out[0] == "My pupil [name] is upset." and out[1] == ""
    assert out[2] == "Call me on [phone]"
    assert out[3] == "Term 4 forum was on 19 March 2025"


def test_redact_runs_as_the_sencobot_command():
    result = subprocess.run([sys.executable, "-m", "bot.cli", "redact"], input="his mum Kerry Smith rang\n",
                            capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "his mum [name] rang\n"


def test_inbox_answer_tells_queued_from_undeliverable(db_url, capsys):
    ids = seed(db_url, [("29:a", "is there parking at the venue?"), ("29:b", "is there parking at the venue")])

    async def remember_a():
        database = Database(db_url)
        await build_core(load_settings(DEFAULT_CONFIG, environ={"DATABASE_URL": db_url}),
                         clock=FixedClock(TEST_NOW), database=database).references.save(
            user_id="29:a", channel_id="msteams", conversation_id="a:1", service_url="http://connector.invalid/",
            tenant_id=None, user_name=None, aad_object_id=None, reference={"conversation": {"id": "a:1"}},
            now=TEST_NOW)
        await database.dispose()

    asyncio.run(remember_a())
    assert main(["inbox", "answer", ids[0][:8], "--text", "Use the station car park."]) == 0
    out = capsys.readouterr().out
    assert "sent 1 in Teams" not in out
    assert re.search(r"(1 queued for Teams|1 will be sent by the running assistant)", out), out
    assert "1 can't be reached in Teams" in out, out
