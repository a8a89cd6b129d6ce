"""Applying Alembic migrations from code (``sencobot db upgrade``, tests, benchmarks).

Feature migrations branch from the foundation revision, so ``heads`` is the target:
each feature's schema can land independently and all of them apply.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from integrations.db.engine import Database

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def upgrade(database: Database, target: str = "heads") -> None:
    config = alembic_config()

    def run(sync_connection):
        config.attributes["connection"] = sync_connection
        command.upgrade(config, target)

    async with database.engine.begin() as conn:
        await conn.run_sync(run)


async def current_revisions(database: Database) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    def read(sync_connection):
        return set(MigrationContext.configure(sync_connection).get_current_heads())

    async with database.engine.connect() as conn:
        return await conn.run_sync(read)
