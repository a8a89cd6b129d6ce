"""Trial point 13: after a question asked in the terminal chat was answered, staff were told "sent to 1 person
(1 in Teams, 0 by email)". The terminal has no way to receive a message later, so staff are told that instead."""
from __future__ import annotations

from bot.assistant import build_assistant
from bot.console import Conversation
from bot.core import build_core
from bot.notify import RecordingNotifier


async def _answer_the_group(staff: Conversation) -> str:
    await staff.says("inbox")
    await staff.says("answer: Yes, parking at Discovery Park is free.")
    card = next(r for r in reversed(staff.replies) if any(title == "Answer" for title, _ in r.choices))
    press = next(n for n, (title, _) in enumerate(card.choices, start=1) if title == "Answer")
    return (await staff.says(str(press)))[-1].text


async def test_staff_are_told_truthfully_when_the_asker_was_in_the_terminal_chat(settings, sqlite_db, clock):
    core = build_core(settings.replace(**{"bot.staff_ids": ["aad-staff"]}), clock=clock, database=sqlite_db,
                      notifier=RecordingNotifier())
    bot = build_assistant(core).bot
    await Conversation(bot, user_id="console-user", name="Terry Terminal").says("Is there free parking at the venue?")
    staff = Conversation(bot, user_id="29:o", name="Olu", aad_object_id="aad-staff", channel_id="msteams")
    said = await _answer_the_group(staff)
    assert "I've sent it to" not in said, said
    assert "1 asked in the terminal chat, which can't be sent answers" in said, said
    assert core.notifier.notices == []


async def test_a_group_asked_in_teams_and_the_terminal_counts_each_where_it_went(settings, sqlite_db, clock):
    core = build_core(settings.replace(**{"bot.staff_ids": ["aad-staff"]}), clock=clock, database=sqlite_db,
                      notifier=RecordingNotifier())
    bot = build_assistant(core).bot
    await Conversation(bot, user_id="console-user").says("Is there free parking at the venue?")
    await Conversation(bot, user_id="29:s", name="Sam Senco", aad_object_id="aad-sam",
                       channel_id="msteams").says("Is there free parking at the venue?")
    staff = Conversation(bot, user_id="29:o", name="Olu", aad_object_id="aad-staff", channel_id="msteams")
    said = await _answer_the_group(staff)
    assert "I've sent it to 1 person (1 in Teams, 0 by email)" in said, said
    assert "1 asked in the terminal chat, which can't be sent answers" in said, said
    assert [n.user_id for n in core.notifier.notices] == ["29:s"]
