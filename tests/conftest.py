"""Shared fixtures: fixed clocks, migrated SQLite and PostgreSQL databases, settings."""
from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.settings import DEFAULT_CONFIG, load_settings
from integrations.db import Database
from integrations.db.metadata import metadata
from integrations.db.migrate import upgrade
from knowledge.events import DEFAULT_EVENTS_FILE
from tests.fakes import running
from tests.fakes.smtp import SmtpServer

pytest_plugins = ["tests.travel"]

PG_ADMIN_URL = os.environ.get("SENCOBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


# A Thursday in term time, in GMT; tests needing BST set their own instant.
TEST_NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


@pytest.fixture(autouse=True)
def cli_clock(monkeypatch):
    """Every ``sencobot`` command a test runs sees the same fixed instant, never today's date."""
    monkeypatch.setenv("SENCOBOT_NOW", TEST_NOW.isoformat())


def run_in_fresh_loop(make_coroutine):
    """Runs a coroutine to completion in its own thread and loop (safe inside a running loop)."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def _pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    import asyncpg

    async def probe():
        conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgresql://", "postgres://"), timeout=3)
        await conn.close()

    try:
        run_in_fresh_loop(probe)
        return None
    except Exception as exc:
        return f"no PostgreSQL server answers at {PG_ADMIN_URL} ({type(exc).__name__})"


@pytest.fixture(scope="session")
def pg_url():
    """A fresh PostgreSQL database for this test session, migrated; dropped afterwards."""
    reason = _pg_available()
    if reason:
        pytest.skip(reason)
    import asyncpg

    name = f"sencobot_test_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN_URL.replace("postgresql://", "postgres://")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    async def admin_execute(statement: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    async def create():
        await admin_execute(f'CREATE DATABASE "{name}"')
        database = Database(url)
        await upgrade(database)
        await database.dispose()

    async def drop():
        await admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    run_in_fresh_loop(create)
    yield url
    run_in_fresh_loop(drop)


async def _truncate_all(database: Database) -> None:
    import integrations.db.tables  # noqa: F401

    async with database.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(table.delete())


@pytest.fixture
async def sqlite_db(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/sencobot.db")
    await upgrade(database)
    yield database
    await database.dispose()


@pytest.fixture
async def pg_db(pg_url):
    database = Database(pg_url)
    await _truncate_all(database)
    yield database
    await database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def any_db(request, tmp_path):
    """Runs a test once on SQLite and once on PostgreSQL (the storage contract)."""
    if request.param == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path}/sencobot.db")
        await upgrade(database)
    else:
        database = Database(request.getfixturevalue("pg_url"))
        await _truncate_all(database)
    yield database
    await database.dispose()


@pytest.fixture
def settings(tmp_path):
    return load_settings(
        DEFAULT_CONFIG,
        environ={},
        overrides={"database.url": f"sqlite+aiosqlite:///{tmp_path}/sencobot.db"},
    )


@pytest.fixture
def smtp():
    """A local SMTP server that keeps what it is sent (tests.fakes.smtp)."""
    yield from running(SmtpServer())


@pytest.fixture
def events_path(tmp_path) -> Path:
    """A copy of the events catalogue that a test may edit."""
    path = tmp_path / "events.yaml"
    shutil.copy(DEFAULT_EVENTS_FILE, path)
    return path


@pytest.fixture
def cli_env(tmp_path, events_path, monkeypatch) -> str:
    """The environment a ``sencobot`` command runs in: its own SQLite file (the URL is returned), the copied
    events catalogue and a link-signing key."""
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SENCOBOT_BOOKINGS__EVENTS_FILE", str(events_path))
    monkeypatch.setenv("SENCOBOT_LINK_SIGNING_KEY", "test-signing-key")
    return url
