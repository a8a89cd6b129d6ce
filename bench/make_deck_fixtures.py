"""Generates .pptx, .pdf and .docx versions of a plain-text forum deck, one slide per slide.

    python bench/make_deck_fixtures.py [DECK.txt] [--out DIR]      (default: the March 2025 deck, var/deck-fixtures)

The slides come from the same splitter the importer uses for .txt, so every format carries the
same slides in the same order: a difference in the drafts is then the reader's, not the fixture's.
Each format is built the way such a file usually is: PowerPoint with a title placeholder and a body
text box, PDF with one page per slide (a DejaVu font from matplotlib, so "–", "£" and "•" survive),
Word with the slide title as a heading and a page break between slides.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from knowledge.deck_import.readers import Slide, read_slides  # noqa: E402

DEFAULT_DECK = REPO.parent / "shared" / "sources" / "senco-forum-term4-2025.txt"
DEFAULT_OUT = REPO / "var" / "deck-fixtures"


def write_pptx(slides: list[Slide], path: Path) -> Path:
    from pptx import Presentation
    from pptx.util import Emu, Pt

    presentation = Presentation()
    layout = presentation.slide_layouts[5]          # "Title Only": a title placeholder, body added as a box
    for slide in slides:
        page = presentation.slides.add_slide(layout)
        page.shapes.title.text = slide.title
        body = slide.lines[1:]
        if body:
            box = page.shapes.add_textbox(Emu(457200), Emu(1600200), Emu(8229600), Emu(4525963))
            frame = box.text_frame
            frame.word_wrap = True
            frame.text = body[0]
            for line in body[1:]:
                frame.add_paragraph().text = line
            for paragraph in frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(10)
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
        document.add_heading(slide.title, level=2)
        for line in slide.lines[1:]:
            document.add_paragraph(line)
    document.save(str(path))
    return path


def make_all(deck: Path, out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    slides = read_slides(deck)
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
