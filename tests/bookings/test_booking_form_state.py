"""A booking form is dialog state in the shared database, so it can be continued by another app process
(a restart, another replica). Trial point 4: the event it named could not be found in the new process and
every later message crashed or was read as the email, until the user said "cancel"."""
from __future__ import annotations

from bot.content.store import ContentStore
from integrations.db.content import ContentRepository
from tests.bookings.conftest import senco
from tests.support.chat import assistant_for, texts

QA_WEBINAR = {"id": "webinar-2025-05-20", "kind": "webinar", "title": "SEND QA webinar", "description": "Reviews.",
              "start": "2025-05-20T16:00", "end": "2025-05-20T17:00", "booking_opens": "2025-03-19T09:00",
              "booking_closes": "2025-05-19T17:00", "status": "scheduled", "venue": None,
              "join_url": "https://teams.microsoft.com/l/qa", "capacity": 40}


async def test_a_form_continued_in_a_new_process_finds_its_event_again(booking_settings, spring_clock, sqlite_db):
    # Staff added the webinar through the shared content store (not the seed file).
    await ContentStore(ContentRepository(sqlite_db), spring_clock).add("event", QA_WEBINAR, by="Clara Green",
                                                                      why="announced")
    first = assistant_for(booking_settings, spring_clock, sqlite_db)
    await first.features.content.poll()
    user = senco(first)
    await user.says("book the QA webinar")
    replies = await user.says("Oakwood Primary School")
    assert "Which email address" in replies[-1].text

    # The chat continues in a process that has not read the content store yet.
    second = assistant_for(booking_settings, spring_clock, sqlite_db)
    user = senco(second)
    replies = await user.says("sam@oakwood.kent.sch.uk")
    said = texts(replies)
    assert "something went wrong" not in said, said
    assert replies[-1].card is not None and "SEND QA webinar" in replies[-1].text, said
    replies = await user.button("Confirm booking")
    assert "You're booked on the SEND QA webinar" in texts(replies)


async def test_a_form_whose_event_is_gone_ends_with_a_clear_sentence_and_frees_the_user(
        booking_settings, spring_clock, sqlite_db):
    store = ContentStore(ContentRepository(sqlite_db), spring_clock)
    await store.add("event", QA_WEBINAR, by="Clara Green", why="announced")
    assistant = assistant_for(booking_settings, spring_clock, sqlite_db)
    await assistant.features.content.poll()
    user = senco(assistant)
    await user.says("book the QA webinar")
    await user.says("Oakwood Primary School")
    # Withdrawn while the form waited for the email.
    await store.withdraw("event", QA_WEBINAR["id"], by="Clara Green", why="entered twice")
    await assistant.features.content.poll()

    replies = await user.says("sam@oakwood.kent.sch.uk")
    said = texts(replies)
    assert "something went wrong" not in said, said
    assert "That booking form has expired" in said and "say \"book\"" in said.lower(), said
    # Nothing is left waiting: the next message is read afresh.
    replies = await user.says("my bookings")
    assert "doesn't look like an email" not in texts(replies)
    assert "You have no upcoming bookings" in texts(replies)


async def test_a_step_that_fails_ends_its_form_instead_of_failing_on_every_later_message(assistant, monkeypatch):
    """The host's guard for every dialog: whatever made a step fail is in the dialog's stored state, so the
    failed turn ends the dialog and says so; the user is never left where only "cancel" gets out."""
    user = senco(assistant)
    await user.says("book the induction meeting in Maidstone")
    await user.says("Oakwood Primary School")
    await user.says("sam@oakwood.kent.sch.uk")

    async def broken(*args, **kwargs):
        raise RuntimeError("the booking store fell over")

    monkeypatch.setattr(assistant.features.bookings, "book", broken)
    replies = await user.says("yes")
    said = texts(replies)
    assert "something went wrong" in said and "I've stopped what we were doing" in said, said
    monkeypatch.undo()
    replies = await user.says("yes")
    said = texts(replies)
    assert "Please press one of the buttons" not in said and "something went wrong" not in said, said
    replies = await user.button("Confirm booking")
    said = texts(replies)
    assert "something went wrong" not in said and "expired" in said, said
