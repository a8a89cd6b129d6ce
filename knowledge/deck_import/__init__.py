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

__all__ = ["DeckDrafts", "DeckFormatError", "DeckReadError", "FORMATS", "Slide", "glossary_forms", "import_deck",
           "read_slides", "to_jsonable"]


def glossary_forms(data_dir: str | Path | None = None) -> list[str]:
    """Every form the glossary knows (terms and variants), to tell which terms a draft uses that it lacks."""
    import yaml

    from knowledge.loader import data_dir as resolve

    path = resolve(data_dir) / "glossary.yaml"
    if not path.exists():
        return []
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    forms: list[str] = []
    for term in doc.get("terms") or []:
        forms.append(str(term.get("term", "")))
        forms.extend(str(v) for v in term.get("variants") or [])
    return [f for f in forms if f]


def import_deck(path: str | Path, *, glossary: Iterable[str] = ()) -> DeckDrafts:
    slides = read_slides(path)
    return draft_deck(slides, file=Path(path).name, glossary=glossary)
