"""Staff add an FAQ entry, an event or a deadline from Teams: a blank card, filled in, checked like a draft."""
import datetime as dt

import pytest

from bot.console import Conversation
from bot.assistant import build_assistant
from bot.core import build_core
from bot.notify import RecordingNotifier


@pytest.fixture
def people(settings, sqlite_db, clock, data_dir):
    services = build_core(settings.replace(**{"bot.staff_ids": ["aad-staff"], "knowledge.data_dir": str(data_dir)}),
                              clock=clock, database=sqlite_db, notifier=RecordingNotifier())
    assistant = build_assistant(services)
    bot = assistant.bot
    staff = Conversation(bot, user_id="29:o", name="Clara Green", aad_object_id="aad-staff", channel_id="msteams")
    senco = Conversation(bot, user_id="29:s", name="Sam Senco", aad_object_id="aad-sam", channel_id="msteams")
    return staff, senco, assistant


def accept_data(reply) -> dict:
    return next(data for title, data in reply.choices if title == "Accept")


async def test_a_new_faq_entry_typed_in_teams_is_answered_at_once(people):
    staff, senco, assistant = people
    question = "Is the Term 5 forum recorded for people who cannot attend?"
    before = (await senco.says(question))[-1].text
    assert "recordings are on the Kelsi" not in before
    card = next(r for r in await staff.says("new faq entry") if r.card)
    replies = await staff.presses({**accept_data(card), "f_question": "", "f_answer": "x"})
    assert "Not accepted: missing or empty 'question'" in replies[-1].text     # nothing goes live half-filled
    replies = await staff.presses({**accept_data(card), "f_question": question,
                                   "f_answer": "Yes: recordings are on the Kelsi forum page within a week."})
    assert "Accepted" in replies[-1].text and "I answer it from now on" in replies[-1].text
    answer = (await senco.says(question))[-1].text
    assert "recordings are on the Kelsi forum page within a week" in answer
    draft = (await assistant.features.drafts.all(status="accepted"))[0]
    assert draft.decided_by == "Clara Green" and draft.edited_by == "Clara Green"


async def test_a_new_event_and_deadline_typed_in_teams_go_into_the_catalogues(people, data_dir):
    staff, _senco, assistant = people
    catalogues = assistant.features.content.catalogues
    card = next(r for r in await staff.says("add an event") if r.card)
    replies = await staff.presses({**accept_data(card), "f_title": "SEND Quality Assurance webinar",
                                   "f_kind_of_event": "webinar", "f_day": "2027-05-11", "f_start": "16:00",
                                   "f_end": "17:00", "f_booking_url": "https://teams.microsoft.com/l/meetup-join/x"})
    assert "Accepted" in replies[-1].text, replies[-1].text
    event = catalogues.events().get("webinar-2027-05-11")
    assert (event.start.hour, event.start.utcoffset(), event.is_online) == (16, dt.timedelta(hours=1), True)

    card = next(r for r in await staff.says("new deadline") if r.card)
    replies = await staff.presses({**accept_data(card), "f_title": "Term 6 forum booking closes", "f_on": "2027-06-01",
                                   "f_detail": "Book by 1 June.", "f_category": "forum"})
    assert "Accepted" in replies[-1].text, replies[-1].text
    [added] = [d for d in catalogues.deadlines() if d.title == "Term 6 forum booking closes"]
    assert added.on == dt.date(2027, 6, 1)


async def test_only_staff_can_add_content(people):
    _staff, senco, assistant = people
    replies = await senco.says("new faq entry")
    assert not any(r.card for r in replies)
    assert await assistant.features.drafts.all(status=None) == []


@pytest.mark.parametrize("typed, day", [("9 March 2027", "2027-03-09"), ("10/3/2027", "2027-03-10"),
                                        ("Thu 11 Mar 2027", "2027-03-11"), ("2027-03-12", "2027-03-12")])
async def test_a_new_event_takes_the_day_as_staff_type_it(people, typed, day):
    """Trial point 12: "9 March 2027" was refused as "not a date (YYYY-MM-DD) for day"."""
    staff, _senco, assistant = people
    card = next(r for r in await staff.says("new event") if r.card)
    replies = await staff.presses({**accept_data(card), "f_title": "SEND QA webinar", "f_kind_of_event": "webinar",
                                   "f_day": typed, "f_start": "16:00", "f_end": "17:00",
                                   "f_booking_url": "https://teams.microsoft.com/l/meetup-join/x"})
    assert "Accepted" in replies[-1].text, replies[-1].text
    assert assistant.features.content.catalogues.events().get(f"webinar-{day}") is not None


@pytest.mark.parametrize("typed, says", [
    ("31 February 2027", "day: 31 February 2027 doesn't exist: February 2027 has 28 days"),
    ("Mon 9 Mar 2027", "day: 9 March 2027 is a Tuesday, not a Monday"),
    ("9/13/2027", "There is no month 13"),
    ("next Tuesday-ish", "couldn't read"),
])
async def test_an_impossible_day_for_a_new_event_is_refused_clearly(people, typed, says):
    staff, _senco, assistant = people
    card = next(r for r in await staff.says("new event") if r.card)
    replies = await staff.presses({**accept_data(card), "f_title": "SEND QA webinar", "f_kind_of_event": "webinar",
                                   "f_day": typed, "f_start": "16:00", "f_end": "17:00"})
    assert says in replies[-1].text, replies[-1].text
    assert not [e for e in assistant.features.content.catalogues.events().events if e.title == "SEND QA webinar"]


async def test_a_new_deadline_takes_a_british_date(people):
    staff, _senco, assistant = people
    card = next(r for r in await staff.says("new deadline") if r.card)
    replies = await staff.presses({**accept_data(card), "f_title": "NPQ spring applications close",
                                   "f_on": "Fri 12 Feb 2027", "f_detail": "Apply online.", "f_category": "training"})
    assert "Accepted" in replies[-1].text, replies[-1].text
    [added] = [d for d in assistant.features.content.catalogues.deadlines() if d.title.startswith("NPQ spring")]
    assert added.on == dt.date(2027, 2, 12)
