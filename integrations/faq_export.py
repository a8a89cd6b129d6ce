"""Writing the FAQ document to a file: Markdown and HTML through jinja2 templates, DOCX with python-docx.

The document arrives as plain data (bot.inbox.faq_document.FaqDocument, read by
attribute); the templates environment is handed in so this module depends on no
other part of the product.
"""
from __future__ import annotations

from pathlib import Path

FORMATS = ("md", "html", "docx")
_TEMPLATES = {"md": "faq/document.md.j2", "html": "faq/document.html.j2"}


def render_text(document, fmt: str, templates) -> str:
    if fmt not in _TEMPLATES:
        raise ValueError(f"no text template for format {fmt!r}")
    return templates.get_template(_TEMPLATES[fmt]).render(doc=document)


def write_document(document, fmt: str, out: Path, templates) -> Path:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "docx":
        write_docx(document, out)
    else:
        out.write_text(render_text(document, fmt, templates), encoding="utf-8")
    return out


def write_docx(document, out: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Pt, RGBColor

    doc = Document()
    doc.core_properties.title = document.title
    doc.core_properties.subject = "Frequently Asked Questions"
    doc.add_heading(document.title, level=0)
    doc.add_paragraph(document.subtitle)
    summary = f"Produced on {document.produced_on}. {document.total} questions"
    if document.new_count:
        summary += f", {document.new_count} newly added (marked New)"
    doc.add_paragraph(summary + f". Further questions: {document.contact}")

    doc.add_heading("Contents", level=1)
    for number, topic in enumerate(document.topics, start=1):
        line = f"{number}. {topic.title} ({len(topic.entries)}"
        line += f", {topic.new_count} new)" if topic.new_count else ")"
        doc.add_paragraph(line, style="List Paragraph")

    for number, topic in enumerate(document.topics, start=1):
        doc.add_heading(f"{number}. {topic.title}", level=1)
        for entry in topic.entries:
            heading = doc.add_heading(entry.question, level=2)
            if entry.is_new:
                marker = heading.add_run("  New")
                marker.font.highlight_color = WD_COLOR_INDEX.YELLOW
            doc.add_paragraph(entry.answer)
            source = doc.add_paragraph()
            text = f"Source: {entry.source}"
            if entry.is_new:
                text += f" (added {entry.added_on})"
            run = source.add_run(text)
            run.italic = True
            run.font.size = Pt(9)
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    doc.save(str(out))
