"""Transcripts: people booking, waiting, cancelling and being refused, through the real handler."""
from __future__ import annotations

from datetime import datetime, timezone

from bot.assistant import build_assistant
from bot.console import Conversation
from bot.core import build_core
from tests.bookings.conftest import WEST, book_west, edit_event, notices, senco, west_is_full
from tests.support.chat import says_and_hears


async def test_booking_an_induction_meeting_then_a_webinar_remembering_school_and_email(assistant):
    user = senco(assistant)

    await says_and_hears(user, "book the induction meeting in Maidstone", "Which school or setting")
    await says_and_hears(user, "Oakwood Primary School", "Which email address")
    await says_and_hears(user, "not an address", "doesn't look like an email address")
    confirm = await user.says("sam@oakwood.kent.sch.uk")
    card = confirm[-1]
    for expected in ("Community Induction Meeting – West", "Friday 2 May 2025, 09:00 to 12:00",
                     "Mercure Great Danes Hotel, Maidstone", "Sam Senco", "Oakwood Primary School",
                     "sam@oakwood.kent.sch.uk", "60 of 60 places left"):
        assert expected in card, expected

    booked = await user.button("Confirm booking")
    assert "You're booked on the Community Induction Meeting – West" in booked[-1]
    assert "Add to calendar: http://127.0.0.1:3978/calendar/" in booked[-1].text

    # Second booking: school and email are remembered, so it goes straight to the confirmation card.
    confirm = await user.says("sign me up for the webinar on 6 May")
    assert "Please check your booking for the SEND Quality Assurance webinar" in confirm[-1]
    assert "Tuesday 6 May 2025, 10:00" in confirm[-1] and "Oakwood Primary School" in confirm[-1]
    await user.button("Confirm booking")

    mine = await user.says("my bookings")
    assert "Community Induction Meeting – West" in mine[-1] and "SEND Quality Assurance webinar" in mine[-1]
    assert mine[-1].text.count("Booked") == 2


async def test_book_offers_every_open_event_as_numbered_choices(assistant):
    user = senco(assistant, channel="console")
    choices = await user.says("book")
    assert len(choices[-1].choices) == 6
    assert "Book: Webinar, Tuesday 6 May 2025" in choices[-1]

    asked = await user.says("5")  # the console presses the fifth button
    assert "Which school" in asked[-1].text


async def test_changing_the_school_on_the_confirmation_card(assistant):
    user = senco(assistant)
    await book_west(user)
    asked = await user.button("Change school")
    assert "Which school" in asked[-1].text
    confirm = await user.says("Hilltop Academy")
    assert "Hilltop Academy" in confirm[-1] and "Oakwood" not in confirm[-1].text
    await user.button("Not now")
    assert await user.says("my bookings")


async def test_booking_the_same_event_twice_says_you_are_already_booked(assistant):
    user = senco(assistant)
    await book_west(user, confirm=True)

    again = await user.says("book the induction meeting in Maidstone")
    assert again[-1].text == ("You're already booked on the Community Induction Meeting – West on "
                              "Friday 2 May 2025, 09:00. Say \"my bookings\" to see it.")


async def test_full_event_offers_the_waitlist_and_a_cancellation_promotes(assistant, services, events_path):
    first, second = await west_is_full(assistant, events_path)

    offer = await book_west(second, school="Hilltop Academy", email="alex@hilltop.kent.sch.uk")
    assert "This event is full. Join the waiting list" in offer[-1]
    waiting = await second.button("Join the waiting list")
    assert "You're number 1 on the waiting list for the Community Induction Meeting – West" in waiting[-1]

    question = await first.says("cancel my booking")
    assert "Cancel your place on the Community Induction Meeting – West on Friday 2 May 2025, 09:00?" in question[-1]
    done = await first.button("Yes, cancel it")
    assert "your place on the Community Induction Meeting – West on Friday 2 May 2025, 09:00 is cancelled" in done[-1]

    promoted = notices(services, "booking.promoted")
    assert [n.user_id for n in promoted] == ["29:u2"]
    assert "Friday 2 May 2025, 09:00" in promoted[0].text
    assert "Booked" in (await second.says("my bookings"))[-1]
    assert "no upcoming bookings" in (await first.says("my bookings"))[-1].text


async def test_keeping_a_booking_when_asked_to_confirm_the_cancellation(assistant):
    user = senco(assistant)
    await book_west(user, confirm=True)
    await user.says("cancel my booking")
    kept = await user.button("No, keep it")
    assert "stays as it is" in kept[-1].text
    assert "Booked" in (await user.says("my bookings"))[-1]


async def test_past_events_are_refused_with_their_date(booking_settings, clock, sqlite_db):
    # The shared clock is November 2026: the deck's events are all in the past.
    assistant = build_assistant(build_core(booking_settings, clock=clock, database=sqlite_db))
    user = senco(assistant)

    refused = await user.says("book the induction meeting in Maidstone")
    assert refused[-1].text.startswith("The Community Induction Meeting – West took place on Friday 2 May 2025, "
                                       "09:00, so it can't be booked any more.")
    nothing = await user.says("book")
    assert "nothing open for booking" in nothing[-1].text
    assert "Tuesday 6 May 2025, 13:00" in nothing[-1].text


async def test_closed_bookings_are_refused_with_the_closing_date(assistant, spring_clock):
    spring_clock.set(datetime(2025, 5, 1, 17, 0, tzinfo=timezone.utc))  # 18:00 BST on Thursday 1 May
    user = senco(assistant)

    refused = await user.says("book the induction meeting in Maidstone")
    assert refused[-1].text.startswith("Bookings for the Community Induction Meeting – West on Friday 2 May 2025, "
                                       "09:00 closed on Thursday 1 May 2025, 17:00.")


async def test_cancelling_an_event_notifies_everyone_booked(assistant, services, events_path):
    first, second = await west_is_full(assistant, events_path)
    await book_west(second, school="Hilltop Academy", email="alex@hilltop.kent.sch.uk")
    await second.button("Join the waiting list")

    edit_event(events_path, WEST, status="cancelled")
    await assistant.features.bookings.refresh()

    told = notices(services, "booking.event_cancelled")
    assert sorted(n.user_id for n in told) == ["29:u1", "29:u2"]
    assert all("Community Induction Meeting – West on Friday 2 May 2025, 09:00 has been cancelled" in n.text
               for n in told)
    assert "no upcoming bookings" in (await first.says("my bookings"))[-1].text
    refused = await first.says("book the induction meeting in Maidstone")
    assert "has been cancelled" in refused[-1].text


async def test_places_is_for_staff_only(assistant):
    user = senco(assistant)
    await book_west(user, confirm=True)

    staff = Conversation(assistant.bot, user_id="29:staff", name="Ivy Officer", aad_object_id="aad-staff",
                         channel_id="msteams")
    numbers = await staff.says("places")
    assert "Community Induction Meeting – West (Friday 2 May 2025)" in numbers[-1]
    assert "1 taken, 59 left of 60; 0 waiting; open" in numbers[-1]

    other = await senco(assistant, 3).says("booking numbers")
    assert "Places per event" not in other[-1].text


async def test_an_old_confirmation_button_after_the_dialog_ended(assistant):
    user = senco(assistant)
    await book_west(user, confirm=True)
    stale = await user.presses({"action": "booking.step", "choice": "book"})
    assert "That booking form has expired" in stale[-1].text


ROUTES = [
    ("book", "booking.book"),
    ("book the induction meeting in Maidstone", "booking.book"),
    ("sign me up for the webinar on 6 May", "booking.book"),
    ("can I book onto the induction?", "booking.book"),
    ("register me for the North meeting", "booking.book"),
    ("my bookings", "booking.mine"),
    ("cancel my booking", "booking.cancel"),
    ("how do i cancel my booking?", "booking.cancel"),
    # Questions about booking other things belong to the FAQ answerer.
    ("how do I book a place on the NPQ?", None),
    ("can i book STLS trainng for next autumn term?", None),
    ("when are the QA webinars running? need to book one", None),
    ("booking numbers", None),  # staff only
]


def test_which_messages_start_a_booking_conversation(assistant):
    routed = [(text, (lambda i: i.name if i else None)(assistant.bot.router.best(text, is_staff=False)))
              for text, _intent in ROUTES]
    assert routed == ROUTES
    assert assistant.bot.router.best("booking numbers", is_staff=True).name == "booking.places"
