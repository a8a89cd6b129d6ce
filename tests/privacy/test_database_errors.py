"""A database error's text (which ends up in logged tracebacks) does not quote the row's values."""
from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from integrations.db import Database
from integrations.db.host import bot_state


async def test_a_failed_statement_does_not_repeat_its_values(any_db):
    with pytest.raises(IntegrityError) as caught:
        async with any_db.begin() as conn:
            await conn.execute(insert(bot_state).values(key="k", etag="e", document="Tyler Brooks, DOB 3/4/15",
                                                        updated_at=None))
    assert "Tyler" not in str(caught.value)
    assert "parameters hidden" in str(caught.value)


def test_echo_for_debugging_still_shows_values(tmp_path):
    assert Database(f"sqlite+aiosqlite:///{tmp_path}/x.db", echo=True).engine.sync_engine.hide_parameters is False
    assert Database(f"sqlite+aiosqlite:///{tmp_path}/x.db").engine.sync_engine.hide_parameters is True
