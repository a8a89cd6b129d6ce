"""Importing a forum deck into drafts for review (``sencobot import deck FILE``).

    drafts = import_deck(path, glossary=terms)      # DeckDrafts; raises DeckReadError / DeckFormatError

Reading (readers.py) and drafting (extract.py, dates.py) are pure: nothing here writes anything.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from knowledge.deck_import.extract import DeckFormatError, draft_deck
from knowledge.deck_import.models import DeckDrafts, to_jsonable
from knowledge.deck_import.readers import FORMATS, DeckReadError, Slide, read_slides

__all__ = ["DeckDrafts", "DeckFormatError", "DeckReadError", "FORMATS", "Slide", "import_deck", "read_slides",
           "to_jsonable"]


def import_deck(path: str | Path, *, glossary: Iterable[str] = ()) -> DeckDrafts:
    slides = read_slides(path)
    return draft_deck(slides, file=Path(path).name, glossary=glossary)
