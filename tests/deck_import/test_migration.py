"""The 0007_deck_drafts migration creates exactly what integrations/db/drafts.py declares, on SQLite and PostgreSQL."""
from integrations.db.drafts import content_drafts, deck_imports
from integrations.db.migrate import current_revisions
from tests.migrations import schema_differences


async def test_the_migration_matches_the_table_definitions(any_db):
    assert "0007_deck_drafts" in await current_revisions(any_db)
    assert await schema_differences(any_db, {content_drafts.name, deck_imports.name}) == []
