"""Read the YAML knowledge base from a directory into domain objects.

Layout (see knowledge/README.md): faq/*.yaml hold `entries:`, glossary.yaml
holds `terms:`, synonyms.yaml holds `groups:`. The loader is strict about
shape (a malformed entry raises KnowledgeError naming file and entry) but
leaves content rules (word limits, dangling related ids...) to knowledge.check,
so a live bot can still load a KB that has only warnings.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any, Iterable

import yaml

from knowledge.fields import iso_date
from knowledge.models import (DEFAULT_FORUM, FORUM_LABELS, DatedFact, FaqEntry,
                              GlossaryTerm, KnowledgeBase, Source)

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"
FAQ_DIRNAME = "faq"
GLOSSARY_FILE = "glossary.yaml"
SYNONYMS_FILE = "synonyms.yaml"
FORUMS_FILE = "forums.yaml"


class KnowledgeError(ValueError):
    """The knowledge files cannot be turned into a KnowledgeBase."""


def data_dir(path: str | os.PathLike | None = None) -> Path:
    return Path(path) if path is not None else DEFAULT_DATA_DIR


def faq_files(root: Path) -> list[Path]:
    folder = root / FAQ_DIRNAME
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith("."))


def knowledge_files(root: Path) -> list[Path]:
    """Every file whose change should trigger a reload."""
    extra = [root / n for n in (GLOSSARY_FILE, SYNONYMS_FILE, FORUMS_FILE)]
    return faq_files(root) + [p for p in extra if p.is_file()]


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: not valid YAML ({exc})") from exc


def parse_date(value: Any) -> dt.date:
    date = iso_date(value)
    if date is None:
        raise ValueError(f"not an ISO date: {value!r}")
    return date


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(str(v).strip() for v in value if str(v).strip())


def _text(raw: dict, key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"missing or empty '{key}'")
    return " ".join(value.split())


def parse_source(raw: Any) -> Source:
    if not isinstance(raw, dict):
        raise ValueError("missing 'source' (needs at least a session)")
    session = raw.get("session")
    if not isinstance(session, str) or not session.strip():
        raise ValueError("source needs a 'session'")
    presenter = raw.get("presenter")
    if presenter is not None and not isinstance(presenter, str):
        raise ValueError("source presenter must be text or null")
    forum = raw.get("forum") or DEFAULT_FORUM
    return Source(session=session.strip(), presenter=(presenter or "").strip() or None,
                  forum=str(forum).strip())


def parse_dated_fact(raw: Any) -> DatedFact | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError("date must be a mapping with 'on' and 'label'")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ValueError("date needs a 'label'")
    # YAML 1.1 reads an unquoted `on:` key as the boolean True.
    on = raw["on"] if "on" in raw else raw.get(True)
    precision = raw.get("precision") or "day"
    if precision not in ("day", "month"):
        raise ValueError("date precision must be day or month")
    return DatedFact(on=parse_date(on), label=label.strip(), precision=precision)


def parse_entry(raw: Any, origin: str | None = None) -> FaqEntry:
    if not isinstance(raw, dict):
        raise ValueError("entry is not a mapping")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not entry_id.strip():
        raise ValueError("missing 'id'")
    return FaqEntry(
        id=entry_id.strip(),
        question=_text(raw, "question"),
        answer=_text(raw, "answer"),
        source=parse_source(raw.get("source")),
        alternatives=_strings(raw.get("alternatives"), "alternatives"),
        tags=_strings(raw.get("tags"), "tags"),
        related=_strings(raw.get("related"), "related"),
        keywords=_strings(raw.get("keywords"), "keywords"),
        date=parse_dated_fact(raw.get("date")),
        origin=origin,
    )


def raw_entries(doc: Any) -> list:
    """The `entries:` list of a FAQ file; an empty file counts as no entries."""
    if doc is None:
        return []
    if not isinstance(doc, dict) or not isinstance(doc.get("entries", []), list):
        raise KnowledgeError("expected a mapping with an 'entries:' list")
    return doc.get("entries") or []


def load_entries(root: Path) -> tuple[FaqEntry, ...]:
    entries: list[FaqEntry] = []
    seen: dict[str, str] = {}
    for path in faq_files(root):
        try:
            items = raw_entries(read_yaml(path))
        except KnowledgeError as exc:
            raise KnowledgeError(f"{path.name}: {exc}") from exc
        for index, raw in enumerate(items):
            try:
                entry = parse_entry(raw, origin=path.name)
            except ValueError as exc:
                ident = raw.get("id") if isinstance(raw, dict) else None
                raise KnowledgeError(f"{path.name}: entry {ident or f'#{index + 1}'}: {exc}") from exc
            if entry.id in seen:
                raise KnowledgeError(
                    f"{path.name}: duplicate id '{entry.id}' (also in {seen[entry.id]})")
            seen[entry.id] = path.name
            entries.append(entry)
    return tuple(entries)


def parse_glossary(doc: Any) -> tuple[GlossaryTerm, ...]:
    if doc is None:
        return ()
    terms = doc.get("terms") if isinstance(doc, dict) else None
    if not isinstance(terms, list):
        raise KnowledgeError(f"{GLOSSARY_FILE}: expected a 'terms:' list")
    out = []
    for raw in terms:
        if not isinstance(raw, dict) or not isinstance(raw.get("term"), str):
            raise KnowledgeError(f"{GLOSSARY_FILE}: every term needs a 'term'")
        expansion = raw.get("expansion")
        try:
            variants = _strings(raw.get("variants"), "variants")
        except ValueError as exc:
            raise KnowledgeError(f"{GLOSSARY_FILE}: {raw['term']}: {exc}") from exc
        out.append(GlossaryTerm(term=raw["term"].strip(),
                                expansion=expansion.strip() if isinstance(expansion, str) else None,
                                variants=variants,
                                source=str(raw.get("source") or "deck")))
    return tuple(out)


def parse_synonyms(doc: Any) -> tuple[tuple[str, ...], ...]:
    if doc is None:
        return ()
    groups = doc.get("groups") if isinstance(doc, dict) else None
    if not isinstance(groups, list):
        raise KnowledgeError(f"{SYNONYMS_FILE}: expected a 'groups:' list")
    out = []
    for group in groups:
        try:
            words = _strings(group, "a synonym group")
        except ValueError as exc:
            raise KnowledgeError(f"{SYNONYMS_FILE}: {exc}") from exc
        if len(words) >= 2:
            out.append(words)
    return tuple(out)


def parse_forum_labels(doc: Any) -> dict[str, str]:
    """Forum code -> display label, from the catalogue's forums.yaml if it has one.

    The file belongs to the catalogues; only the id and a label-ish field are
    read, and anything unexpected is ignored rather than failing the FAQ."""
    labels = dict(FORUM_LABELS)
    items: Iterable = ()
    if isinstance(doc, dict):
        items = doc.get("forums") or ()
    elif isinstance(doc, list):
        items = doc
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            label = item.get("display") or item.get("label") or item.get("title")
            if isinstance(label, str) and label.strip():
                labels.setdefault(item["id"], label.strip())
    return labels


class KnowledgeWatcher:
    """Notices edits to the knowledge files (by modification time and size) so a
    running host can rebuild its index without a restart:

        watcher = KnowledgeWatcher(data_dir)
        ...
        kb = watcher.poll()          # None when nothing changed or the change does not load
        if kb is not None:
            answerer.reload(kb)

    A file caught half-written fails to load; the watcher then keeps the old
    KB, logs once, and tries again when the files change next.
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.root = data_dir(path)
        self._seen = self.signature()
        self._failed: tuple | None = None
        self.last_error: str | None = None

    def signature(self) -> tuple:
        stamp = []
        for path in knowledge_files(self.root):
            try:
                st = path.stat()
            except FileNotFoundError:
                continue          # deleted between listing and stat: the next poll sees it
            stamp.append((str(path.relative_to(self.root)), st.st_mtime_ns, st.st_size))
        return tuple(stamp)

    def changed(self) -> bool:
        return self.signature() != self._seen

    def poll(self) -> KnowledgeBase | None:
        current = self.signature()
        if current == self._seen or current == self._failed:
            return None
        try:
            kb = load_knowledge(self.root)
        except KnowledgeError as exc:
            self._failed = current
            self.last_error = str(exc)
            log.warning("knowledge reload failed, keeping the previous KB: %s", exc)
            return None
        self._seen, self._failed, self.last_error = current, None, None
        return kb


def _optional(root: Path, name: str) -> Any:
    path = root / name
    return read_yaml(path) if path.is_file() else None


def load_knowledge(path: str | os.PathLike | None = None) -> KnowledgeBase:
    root = data_dir(path)
    if not root.is_dir():
        raise KnowledgeError(f"knowledge directory not found: {root}")
    try:
        forum_labels = parse_forum_labels(_optional(root, FORUMS_FILE))
    except KnowledgeError:
        forum_labels = dict(FORUM_LABELS)
    return KnowledgeBase(
        entries=load_entries(root),
        glossary=parse_glossary(_optional(root, GLOSSARY_FILE)),
        synonyms=parse_synonyms(_optional(root, SYNONYMS_FILE)),
        forum_labels=forum_labels,
        path=str(root),
    )
