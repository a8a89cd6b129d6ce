"""The 0004_reminders migration creates exactly what reminder_tables declares, on SQLite and PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import integrations.db.tables  # noqa: F401  (complete metadata)
from integrations.db.metadata import metadata
from integrations.db.migrate import current_revisions
from integrations.db.reminders import (
    delivery_attempts,
    outbound_messages,
    reminder_prompts,
    reminder_subscriptions,
    reminders,
    send_rate_slots,
    tribunal_cases,
)

MINE = {t.name for t in (reminder_subscriptions, reminder_prompts, tribunal_cases, reminders, outbound_messages,
                         delivery_attempts, send_rate_slots)}


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
    assert "0004_reminders" in await current_revisions(any_db)

    def differences(sync_connection):
        context = MigrationContext.configure(sync_connection, opts={"compare_type": False})
        return compare_metadata(context, metadata)

    async with any_db.engine.connect() as conn:
        diffs = await conn.run_sync(differences)
    assert [d for d in diffs if _touches_mine(d)] == []
