"""Rows to domain objects: the one place a repository copies a row's columns into a frozen dataclass."""
from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def from_row(cls: type[T], row: Any, **converted: Any) -> T:
    """``cls`` from the row's columns of the same names; ``converted`` gives the fields stored differently
    (JSON text, integers for booleans) already turned into what the domain object holds."""
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls) if f.init and f.name not in converted},
               **converted)
