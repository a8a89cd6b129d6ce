"""'delete my data' must work even in the middle of another conversation."""
from tests.support.chat import assistant_for, teams_user


async def test_delete_my_data_interrupts_a_tribunal_case_in_progress(settings, clock, sqlite_db):
    user = teams_user(assistant_for(settings, clock, sqlite_db), "29:u-interrupt")
    # The tribunal tracker asks follow-up questions, so a dialog is active afterwards.
    await user.says("add a tribunal case")
    replies = await user.says("delete my data")
    assert any("delete" in reply.text.lower() for reply in replies), [r.text for r in replies]
