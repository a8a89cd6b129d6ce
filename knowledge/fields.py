"""Reading the catalogue files' fields (events, forums, deadlines, the FAQ loader): one copy of each rule.

Each catalogue reports problems in its own type (``EventProblem``, a line of text…), so the helpers that
report take ``problem(where, message)`` and append what it makes; the rules themselves are here once.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

Report = Callable[[str, str], Any]   # (where, message) -> the catalogue's problem


def iso_date(value: Any) -> Optional[dt.date]:
    """A date from a date, a date and time (its date) or ISO text; None when it is none of those."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def required_text(raw: dict, key: str, problems: list, where: str, problem: Report) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(problem(where, f"'{key}' must be non-empty text"))
        return ""
    return " ".join(value.split())


def optional_text(raw: dict, key: str, problems: list, where: str, problem: Report, *,
                  fold: bool = True) -> Optional[str]:
    """The text, or None when absent; ``fold`` joins runs of white space (else only the ends are trimmed)."""
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(problem(where, f"'{key}' must be text or null"))
        return None
    return " ".join(value.split()) if fold else value.strip()


def read_yaml(path: Path, fail: Callable[[str], Exception], *, unreadable_values: bool = False) -> Any:
    """The file's YAML, or ``fail(message)`` raised when it is missing or not YAML. With
    ``unreadable_values``, PyYAML's own ValueError (an unquoted impossible date, 2025-13-01) fails too."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fail(f"{path.name}: file not found") from None
    except yaml.YAMLError as exc:
        raise fail(f"{path.name}: not valid YAML ({str(exc).splitlines()[0]})") from None
    except ValueError as exc:
        if not unreadable_values:
            raise
        raise fail(f"{path.name}: a value cannot be read ({exc}); quote dates as \"YYYY-MM-DD\"") from None


def problems_when_loading(load: Callable[[], Any], error: type[Exception]) -> list:
    """Every problem ``load`` reports by raising ``error`` (whose ``problems`` lists them); empty when it loads."""
    try:
        load()
    except error as exc:
        return list(exc.problems)
    return []


def document_to_check(files, name: str, read: Callable[[Path], Any], error: type[Exception],
                      message: Callable[[Any], str] = str) -> tuple[bool, Any, list]:
    """For ``kb check``: (readable, the document, the file's own problems) of ``name`` in the data folder
    (``files`` is knowledge.check.KnowledgeFiles); not readable, with no problems, when the file is absent."""
    from knowledge.problems import Problem

    path = Path(files.root) / name
    if not path.is_file():
        return False, None, []
    try:
        return True, read(path), []
    except error as exc:
        return False, None, [Problem("error", name, "", message(problem)) for problem in exc.problems]
