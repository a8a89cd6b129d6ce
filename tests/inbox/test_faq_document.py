"""The FAQ document: grouped by topic, contents list, new entries marked; md, html and a real DOCX."""
from __future__ import annotations

from datetime import date, datetime, timezone

import docx
import pytest

from bot.inbox.faq_document import build_document, topic_choices, topic_title
from bot.rendering import environment
from integrations.faq_export import write_document
from knowledge.loader import load_knowledge
from knowledge.models import FaqEntry, Source

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def kb():
    hostile = FaqEntry(
        id="inbox-script-abc123", question="Is <script>alert(1)</script> & co allowed?", answer="No <b>markup</b>.",
        source=Source(session="Inclusion team answer, 26 November 2026"), tags=("questions-from-schools", "inbox"),
    )
    laptop = FaqEntry(
        id="inbox-laptop-def456", question="Can the council lend a laptop to a pupil with dyslexia?",
        answer="Schools fund assistive technology.", source=Source(session="Inclusion team answer, 20 November 2026"),
        tags=("stls", "inbox"),
    )
    base = load_knowledge()
    return base.with_entry(hostile).with_entry(laptop)


PUBLISHED = {
    "inbox-script-abc123": datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc),
    "inbox-laptop-def456": datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc),
}


def test_entries_are_grouped_by_topic_in_knowledge_order_with_new_ones_marked(kb):
    doc = build_document(kb, published=PUBLISHED, now=NOW, team_mailbox="inclusion@kent.gov.uk")
    titles = [t.title for t in doc.topics]
    assert len(titles) == len(set(titles))
    assert "Tribunal: the role of the school" in titles and titles[-1] == "Questions from schools"
    assert doc.total == len(kb.entries)
    stls = next(t for t in doc.topics if t.title == topic_title("stls"))
    assert stls.entries[-1].question.startswith("Can the council lend a laptop")
    assert stls.entries[-1].is_new and stls.entries[-1].added_on == "Friday 20 November 2026"
    assert doc.new_count == 2
    # SEN information report entries share the SEND policy heading.
    assert topic_title("sen-information-report") == topic_title("send-policy")

    since = build_document(kb, published=PUBLISHED, now=NOW, team_mailbox="x@y", new_since=date(2026, 11, 25))
    assert since.new_count == 1


def test_markdown_and_html_have_contents_sources_and_escape_html(kb, tmp_path):
    doc = build_document(kb, published=PUBLISHED, now=NOW, team_mailbox="inclusion@kent.gov.uk")
    md = write_document(doc, "md", tmp_path / "faq.md", environment()).read_text(encoding="utf-8")
    assert md.startswith("# Countywide SENCO Forum: Frequently Asked Questions")
    assert "## Contents" in md and "[Tribunal: the role of the school](#topic-tribunal-the-role-of-the-school)" in md
    assert "— **New** (added Friday 20 November 2026)" in md
    assert "*Source: Countywide SENCO Forum, March 2025 — Inclusion team answer, 20 November 2026*" in md

    html = write_document(doc, "html", tmp_path / "faq.html", environment()).read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert '<a href="#topic-tribunal-the-role-of-the-school">' in html
    assert html.count('<span class="new">New</span>') == 3  # two entries and the legend


def test_the_docx_opens_and_reads_back(kb, tmp_path):
    doc = build_document(kb, published=PUBLISHED, now=NOW, team_mailbox="inclusion@kent.gov.uk")
    out = write_document(doc, "docx", tmp_path / "faq.docx", environment())
    document = docx.Document(str(out))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == ("Title", "Countywide SENCO Forum: Frequently Asked Questions")
    assert ("Heading 1", "Contents") in headings
    topic_headings = [text for style, text in headings if style == "Heading 1" and text != "Contents"]
    assert topic_headings == [f"{n}. {t.title}" for n, t in enumerate(doc.topics, start=1)]
    questions = [text for style, text in headings if style == "Heading 2"]
    assert len(questions) == doc.total
    assert "Can the council lend a laptop to a pupil with dyslexia?  New" in questions
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Source: Countywide SENCO Forum, March 2025 — Inclusion team answer, 20 November 2026" in body
    assert document.core_properties.title == doc.title


def test_unknown_formats_are_refused(kb, tmp_path):
    doc = build_document(kb, published={}, now=NOW, team_mailbox="x@y")
    with pytest.raises(ValueError):
        write_document(doc, "pdf", tmp_path / "faq.pdf", environment())


def test_staff_topic_choices_follow_the_document(kb):
    choices = topic_choices(kb, "questions-from-schools")
    titles = [c["title"] for c in choices]
    assert titles[0] == topic_title(kb.entries[0].tags[0])
    assert titles.count(topic_title("send-policy")) == 1
    assert {"title": "Questions from schools", "value": "questions-from-schools"} in choices
