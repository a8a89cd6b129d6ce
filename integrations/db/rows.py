"""Rows to domain objects (the one place a repository copies a row's columns into a frozen dataclass), and the
read shapes every repository repeats."""
from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy import select

T = TypeVar("T")


def from_row(cls: type[T], row: Any, **converted: Any) -> T:
    """``cls`` from the row's columns of the same names; ``converted`` gives the fields stored differently
    (JSON text, integers for booleans) already turned into what the domain object holds."""
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls) if f.init and f.name not in converted},
               **converted)


# -- the query shapes every repository repeats ----------------------------------------------------------


async def first_row(conn, table, **equal: Any) -> Any:
    """The row of ``table`` whose columns equal the given values (a key), or None; on an open connection."""
    return (await conn.execute(select(table).where(*(table.c[name] == value for name, value in equal.items()))
                               )).first()


async def get_row(database, table, **equal: Any) -> Any:
    """``first_row`` on a connection of its own: a read by key."""
    async with database.engine.connect() as conn:
        return await first_row(conn, table, **equal)


async def rows_by_id_prefix(database, table, id_prefix: str, *, limit: int = 5) -> list:
    """Rows whose hex ``id`` starts with the prefix (staff type short ids in the CLI); none for anything else."""
    prefix = id_prefix.strip().lower()
    if not prefix or any(c not in "0123456789abcdef" for c in prefix):
        return []
    async with database.engine.connect() as conn:
        return list(await conn.execute(select(table).where(table.c.id.like(prefix + "%")).limit(limit)))
