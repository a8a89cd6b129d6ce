import datetime as dt
import re
import subprocess
import sys

import pytest
import yaml

from knowledge.deck_import import DeckReadError, import_deck, read_slides, to_jsonable
from tests.deck_import.conftest import DECK, REPO

CATALOGUE = REPO / "knowledge" / "data"


@pytest.fixture(scope="module")
def drafts():
    return import_deck(DECK)


def _norm(text):
    return re.sub(r"\s+", " ", text).strip()


def test_the_forum_its_sessions_and_the_next_forum(drafts):
    forum = drafts.forum
    assert forum.id == "term4-2025"
    assert [(d["phase"], d["date"]) for d in forum.days] == [("secondary", dt.date(2025, 3, 19)),
                                                            ("primary", dt.date(2025, 3, 20))]
    expected = yaml.safe_load((CATALOGUE / "forums.yaml").read_text())["forums"][0]
    assert [(s.title, s.presenter) for s in forum.sessions] == [
        (a["title"], a["presenter"]) for a in expected["agenda"]]
    by_title = {s.title: s for s in forum.sessions}
    assert by_title["Communities of Schools"].slides[0] < by_title["NPQ for SENCOs"].slides[0]
    assert by_title["Proposed Term 5 Agenda"].slides == ()
    assert forum.contact_email == "SENDandInclusion@theeducationpeople.org"
    assert forum.venue is None and forum.flags          # the deck gives no venue: said, not invented
    assert drafts.next_forum.id == "term5-2025"
    assert [d["date"] for d in drafts.next_forum.days] == [dt.date(2025, 5, 21), dt.date(2025, 5, 22)]
    assert [s.title for s in drafts.next_forum.sessions][:2] == ["Health TBD", "Transition Plans"]


def test_every_catalogue_event_is_drafted_with_its_date_time_and_place(drafts):
    catalogue = yaml.safe_load((CATALOGUE / "events.yaml").read_text())["events"]
    by_id = {e.id: e for e in drafts.events}
    for event in catalogue:
        draft = by_id[event["id"]]
        assert f"{draft.day}T{draft.start:%H:%M}" == event["start"]
        if not event["end_assumed"]:
            assert f"{draft.day}T{draft.end:%H:%M}" == event["end"]
        assert draft.venue == event["venue"]
        assert draft.booking_url == event["join_url"]


def test_faq_answers_are_sentences_from_the_deck_only(drafts):
    deck = _norm(" ".join(" ".join(s.lines) for s in read_slides(DECK)))
    assert len(drafts.faqs) >= 10
    for faq in drafts.faqs:
        for piece in faq.answer.split("\n"):
            # Bullets are stripped, so each line is somewhere in the deck exactly as written.
            assert _norm(piece) in deck, (faq.id, piece)
        assert faq.source.forum == "term4-2025" and faq.source.session
        assert len(faq.answer.split()) <= 120


def test_missing_glossary_terms_are_named():
    drafts = import_deck(DECK, glossary=["STLS", "KCC", "LA", "EHCP"])
    new_ways = next(f for f in drafts.faqs if f.topic == "New Ways of Working")
    assert "LIFT" in new_ways.missing_glossary_terms
    assert "STLS" not in new_ways.missing_glossary_terms


def test_month_only_and_table_dates_are_flagged(drafts):
    by_text = {d.as_written: d for d in drafts.deadlines}
    assert by_text["May 2025"].precision == "month" and by_text["May 2025"].flags
    assert by_text["Summer Term"].on is None and by_text["Summer Term"].flags
    lift = next(d for d in drafts.deadlines if d.detail.startswith("LIFT ceases end this term"))
    assert lift.on == dt.date(2025, 4, 4) and lift.flags


@pytest.mark.parametrize("suffix", [".pptx", ".pdf", ".docx"])
def test_every_format_drafts_the_same_as_the_text_deck(deck_files, suffix, drafts):
    other = to_jsonable(import_deck(deck_files[suffix]))
    mine = to_jsonable(drafts)
    other.pop("file"), mine.pop("file")
    assert other == mine


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, cwd=REPO,
                          env={"PATH": "/usr/bin:/bin", "SENCOBOT_NOW": "2026-11-27T12:00:00+00:00"})


def _encrypted_pdf(path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


@pytest.mark.parametrize("name,content,message", [
    ("broken.pptx", b"not a zip", "not a valid PowerPoint file"),
    ("locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "password-protected"),
    ("broken.pdf", b"%PDF-1.4 garbage", "not a valid PDF file"),
    ("empty.txt", b"\n\n", "has no text"),
    ("deck.key", b"x", "unsupported format"),
])
def test_unreadable_files_give_a_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DeckReadError, match=message):
        import_deck(path)


def test_password_protected_pdf_is_refused_by_the_cli(tmp_path):
    path = _encrypted_pdf(tmp_path / "locked.pdf")
    result = _cli("import", "deck", str(path), "--no-queue")
    assert result.returncode == 1
    assert "password-protected" in result.stderr and "Nothing was imported" in result.stderr


def test_the_fixtures_carry_the_agenda_as_a_real_table(deck_files):
    # So the equality above covers the readers' table paths, not only their text paths.
    import docx
    from pptx import Presentation

    slides = Presentation(str(deck_files[".pptx"])).slides
    assert any(shape.has_table for slide in slides for shape in slide.shapes)
    assert docx.Document(str(deck_files[".docx"])).tables
