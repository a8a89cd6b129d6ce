"""Reading a deck, slide by slide, from .pptx, .pdf, .docx or .txt.

Every reader returns the same thing, a list of ``Slide`` (number from 1, text lines), so the
extraction never knows which format it came from. A file that cannot be read (not the format
its name says, damaged, password-protected, empty) raises ``DeckReadError`` with a message a
member of staff can act on; nothing is written anywhere by reading.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

FORMATS = (".pptx", ".pdf", ".docx", ".txt")


class DeckReadError(ValueError):
    """The deck could not be read; the message says why, in plain words."""


@dataclass(frozen=True)
class Slide:
    number: int
    lines: tuple[str, ...]

    @property
    def title(self) -> str:
        return self.lines[0] if self.lines else ""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def read_slides(path: str | Path) -> list[Slide]:
    path = Path(path)
    if not path.is_file():
        raise DeckReadError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise DeckReadError(f"{path.name}: unsupported format {suffix or '(none)'}; use one of {', '.join(FORMATS)}")
    reader = {".pptx": _read_pptx, ".pdf": _read_pdf, ".docx": _read_docx, ".txt": _read_txt}[suffix]
    pages = reader(path)
    slides = []
    for pages_index, lines in enumerate(pages, start=1):
        clean = tuple(line for line in (_clean(raw) for raw in lines) if line)
        slides.append(Slide(pages_index, clean))
    if not any(s.lines for s in slides):
        raise DeckReadError(f"{path.name}: the file has no text (a scanned or empty deck cannot be imported)")
    return slides


def _clean(line: str) -> str:
    # Tabs separate table cells in every format; one space keeps the cells' words apart.
    line = line.replace("\u00a0", " ").replace("\t", " ").replace("\x0b", " ")
    return re.sub(r"[ ]{2,}", " ", line).strip()


# A slide break in the plain-text form of a deck is two or more blank lines; one blank line
# separates paragraphs on the same slide.
_TXT_SLIDE_BREAK = re.compile(r"\n(?:[ \t\u00a0]*\n){3,}")


def _read_txt(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DeckReadError(f"{path.name}: not a UTF-8 text file") from None
    if "\x00" in text:
        raise DeckReadError(f"{path.name}: this is a binary file, not a text deck")
    return split_text_deck(text)


def split_text_deck(text: str) -> list[list[str]]:
    """The plain-text deck's slides as raw lines (tabs between table cells kept; empty lines dropped)."""
    chunks = [chunk for chunk in _TXT_SLIDE_BREAK.split(text.replace("\r\n", "\n")) if chunk.strip()]
    return [[line.strip(" \u00a0") for line in chunk.split("\n") if line.strip()] for chunk in chunks]


def _zip_member_check(path: Path, member: str, kind: str) -> None:
    if not zipfile.is_zipfile(path):
        # Office files protected with a password are stored as an encrypted OLE container, not a zip.
        with path.open("rb") as handle:
            head = handle.read(8)
        if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise DeckReadError(f"{path.name}: the {kind} file is password-protected or in the old binary format; "
                                f"save it without a password as {path.suffix} and import again")
        raise DeckReadError(f"{path.name}: not a valid {kind} file (damaged, or not really {path.suffix})")
    with zipfile.ZipFile(path) as archive:
        if member not in archive.namelist():
            raise DeckReadError(f"{path.name}: not a valid {kind} file ({member} is missing)")


def _read_pptx(path: Path) -> list[list[str]]:
    _zip_member_check(path, "ppt/presentation.xml", "PowerPoint")
    from pptx import Presentation

    try:
        presentation = Presentation(str(path))
    except Exception as exc:  # python-pptx raises many kinds for a damaged package
        raise DeckReadError(f"{path.name}: not a valid PowerPoint file ({exc.__class__.__name__})") from None
    pages = []
    for slide in presentation.slides:
        lines: list[str] = []
        shapes = sorted(slide.shapes, key=lambda s: (0 if s.is_placeholder and _is_title(s) else 1))
        for shape in shapes:
            lines.extend(_shape_lines(shape))
        pages.append(lines)
    return pages


def _is_title(shape) -> bool:
    try:
        return shape.placeholder_format.type is not None and "TITLE" in str(shape.placeholder_format.type)
    except ValueError:
        return False


def _shape_lines(shape) -> list[str]:
    lines: list[str] = []
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        for paragraph in shape.text_frame.paragraphs:
            text = "".join(run.text for run in paragraph.runs) if paragraph.runs else paragraph.text
            lines.extend(text.split("\v"))
    if getattr(shape, "has_table", False) and shape.has_table:
        for row in shape.table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    if shape.shape_type is not None and str(shape.shape_type).startswith("GROUP"):
        for child in shape.shapes:
            lines.extend(_shape_lines(child))
    return lines


def _read_pdf(path: Path) -> list[list[str]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    with path.open("rb") as handle:
        if not handle.read(1024).lstrip().startswith(b"%PDF"):
            raise DeckReadError(f"{path.name}: not a valid PDF file (damaged, or not really .pdf)")
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise DeckReadError(f"{path.name}: the PDF is password-protected; export it without a password "
                                f"and import again")
        return [(page.extract_text() or "").split("\n") for page in reader.pages]
    except DeckReadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DeckReadError(f"{path.name}: not a valid PDF file ({exc.__class__.__name__})") from None


def _read_docx(path: Path) -> list[list[str]]:
    _zip_member_check(path, "word/document.xml", "Word")
    import docx
    import docx.table
    from docx.oxml.ns import qn

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for a damaged package
        raise DeckReadError(f"{path.name}: not a valid Word file ({exc.__class__.__name__})") from None
    # One slide per page: a deck saved as Word keeps each slide on its own page. Paragraphs and tables are
    # read in document order, a table row as one line with its cells tab-separated, as in the text form.
    pages: list[list[str]] = [[]]
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            for row in block.rows:
                pages[-1].append("\t".join(cell.text for cell in row.cells))
            continue
        breaks = block._p.findall(".//" + qn("w:br"))
        if any(b.get(qn("w:type")) == "page" for b in breaks) and not block.text.strip():
            pages.append([])
            continue
        if block.paragraph_format.page_break_before and pages[-1]:
            pages.append([])
        pages[-1].extend(block.text.split("\n"))
    return [page for page in pages if any(line.strip() for line in page)]
