"""The 0007_deck_drafts migration creates exactly what integrations/db/drafts.py declares, on SQLite and PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import integrations.db.tables  # noqa: F401  (complete metadata)
from integrations.db.drafts import content_drafts, deck_imports
from integrations.db.metadata import metadata
from integrations.db.migrate import current_revisions

MINE = {content_drafts.name, deck_imports.name}


def _touches_mine(diff) -> bool:
    items = diff if isinstance(diff, list) else [diff]
    for item in items:
        for part in item[1:] if isinstance(item, tuple) else ():
            table = getattr(part, "table", None)
            name = getattr(table, "name", None) or getattr(part, "name", None)
            if name in MINE or (isinstance(part, str) and part in MINE):
                return True
    return False


async def test_the_migration_matches_the_table_definitions(any_db):
    assert "0007_deck_drafts" in await current_revisions(any_db)

    def differences(sync_connection):
        context = MigrationContext.configure(sync_connection, opts={"compare_type": False})
        return compare_metadata(context, metadata)

    async with any_db.engine.connect() as conn:
        diffs = await conn.run_sync(differences)
    assert [d for d in diffs if _touches_mine(d)] == []
