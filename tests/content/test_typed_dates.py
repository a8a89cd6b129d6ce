"""Staff type dates in corrections as they write them ("7 April 2025", "30/4/2025 16:30"), through the one date
reader; an impossible date or a weekday that disagrees is refused with the reason (trial point 12)."""
from __future__ import annotations

import pytest

from bot.content.editing import ContentEditor, EditError
from bot.content.store import ContentStore
from bot.privacy.edge import redactor_for
from integrations.db.content import ContentRepository
from knowledge.loader import DEFAULT_DATA_DIR


@pytest.fixture
def editor(settings, sqlite_db, clock):
    store = ContentStore(ContentRepository(sqlite_db), clock)
    return ContentEditor(store, redactor=redactor_for(settings), seed_dir=DEFAULT_DATA_DIR), store


async def test_a_correction_takes_british_dates_and_times(editor):
    editor, store = editor
    await editor.correct("deadline", "npq-senco-applications-close", {"on": "Mon 7 Apr 2025"}, by="Clara",
                         why="extended")
    assert (await store.get("deadline", "npq-senco-applications-close")).doc["on"] == "2025-04-07"
    await editor.correct("event", "webinar-2025-04-30", {"start": "30/4/2025 3.30pm", "end": "30 April 2025 17:00"},
                         by="Clara", why="moved")
    doc = (await store.get("event", "webinar-2025-04-30")).doc
    assert (doc["start"], doc["end"]) == ("2025-04-30T15:30", "2025-04-30T17:00")


@pytest.mark.parametrize("field, typed, says", [
    ("on", "Tue 7 Apr 2025", "on: 7 April 2025 is a Monday, not a Tuesday"),
    ("on", "31/4/2025", "on: 31 April 2025 doesn't exist"),
    ("on", "soon", "couldn't read"),
])
async def test_a_correction_with_an_impossible_date_is_refused_clearly(editor, field, typed, says):
    editor, store = editor
    with pytest.raises(EditError) as refused:
        await editor.correct("deadline", "npq-senco-applications-close", {field: typed}, by="Clara", why="x")
    assert says in str(refused.value)
