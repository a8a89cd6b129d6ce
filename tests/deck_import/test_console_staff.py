"""A member of staff in the terminal chat types into a card's fields, then presses its button by number."""
import io

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
