"""The staff report from a known set of responses: CSV, summary numbers and the chart."""
import asyncio
import csv
import json
from datetime import datetime, timedelta, timezone

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.evaluations.install import build_evaluation_service
from bot.evaluations.service import report_spec
from bot.notify import RecordingNotifier
from integrations.evaluation_report import render_chart, summarise

FORUM = "term4-2025"
FORUM_OVER = datetime(2025, 3, 20, 16, 0, tzinfo=timezone.utc)
KNOWN = {
    "29:a": {"phase": "primary", "overall": "5", "item__tribunal": "5", "item__stls-update": "4",
             "topics": "ehcp,health", "most_useful": "Helped with my pupil Lily Smith, call me on 07700 900123"},
    "29:b": {"phase": "primary", "overall": "4", "item__tribunal": "3", "topics": "ehcp"},
    "29:c": {"phase": "secondary", "overall": "2", "item__tribunal": "4", "item__stls-update": "2",
             "topics": "transition-plans", "topics_other": "=HYPERLINK(\"x\") attendance"},
    "29:self": {"item__continuum": "3"},                    # partial, no phase, not invited
}


@pytest.fixture
async def answered(eval_settings, sqlite_db):
    clock = FixedClock(FORUM_OVER)
    service, _ = build_evaluation_service(eval_settings, database=sqlite_db, clock=clock, notifier=RecordingNotifier())
    forum = service.forum(FORUM)
    await service.list_attendees(forum, teams_ids=["29:a", "29:b", "29:c", "29:d", "29:e", "29:f"])
    assert (await service.run_due()).invited == 6
    for person, answers in KNOWN.items():
        clock.advance(timedelta(minutes=5))
        assert (await service.submit(FORUM, person, answers, channel="teams")).status == "saved"
    return service


async def test_the_summary_numbers_match_the_known_responses(answered):
    results = await answered.results(answered.forum(FORUM))
    summary = summarise(report_spec(results.survey), results.responses, results.asked)
    assert (summary.responses, summary.asked, summary.rate) == (4, 7, round(4 / 7, 4))
    everyone = summary.everyone
    assert (everyone.overall.answers, everyone.overall.mean) == (3, 3.67)
    assert everyone.overall.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    items = {q.key: q for q in everyone.items}
    assert (items["tribunal"].answers, items["tribunal"].mean) == (3, 4.0)
    assert items["tribunal"].distribution == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    assert (items["stls-update"].answers, items["stls-update"].mean) == (2, 3.0)
    assert (items["continuum"].answers, items["continuum"].mean) == (1, 3.0)
    assert (items["welcome"].answers, items["welcome"].mean) == (0, None)
    groups = {g.label: g for g in summary.groups}
    assert list(groups) == ["All responses", "Primary", "Secondary", "Phase not given"]
    assert (groups["Primary"].responses, groups["Primary"].overall.mean) == (2, 4.5)
    assert {q.key: q.mean for q in groups["Primary"].items}["tribunal"] == 4.0
    assert (groups["Secondary"].responses, groups["Secondary"].overall.mean) == (1, 2.0)
    assert (groups["Phase not given"].overall.answers, groups["Phase not given"].overall.mean) == (0, None)
    assert summary.topics == (("EHCP", 2), ("Health TBD", 1), ("Transition Plans", 1),
                              ("Update on direction of travel", 0), ("Phase Transfer Team", 0))
    assert summary.other_topics == 1


async def test_the_report_command_writes_a_redacted_csv_a_summary_and_a_chart(answered, eval_settings, tmp_path,
                                                                              monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", eval_settings.database.url)
    out = tmp_path / "report"
    # The command runs its own event loop, as it does from a terminal.
    assert await asyncio.to_thread(main, ["evaluations", "report", FORUM, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Responses: 4 of 7 asked (57%)" in printed
    assert "Overall rating: mean 3.67 from 3 answers   [1: 0  2: 1  3: 0  4: 1  5: 1]" in printed

    with (out / f"{FORUM}-responses.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    first = rows[0]
    assert (first["phase"], first["overall"], first["usefulness: Tribunal – the role of the school "
                                                       "(Georgette Williams)"]) == ("primary", "5", "5")
    assert first["topics wanted"] == "EHCP; Health TBD"
    assert "07700" not in first["most useful"] and "[phone]" in first["most useful"]
    assert "Lily" not in first["most useful"]
    assert rows[2]["other topics"].startswith("'=")                   # no spreadsheet formula
    text = (out / f"{FORUM}-responses.csv").read_text(encoding="utf-8")
    assert "29:" not in text                                           # respondents are numbered, not named

    summary = json.loads((out / f"{FORUM}-summary.json").read_text())
    assert (summary["responses"], summary["asked"]) == (4, 7)
    assert summary["groups"][0]["overall"]["mean"] == 3.67
    assert "Primary (2 responses)" in (out / f"{FORUM}-summary.txt").read_text()

    chart = (out / f"{FORUM}-chart.png").read_bytes()
    assert chart.startswith(b"\x89PNG\r\n\x1a\n") and len(chart) > 10_000


async def test_the_chart_reflects_the_numbers(answered):
    """A different set of answers draws a different picture (the chart is not a fixed image)."""
    results = await answered.results(answered.forum(FORUM))
    spec = report_spec(results.survey)
    full = render_chart(summarise(spec, results.responses, results.asked))
    fewer = render_chart(summarise(spec, results.responses[:1], results.asked))
    empty = render_chart(summarise(spec, (), 0))
    assert len({full, fewer, empty}) == 3 and all(png.startswith(b"\x89PNG") for png in (full, fewer, empty))


def test_an_unknown_forum_is_a_clear_error(eval_settings, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", eval_settings.database.url)
    assert main(["evaluations", "report", "term9-2031", "--out", str(tmp_path)]) == 1
    assert "no forum 'term9-2031' (known: term4-2025, term5-2025)" in capsys.readouterr().err
