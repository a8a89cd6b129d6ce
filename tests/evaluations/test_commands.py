"""Staff commands: adding a forum to the catalogue, listing attendees, sending a round."""
import asyncio
import shutil
from pathlib import Path

from bot.cli import main
from knowledge.forums import load_forums


def test_forums_add_writes_a_valid_forum_and_refuses_a_bad_one(tmp_path, capsys):
    path = tmp_path / "forums.yaml"
    shutil.copy(Path("knowledge/data/forums.yaml"), path)
    code = main(["forums", "add", "term1-2026", "--file", str(path), "--status", "held",
                 "--title", "Countywide SENCO Forum, Term 1 2026", "--display", "Countywide SENCO Forum, September 2025",
                 "--session", "secondary:2025-09-24:09:30-12:30", "--session", "primary:2025-09-25",
                 "--item", "Welcome|Ruth Gately|SEND Specialist Adviser|5", "--item", "EHCP update",
                 "--item", "EHCP update|Clara Green", "--presenter", "Ruth Gately|SEND Specialist Adviser"])
    assert code == 0, capsys.readouterr().err
    forum = load_forums(path).get("term1-2026")
    assert [i.id for i in forum.agenda] == ["welcome", "ehcp-update", "ehcp-update-2"]
    assert forum.agenda[0].minutes == 5 and forum.agenda[2].presenter == "Clara Green"
    assert str(forum.sessions[0].start) == "09:30:00" and forum.sessions[1].start is None
    before = path.read_text()
    assert main(["forums", "add", "term2-2026", "--file", str(path), "--title", "T", "--display", "D",
                 "--session", "infant:2025-11-01"]) == 1
    assert "expected PHASE:YYYY-MM-DD" in capsys.readouterr().err
    assert path.read_text() == before


async def test_invite_lists_attendees_who_are_asked_when_the_forum_ends(eval_settings, sqlite_db, tmp_path,
                                                                         monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", eval_settings.database.url)
    people = tmp_path / "attendees.txt"
    people.write_text("# signed in on the day\n29:alex\nsam@school.kent.sch.uk\n\n")
    code = await asyncio.to_thread(main, ["evaluations", "invite", "term4-2025", "--teams", "29:jo", "--file",
                                          str(people)])
    assert code == 0
    assert "3 attendee(s) listed for term4-2025" in capsys.readouterr().out
    from integrations.db.evaluations import EvaluationParticipants

    listed = await EvaluationParticipants(sqlite_db).for_forum("term4-2025")
    assert sorted((p.respondent, p.channel, p.source) for p in listed) == [
        ("29:alex", "teams", "staff"), ("29:jo", "teams", "staff"), ("sam@school.kent.sch.uk", "email", "staff")]
    assert await asyncio.to_thread(main, ["evaluations", "invite", "term4-2025", "--email", "not-an-address"]) == 1
