"""Validate the knowledge files and report every problem at once.

    python -m knowledge.check [DATA_DIR]      # exit status 1 when there are errors

`check()` runs a list of checker functions over the raw YAML, so it can report
problems the strict loader would stop at (a missing source, a bad date) and
name file and entry for each. Catalogues add their own rules without touching
this module:

    from knowledge.check import Problem, register_checker

    @register_checker
    def events_have_capacity(files):          # files: KnowledgeFiles
        doc = files.yaml("events.yaml")
        ...
        yield Problem("error", "events.yaml", "induction-north", "no capacity")

A checker may also yield plain strings; they count as errors.
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from knowledge.events import check_events
from knowledge.forums import check_forums
from knowledge.deadlines import check_deadlines
from knowledge.problems import Problem
from knowledge.loader import (FAQ_DIRNAME, FORUMS_FILE, GLOSSARY_FILE, SYNONYMS_FILE,
                              KnowledgeError, data_dir, faq_files, load_knowledge,
                              parse_date, parse_forum_labels, read_yaml)

MAX_ANSWER_WORDS = 120
ALTERNATIVES_WANTED = (5, 10)
GLOSSARY_SOURCES = ("deck", "SEND Code of Practice 2015")
ENTRY_KEYS = {"id", "question", "alternatives", "answer", "source", "tags", "related",
              "keywords", "date"}
SOURCE_KEYS = {"forum", "session", "presenter"}
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass
class RawEntry:
    file: str
    position: int
    data: Any

    @property
    def label(self) -> str:
        if isinstance(self.data, dict) and isinstance(self.data.get("id"), str):
            return self.data["id"]
        return f"#{self.position + 1}"


@dataclass
class KnowledgeFiles:
    """The data directory as raw YAML, read once and shared by all checkers."""
    root: Path
    entries: list[RawEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)   # found while reading
    _cache: dict[str, Any] = field(default_factory=dict)

    def yaml(self, name: str) -> Any:
        """Parsed content of a file under the data directory (None if absent)."""
        if name not in self._cache:
            path = self.root / name
            self._cache[name] = read_yaml(path) if path.is_file() else None
        return self._cache[name]

    @classmethod
    def read(cls, root: Path) -> "KnowledgeFiles":
        files = cls(root)
        for path in faq_files(root):
            rel = f"{FAQ_DIRNAME}/{path.name}"
            try:
                doc = files.yaml(rel)
            except KnowledgeError as exc:
                files.problems.append(Problem("error", rel, "", str(exc)))
                continue
            if doc is None:
                continue
            if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
                files.problems.append(Problem("error", rel, "", "expected a mapping with an 'entries:' list"))
                continue
            files.entries.extend(RawEntry(rel, i, e) for i, e in enumerate(doc["entries"]))
        return files


Checker = Callable[[KnowledgeFiles], Iterable["Problem | str"]]


def _problem(entry: RawEntry, message: str, severity: str = "error") -> Problem:
    return Problem(severity, entry.file, entry.label, message)


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value)


def check_entry_shape(files: KnowledgeFiles) -> Iterator[Problem]:
    for e in files.entries:
        d = e.data
        if not isinstance(d, dict):
            yield _problem(e, "entry is not a mapping")
            continue
        if not isinstance(d.get("id"), str) or not d["id"].strip():
            yield _problem(e, "missing 'id'")
        elif not KEBAB.match(d["id"]):
            yield _problem(e, "id should be kebab-case (a-z, 0-9, hyphens)")
        for key in ("question", "answer"):
            if not isinstance(d.get(key), str) or not d[key].strip():
                yield _problem(e, f"missing or empty '{key}'")
        for key in ("alternatives", "tags", "related", "keywords"):
            if d.get(key) is not None and not _is_text_list(d[key]):
                yield _problem(e, f"'{key}' must be a list of strings")
        unknown = set(k for k in d if isinstance(k, str)) - ENTRY_KEYS
        if unknown:
            yield _problem(e, f"unknown field(s): {', '.join(sorted(unknown))}", "warning")


def check_unique_ids(files: KnowledgeFiles) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for e in files.entries:
        ident = e.data.get("id") if isinstance(e.data, dict) else None
        if not isinstance(ident, str):
            continue
        if ident in seen:
            yield _problem(e, f"duplicate id (first in {seen[ident]})")
        else:
            seen[ident] = e.file


def check_related(files: KnowledgeFiles) -> Iterator[Problem]:
    ids = {e.data["id"] for e in files.entries
           if isinstance(e.data, dict) and isinstance(e.data.get("id"), str)}
    for e in files.entries:
        if not isinstance(e.data, dict) or not _is_text_list(e.data.get("related") or []):
            continue
        for rid in e.data.get("related") or []:
            if rid == e.data.get("id"):
                yield _problem(e, "related lists the entry itself", "warning")
            elif rid not in ids:
                yield _problem(e, f"related id '{rid}' does not exist")


def answer_words(answer: str) -> int:
    return len(answer.split())


def check_answer_length(files: KnowledgeFiles) -> Iterator[Problem]:
    for e in files.entries:
        answer = e.data.get("answer") if isinstance(e.data, dict) else None
        if isinstance(answer, str) and answer_words(answer) > MAX_ANSWER_WORDS:
            yield _problem(e, f"answer has {answer_words(answer)} words (limit {MAX_ANSWER_WORDS})")


def check_sources(files: KnowledgeFiles) -> Iterator[Problem]:
    try:
        forums = parse_forum_labels(files.yaml(FORUMS_FILE))
    except KnowledgeError:
        forums = parse_forum_labels(None)
    for e in files.entries:
        if not isinstance(e.data, dict):
            continue
        src = e.data.get("source")
        if not isinstance(src, dict):
            yield _problem(e, "missing 'source' (session and presenter from the deck)")
            continue
        if not isinstance(src.get("session"), str) or not src["session"].strip():
            yield _problem(e, "source needs a 'session' (the agenda item title)")
        if "presenter" not in src:
            yield _problem(e, "source needs a 'presenter' (null when the slide has none)", "warning")
        elif src["presenter"] is not None and not isinstance(src["presenter"], str):
            yield _problem(e, "source presenter must be text or null")
        forum = src.get("forum")
        if forum is not None and forum not in forums:
            yield _problem(e, f"unknown forum '{forum}'", "warning")
        unknown = set(k for k in src if isinstance(k, str)) - SOURCE_KEYS
        if unknown:
            yield _problem(e, f"unknown source field(s): {', '.join(sorted(unknown))}", "warning")


def check_dates(files: KnowledgeFiles) -> Iterator[Problem]:
    for e in files.entries:
        if not isinstance(e.data, dict) or e.data.get("date") is None:
            continue
        date = e.data["date"]
        if not isinstance(date, dict):
            yield _problem(e, "date must be a mapping with 'on' and 'label'")
            continue
        on = date["on"] if "on" in date else date.get(True)   # YAML 1.1: bare on: is True
        try:
            parse_date(on)
        except ValueError:
            yield _problem(e, f"date 'on' is not an ISO date (YYYY-MM-DD): {on!r}")
        if not isinstance(date.get("label"), str) or not date["label"].strip():
            yield _problem(e, "date needs a 'label' (\"<label> was <date>; it has passed.\")")


def check_alternatives(files: KnowledgeFiles) -> Iterator[Problem]:
    low, high = ALTERNATIVES_WANTED
    for e in files.entries:
        if not isinstance(e.data, dict):
            continue
        alts = e.data.get("alternatives") or []
        if not _is_text_list(alts):
            continue
        if not low <= len(alts) <= high:
            yield _problem(e, f"{len(alts)} alternatives (aim for {low}-{high})", "warning")
        norm = [" ".join(str(a).lower().split()) for a in alts]
        question = " ".join(str(e.data.get("question", "")).lower().split())
        for text, count in Counter(norm).items():
            if count > 1:
                yield _problem(e, f"alternative repeated: {text!r}", "warning")
        if question in norm:
            yield _problem(e, "an alternative repeats the question", "warning")


def _top_list(files: KnowledgeFiles, name: str, key: str) -> tuple[Optional[list], list[Problem]]:
    """The file's top-level ``key:`` list, or None and why (no problem when the file is empty)."""
    try:
        doc = files.yaml(name)
    except KnowledgeError as exc:
        return None, [Problem("error", name, "", str(exc))]
    if doc is None:
        return None, []
    items = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(items, list):
        return None, [Problem("error", name, "", f"expected a '{key}:' list")]
    return items, []


def check_glossary(files: KnowledgeFiles) -> Iterator[Problem]:
    terms, unreadable = _top_list(files, GLOSSARY_FILE, "terms")
    yield from unreadable
    if terms is None:
        return
    seen: set[str] = set()
    for i, t in enumerate(terms):
        if not isinstance(t, dict) or not isinstance(t.get("term"), str):
            yield Problem("error", GLOSSARY_FILE, f"#{i + 1}", "every term needs a 'term'")
            continue
        name = t["term"]
        if name.lower() in seen:
            yield Problem("error", GLOSSARY_FILE, name, "term defined twice")
        seen.add(name.lower())
        if t.get("expansion") is not None and not isinstance(t["expansion"], str):
            yield Problem("error", GLOSSARY_FILE, name, "expansion must be text or null")
        if t.get("variants") is not None and not _is_text_list(t["variants"]):
            yield Problem("error", GLOSSARY_FILE, name, "variants must be a list of strings")
        if t.get("source") not in GLOSSARY_SOURCES:
            yield Problem("error", GLOSSARY_FILE, name,
                          f"source must be one of {', '.join(GLOSSARY_SOURCES)} (only expansions they give)")


def check_synonyms(files: KnowledgeFiles) -> Iterator[Problem]:
    groups, unreadable = _top_list(files, SYNONYMS_FILE, "groups")
    yield from unreadable
    if groups is None:
        return
    owner: dict[str, int] = {}
    for i, group in enumerate(groups):
        if not _is_text_list(group) or len(group) < 2:
            yield Problem("error", SYNONYMS_FILE, f"group {i + 1}", "a group is a list of at least 2 words")
            continue
        for word in group:
            key = " ".join(str(word).lower().split())
            if key in owner and owner[key] != i:
                yield Problem("warning", SYNONYMS_FILE, f"group {i + 1}",
                              f"{word!r} is also in group {owner[key] + 1}: the two groups merge")
            owner.setdefault(key, i)


def check_loads(files: KnowledgeFiles) -> Iterator[Problem]:
    """The loader is the final judge: whatever stops it stops the bot."""
    try:
        load_knowledge(files.root)
    except KnowledgeError as exc:
        yield Problem("error", "", "", f"the knowledge base does not load: {exc}")


DEFAULT_CHECKERS: tuple[Checker, ...] = (
    check_entry_shape, check_unique_ids, check_related, check_answer_length, check_sources,
    check_dates, check_alternatives, check_glossary, check_synonyms, check_loads, check_events, check_forums,
    check_deadlines,
)
CHECKERS: list[Checker] = list(DEFAULT_CHECKERS)


def register_checker(checker: Checker) -> Checker:
    """Add a checker to every later check() run (usable as a decorator)."""
    if checker not in CHECKERS:
        CHECKERS.append(checker)
    return checker


def check(path: str | Path | None = None, checkers: Iterable[Checker] | None = None) -> list[Problem]:
    """Every problem in the knowledge directory, errors first."""
    files = KnowledgeFiles.read(data_dir(path))
    problems = list(files.problems)
    for checker in (CHECKERS if checkers is None else checkers):
        for found in checker(files):
            problems.append(found if isinstance(found, Problem)
                            else Problem("error", "", "", str(found)))
    return sorted(problems, key=lambda p: (p.severity != "error", p.file, p.where))


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    problems = check(args[0] if args else None)
    for p in problems:
        print(p)
    n_err = len(errors(problems))
    print(f"{n_err} error(s), {len(problems) - n_err} warning(s)")
    return 1 if n_err else 0


if __name__ == "__main__":
    raise SystemExit(main())
