"""One redaction module, configured the same wherever text is stored: inbox questions, evaluation
comments (stored and in the CSV report) and tribunal case references all remove a family's details
and all keep the team's own published mailbox, whatever it is configured to be."""
from __future__ import annotations

import asyncio
import csv
from datetime import date

import pytest

from bot.cli import main
from bot.evaluations.messages import SUBMIT_ACTION
from bot.assistant import build_assistant
from bot.core import build_core
from integrations.db.evaluations import EvaluationResponses
from tests.privacy.conftest import World, teams_id

TEAM = "senco.forum@kent.gov.uk"
TEXT = f"I will email {TEAM}; my pupil Tyler Brooks loved it, his mum is jo.smith@gmail.com"
EXPECTED = f"I will email {TEAM}; my pupil [name] loved it, his mum is [email]"


@pytest.fixture
async def team_world(privacy_settings, clock, sqlite_db) -> World:
    settings = privacy_settings.replace(team_mailbox=TEAM)
    services = build_core(settings, clock=clock, database=sqlite_db)
    return World(services, build_assistant(services), clock)


async def test_inbox_questions(team_world):
    from integrations.db.inbox import inbox_queries
    from tests.privacy.conftest import rows

    await team_world.talk(1).says(TEXT)
    [query] = await rows(team_world.database, inbox_queries)
    assert query["text"] == EXPECTED


async def test_evaluation_comments(team_world):
    await team_world.talk(1).presses({"action": SUBMIT_ACTION, "forum_id": "term4-2025", "most_useful": TEXT})
    stored = await EvaluationResponses(team_world.database).get("term4-2025", teams_id(1))
    assert stored.most_useful == EXPECTED


async def test_tribunal_references(team_world):
    summary = await team_world.reminders.tribunal.add(teams_id(1), f"Case A via {TEAM}, mum jo.smith@gmail.com",
                                                      final_ehcp_issued=date(2025, 3, 1), hearing_on=None)
    assert summary.case.reference == f"Case A via {TEAM}, mum [email]"


async def test_the_evaluation_report_csv(team_world, tmp_path, monkeypatch):
    # Stored before redaction was configured this way (or typed by staff): the report redacts again.
    await EvaluationResponses(team_world.database).save(
        forum_id="term4-2025", respondent=teams_id(1), channel="web", phase=None, overall=4, ratings={},
        most_useful=TEXT, could_be_better=None, topics=[], topics_other=None, now=team_world.clock.now())
    monkeypatch.setenv("DATABASE_URL", team_world.services.settings.database.url)
    monkeypatch.setenv("SENCOBOT_TEAM_MAILBOX", TEAM)
    monkeypatch.setenv("SENCOBOT_LINK_SIGNING_KEY", "test-signing-key")
    out = tmp_path / "report"
    assert await asyncio.to_thread(main, ["evaluations", "report", "term4-2025", "--out", str(out)]) == 0
    [csv_file] = out.glob("*.csv")
    cells = [cell for row in csv.reader(csv_file.open(encoding="utf-8")) for cell in row]
    assert EXPECTED in cells
