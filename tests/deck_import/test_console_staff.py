"""A member of staff in the terminal chat types into a card's fields, then presses its button by number."""
import io
from datetime import timedelta

import pytest

from bot.console import Conversation, run_console
from bot.assistant import build_assistant
from bot.core import build_core
from bot.notify import RecordingNotifier


async def test_staff_type_an_answer_in_the_terminal_and_the_asker_gets_it(settings, sqlite_db, clock):
    services = build_core(settings.replace(**{"bot.staff_ids": ["console-staff"]}), clock=clock,
                              database=sqlite_db, notifier=RecordingNotifier())
    assistant = build_assistant(services)
    bot = assistant.bot
    senco = Conversation(bot, user_id="29:s", name="Sam Senco", aad_object_id="aad-sam", channel_id="msteams")
    await senco.says("Is there free parking at the venue?")

    stdin = io.StringIO("inbox\nanswer: Yes, parking at Discovery Park is free.\n1\n")
    stdout = io.StringIO()
    await run_console(bot, stdin=stdin, stdout=stdout, user_id="console-staff", name="Clara Green")
    shown = stdout.getvalue()
    assert "to fill in a field type  field: text" in shown
    assert "(answer set; press a button's number to send it)" in shown
    assert "Thanks, that's answered. I've sent it to 1 person" in shown
    [notice] = services.notifier.notices
    assert "Yes, parking at Discovery Park is free." in str(notice)


async def test_typed_fields_are_not_sent_with_a_button_that_takes_no_inputs(settings, sqlite_db, clock):
    services = build_core(settings.replace(**{"bot.staff_ids": ["aad-staff"]}), clock=clock, database=sqlite_db,
                          notifier=RecordingNotifier())
    assistant = build_assistant(services)
    bot = assistant.bot
    senco = Conversation(bot, user_id="29:s", name="Sam Senco", aad_object_id="aad-sam", channel_id="msteams")
    await senco.says("Is there free parking at the venue?")
    staff = Conversation(bot, user_id="29:o", name="Olu", aad_object_id="aad-staff", channel_id="msteams")
    await staff.says("inbox")
    assert "set;" in (await staff.says("answer: not this one"))[-1].text
    card = next(r for r in reversed(staff.replies) if any(title == "Dismiss" for title, _ in r.choices))
    dismiss = next(n for n, (title, _) in enumerate(card.choices, start=1) if title == "Dismiss")
    replies = await staff.says(str(dismiss))
    assert "Dismissed" in replies[-1].text
    assert services.notifier.notices == []
    # A line that names no field of the card is an ordinary message, not a field.
    assert "set;" not in " ".join(r.text for r in await staff.says("note: this is just a question"))


@pytest.mark.timeout(300)
async def test_sencobot_chat_staff_answers_the_inbox_group_they_choose(settings, sqlite_db, clock):
    """`sencobot chat --staff NAME` as its own process: the inbox shows two groups, staff pick the second with
    `card 2`, type the answer and press Answer; only that group's asker is sent it, credited to NAME."""
    from integrations.db.inbox import InboxRepository
    from integrations.db.reminders import Outbox
    from tests.content.conftest import sencobot

    url = settings.database.url
    core = build_core(settings, clock=clock, database=sqlite_db)
    bot = build_assistant(core).bot
    first = Conversation(bot, user_id="29:a", name="Amy Senco", aad_object_id="aad-a", channel_id="msteams")
    second = Conversation(bot, user_id="29:b", name="Ben Senco", aad_object_id="aad-b", channel_id="msteams")
    await first.says("Is there free parking at the venue?")
    clock.advance(timedelta(minutes=5))          # the inbox shows the older group first
    await second.says("Can I bring my teaching assistant to the forum?")
    stdin = ("inbox\ncard 2\nanswer: Yes, teaching assistants are welcome; book them a place. Ask Mrs Patel.\n"
             "1\n")
    shown = sencobot(url, "chat", "--staff", "Clara Green", stdin=stdin,
                     SENCOBOT_NOW=clock.now().isoformat()).stdout
    assert "[card 2 of 2: type  card 2  to work on it]" in shown
    assert "(card 2 chosen)" in shown and "(answer set; press a button's number to send it)" in shown
    assert "Thanks, that's answered. I've sent it to 1 person" in shown
    repo = InboxRepository(core.database)
    [answered] = await repo.clusters(("answered",))
    assert answered.question.startswith("Can I bring my teaching assistant")
    # `chat` starts its clock at SENCOBOT_NOW and lets it tick on.
    assert answered.answered_by == "Clara Green"
    assert clock.now() - timedelta(minutes=5) <= answered.answered_at < clock.now() + timedelta(minutes=5)
    assert "Patel" not in answered.answer                   # staff-typed text is redacted before storage
    queries = {q.asker_id: q for q in await repo.list_queries(statuses=None, needs_answer=True)}
    outbox = Outbox(core.database)
    assert await outbox.get(f"inbox.answer.{queries['29:b'].id}") is not None
    assert await outbox.get(f"inbox.answer.{queries['29:a'].id}") is None
