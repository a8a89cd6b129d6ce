"""The 0004_reminders migration creates exactly what reminder_tables declares, on SQLite and PostgreSQL."""
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
from tests.migrations import schema_differences

MINE = {t.name for t in (reminder_subscriptions, reminder_prompts, tribunal_cases, reminders, outbound_messages,
                         delivery_attempts, send_rate_slots)}


async def test_the_migration_matches_the_table_definitions(any_db):
    assert "0004_reminders" in await current_revisions(any_db)
    assert await schema_differences(any_db, MINE) == []
