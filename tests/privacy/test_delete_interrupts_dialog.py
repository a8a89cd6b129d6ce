"""'delete my data' must work even in the middle of another conversation."""
from bot.console import Conversation
from bot.assistant import build_assistant
from bot.core import build_core


async def test_delete_my_data_interrupts_a_tribunal_case_in_progress(settings, clock, sqlite_db):
    services = build_core(settings, clock=clock, database=sqlite_db)
    assistant = build_assistant(services)
    user = Conversation(assistant.bot, user_id="29:u-interrupt", name="Sam Senco", channel_id="msteams")
    # The tribunal tracker asks follow-up questions, so a dialog is active afterwards.
    await user.says("add a tribunal case")
    replies = await user.says("delete my data")
    assert any("delete" in reply.text.lower() for reply in replies), [r.text for r in replies]
