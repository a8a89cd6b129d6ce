"""Creating the async engine for SQLite (default) or PostgreSQL (DATABASE_URL)."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import AsyncIterator

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

log = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    """Accept the plain URLs operators paste (postgres://, postgresql://, sqlite:///) and pick async drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url[len("postgresql://"):]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        url = "sqlite+aiosqlite://" + url[len("sqlite://"):]
    return url


class Database:
    """Owns the engine; repositories borrow it."""

    def __init__(self, url: str, *, echo: bool = False):
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        # Database errors end up in logged tracebacks; their text would otherwise quote the row's values
        # (names, emails, questions). Echo is for debugging and shows them on purpose.
        kwargs: dict = {"echo": echo, "future": True, "hide_parameters": not echo}
        if self.is_sqlite:
            database = parsed.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            # Many concurrent writers wait for SQLite's single write lock instead of failing at once.
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        self._write_lock: asyncio.Lock | None = None
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction. On SQLite, writers of this process queue on an asyncio lock instead of
        polling SQLite's busy handler (which sleeps up to 100 ms a round). Never nest two of these."""
        if not self.is_sqlite:
            async with self.engine.begin() as conn:
                yield conn
            return
        if self._write_lock is None:
            self._write_lock = asyncio.Lock()
        async with self._write_lock:
            async with self.engine.begin() as conn:
                yield conn

    @property
    def dialect(self) -> str:
        return "sqlite" if self.is_sqlite else "postgresql"

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception as exc:  # any failure means "not reachable" for health checks
            log.warning("database ping failed: %s", type(exc).__name__)
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed while one writer commits; busy_timeout queues writers.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL still never corrupts the file; it only skips an fsync per commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
