"""The forum catalogue: the deck's forums as data, strict validation, and adding a forum."""
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from knowledge.check import check
from knowledge.forums import ForumsError, add_forum, check_forums_file, load_forums, parse_catalogue

from tests.support.deck import DECK  # noqa: E402


def test_term4_forum_is_the_decks_forum():
    forum = load_forums().get("term4-2025")
    assert forum.status == "held"
    assert [(s.phase, s.date) for s in forum.sessions] == [
        ("secondary", dt.date(2025, 3, 19)), ("primary", dt.date(2025, 3, 20))]
    # The deck gives no start or end times ("9.30am - 12.30pm" is an officer's working hours).
    assert all(s.start is None and s.end is None for s in forum.sessions)
    assert [(i.item, i.presenter, i.minutes) for i in forum.agenda] == [
        (1, "Ruth Gately", 5), (2, "Clara Green", 5), (2, "Dr Alison Ekins", 5), (3, "Annamarie Godden", 5),
        (4, "Georgette Williams", 15), (5, "Samantha Sheppard", 30), (6, "Siobhan Price", 15),
        (7, "Ruth Gately", 5), (8, None, None)]
    assert [i.id for i in forum.agenda if not i.rated] == ["proposed-term5-agenda"]
    assert len(forum.presenters) == 7


@pytest.mark.skipif(not DECK.exists(), reason="the deck text is not on this machine")
def test_every_agenda_title_presenter_and_time_is_printed_in_the_decks_agenda():
    deck = DECK.read_text(encoding="utf-8")
    agenda_rows = {int(m.group(1)): [] for m in re.finditer(r"^(\d)\t", deck, re.M)}
    for m in re.finditer(r"^(\d)\t(.*)$", deck, re.M):
        agenda_rows[int(m.group(1))].append(m.group(2))
    for item in load_forums().get("term4-2025").agenda:
        rows = " ".join(agenda_rows[item.item])
        assert item.title.split(" – ")[0] in rows
        if item.presenter:
            assert item.presenter.removeprefix("Dr ") in rows
        if item.minutes:
            assert f"({item.minutes} mins)" in rows


def test_term5_is_proposed_with_the_decks_proposed_agenda_and_follows_term4():
    catalogue = load_forums()
    term5 = catalogue.get("term5-2025")
    assert term5.status == "proposed"
    assert [s.date for s in term5.sessions] == [dt.date(2025, 5, 21), dt.date(2025, 5, 22)]
    assert [i.title for i in term5.agenda] == [
        "Health TBD", "Transition Plans", "Update on direction of travel", "Phase Transfer Team", "EHCP"]
    assert catalogue.next_after(catalogue.get("term4-2025")) == term5
    assert catalogue.next_after(term5) is None


def test_the_shipped_file_passes_kb_check_and_the_checker_is_registered():
    assert check_forums_file() == []
    problems = check()
    assert not [p for p in problems if p.file == "forums.yaml"]


BROKEN = """
forums:
  - id: term9-2025
    title: "A forum"
    display: "A forum"
    status: finished
    colour: blue
    sessions:
      - {phase: tertiary, date: "2025-13-01", start: "10:00", end: "09:00"}
    agenda:
      - {id: a, title: "One", minutes: -5}
      - {id: a, title: "Two", rated: maybe}
  - id: term9-2025
    title: "Again"
    display: "Again"
    status: held
    sessions: [{phase: primary, date: 2025-06-01}]
    agenda: []
"""


def test_every_problem_is_reported_with_the_forums_id(tmp_path):
    path = tmp_path / "forums.yaml"
    path.write_text(BROKEN)
    problems = check_forums_file(path)
    text = "\n".join(problems)
    for expected in ("status must be one of", "unknown key 'colour'", "phase must be one of",
                     "date must be YYYY-MM-DD", "'minutes' must be a whole number", "'rated' must be true or false",
                     "agenda id a is used twice", "duplicate id"):
        assert expected in text, expected
    assert all("term9-2025" in p for p in problems)
    with pytest.raises(ForumsError):
        load_forums(path)
    from knowledge.check import check as run_check
    (tmp_path / "faq").mkdir()
    found = [p for p in run_check(tmp_path) if p.file == "forums.yaml"]
    assert found and all(p.severity == "error" for p in found)
    assert {p.where for p in found} == {"term9-2025"}


def test_an_impossible_unquoted_date_is_a_clear_problem_not_a_crash(tmp_path):
    path = tmp_path / "forums.yaml"
    path.write_text("forums:\n- {id: t-1, title: T, display: D, status: held, agenda: [],\n"
                    "   sessions: [{phase: primary, date: 2025-13-01}]}\n")
    [problem] = check_forums_file(path)
    assert "cannot be read" in problem and "month must be in 1..12" in problem


def test_unquoted_yaml_times_are_read_as_times():
    doc = yaml.safe_load("forums:\n- {id: t-1, title: T, display: D, status: held, agenda: [],\n"
                         "   sessions: [{phase: primary, date: 2025-06-01, start: 9:30, end: 12:30}]}")
    catalogue, problems = parse_catalogue(doc)
    assert problems == []
    session = catalogue.get("t-1").sessions[0]
    assert (session.start, session.end) == (dt.time(9, 30), dt.time(12, 30))


def test_adding_a_forum_keeps_the_files_comments_and_refuses_a_taken_id(tmp_path):
    path = tmp_path / "forums.yaml"
    original = Path("knowledge/data/forums.yaml").read_text(encoding="utf-8")
    path.write_text(original)
    raw = {"id": "term1-2026", "title": "Countywide SENCO Forum, Term 1 2026", "display": "Countywide SENCO Forum, "
           "September 2025", "status": "scheduled",
           "sessions": [{"phase": "secondary", "date": "2025-09-24", "start": "09:30", "end": "12:30"}],
           "agenda": [{"id": "welcome", "item": 1, "title": "Welcome", "presenter": "Ruth Gately", "role": None,
                       "minutes": 5}]}
    forum = add_forum(path, raw)
    text = path.read_text()
    assert text.startswith(original)          # comments and earlier forums untouched
    reloaded = load_forums(path)
    assert reloaded.get("term1-2026") == forum
    assert forum.sessions[0].end == dt.time(12, 30)
    with pytest.raises(ForumsError, match="already exists"):
        add_forum(path, raw)
    with pytest.raises(ForumsError, match="phase must be"):
        add_forum(path, dict(raw, id="term2-2026", sessions=[{"phase": "nursery", "date": "2025-10-01"}]))
    assert path.read_text() == text
