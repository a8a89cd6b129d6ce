"""Generates .pptx, .pdf and .docx versions of a plain-text forum deck, one slide per slide.

    python bench/make_deck_fixtures.py [DECK.txt] [--out DIR]      (default: the March 2025 deck, var/deck-fixtures)

The slides come from the same splitter the importer uses for .txt, so every format carries the
same slides in the same order: a difference in the drafts is then the reader's, not the fixture's.
Each format is built the way such a file usually is: PowerPoint with a title placeholder, text boxes
and a real table for the agenda (lines with tabs), PDF with one page per slide (a DejaVu font from
matplotlib, so "–", "£" and "•" survive), Word with the slide title as a heading, a Word table for
the agenda and a page break between slides.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from knowledge.deck_import.readers import Slide, split_text_deck  # noqa: E402

DEFAULT_DECK = REPO.parent / "shared" / "sources" / "senco-forum-term4-2025.txt"
DEFAULT_OUT = REPO / "var" / "deck-fixtures"


def _blocks(lines) -> list[tuple[str, list[str]]]:
    """The lines as runs of text and of table rows (a line with tabs is a table row, as the text form writes)."""
    blocks: list[tuple[str, list[str]]] = []
    for line in lines:
        kind = "table" if "\t" in line else "text"
        if blocks and blocks[-1][0] == kind:
            blocks[-1][1].append(line)
        else:
            blocks.append((kind, [line]))
    return blocks


def write_pptx(slides: list[Slide], path: Path) -> Path:
    from pptx import Presentation
    from pptx.util import Emu, Pt

    presentation = Presentation()
    layout = presentation.slide_layouts[5]          # "Title Only": a title placeholder, body added as shapes
    for slide in slides:
        page = presentation.slides.add_slide(layout)
        lines = list(slide.lines)
        # A slide that opens with a table (the agenda) has no title line of its own.
        page.shapes.title.text = lines.pop(0) if "\t" not in lines[0] else ""
        top = 1600200
        for kind, block in _blocks(lines):
            if kind == "table":
                cells = [row.split("\t") for row in block]
                width = max(len(row) for row in cells)
                shape = page.shapes.add_table(len(cells), width, Emu(457200), Emu(top), Emu(8229600),
                                              Emu(300000 * len(cells)))
                for r, row in enumerate(cells):
                    for c in range(width):
                        shape.table.cell(r, c).text = row[c] if c < len(row) else ""
            else:
                box = page.shapes.add_textbox(Emu(457200), Emu(top), Emu(8229600), Emu(300000 * len(block)))
                frame = box.text_frame
                frame.word_wrap = True
                frame.text = block[0]
                for line in block[1:]:
                    frame.add_paragraph().text = line
                for paragraph in frame.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(10)
            top += 300000 * len(block)
    presentation.save(str(path))
    return path


def _font_path() -> str:
    import matplotlib

    return str(Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf")


def write_pdf(slides: list[Slide], path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF(unit="pt")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", _font_path())
    size, leading = 8, 11
    pdf.set_font("DejaVu", size=size)
    for slide in slides:
        # A PDF has no tab stops: table cells become runs of spaces, as a PDF export of a table reads back.
        slide = Slide(slide.number, tuple(line.replace("\t", "    ") for line in slide.lines))
        # Wide pages with no wrapping: a wrapped line would split the deck's sentences and links in two.
        width = max(842, 60 + max(pdf.get_string_width(line) for line in slide.lines))
        height = max(595, 60 + leading * len(slide.lines))
        pdf.add_page(format=(height, width), orientation="L") if height < width else pdf.add_page(format=(width, height))
        y = 30
        for line in slide.lines:
            pdf.text(30, y, line)
            y += leading
    pdf.output(str(path))
    return path


def write_docx(slides: list[Slide], path: Path) -> Path:
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    for number, slide in enumerate(slides):
        if number:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        lines = list(slide.lines)
        if "\t" not in lines[0]:
            document.add_heading(lines.pop(0), level=2)
        for kind, block in _blocks(lines):
            if kind == "table":
                cells = [row.split("\t") for row in block]
                table = document.add_table(rows=len(cells), cols=max(len(row) for row in cells))
                for r, row in enumerate(cells):
                    for c, text in enumerate(row):
                        table.cell(r, c).text = text
            else:
                for line in block:
                    document.add_paragraph(line)
    document.save(str(path))
    return path


def make_all(deck: Path, out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    # Raw lines, tabs kept: a line with tabs becomes a table row in PowerPoint and Word.
    slides = [Slide(n, tuple(lines)) for n, lines in
              enumerate(split_text_deck(deck.read_text(encoding="utf-8")), start=1)]
    stem = deck.stem
    return {
        ".txt": deck,
        ".pptx": write_pptx(slides, out / f"{stem}.pptx"),
        ".pdf": write_pdf(slides, out / f"{stem}.pdf"),
        ".docx": write_docx(slides, out / f"{stem}.docx"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deck", nargs="?", default=str(DEFAULT_DECK))
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    args = parser.parse_args(argv)
    for suffix, path in make_all(Path(args.deck), Path(args.out)).items():
        print(f"{suffix}\t{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
