"""Checks that a migration creates exactly what the table definitions declare."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import integrations.db.tables  # noqa: F401  (complete metadata)
from integrations.db.metadata import metadata


def _touches(diff, names: set[str]) -> bool:
    items = diff if isinstance(diff, list) else [diff]
    for item in items:
        for part in item[1:] if isinstance(item, tuple) else ():
            table = getattr(part, "table", None)
            name = getattr(table, "name", None) or getattr(part, "name", None)
            if name in names or (isinstance(part, str) and part in names):
                return True
    return False


async def schema_differences(database, names: set[str]) -> list:
    """Alembic's differences between the migrated database and the metadata, for the named tables only."""

    def differences(sync_connection):
        context = MigrationContext.configure(sync_connection, opts={"compare_type": False})
        return compare_metadata(context, metadata)

    async with database.engine.connect() as conn:
        diffs = await conn.run_sync(differences)
    return [d for d in diffs if _touches(d, names)]
