"""Booking conversations the user trial found awkward: offers of what you already hold, confirmations only
on a card, the joining link only in the calendar file, and stale buttons."""
from __future__ import annotations

from bot.cards import card_nodes
from tests.bookings.conftest import WEST, book_west, senco


async def test_the_list_never_offers_to_book_or_wait_for_an_event_you_hold(assistant):
    user = senco(assistant)
    await book_west(user, confirm=True)
    replies = await user.says("book")
    listing = replies[-1]
    assert "You're booked on this one" in listing.text
    titles = [title for title, _ in listing.choices]
    assert titles and not any("West" in t for t in titles), titles
    assert all(data.get("event_id") != WEST for _, data in listing.choices)


async def test_every_booking_action_is_confirmed_in_words(assistant):
    user = senco(assistant)
    booked = await book_west(user, confirm=True)
    words = [r for r in booked if r.card is None]
    assert words and "You're booked on the Community Induction Meeting – West" in words[0].text
    assert "Venue: Mercure Great Danes Hotel, Maidstone" in words[0].text
    cancel = await user.button("Cancel this booking")
    confirmed = await user.button(next(t for t, _ in cancel[-1].choices if t.startswith("Yes")))
    assert "your place on the Community Induction Meeting – West" in confirmed[-1].text


async def test_an_online_booking_shows_its_joining_link_on_the_card_and_in_my_bookings(assistant):
    user = senco(assistant)
    replies = await user.says("sign me up for the webinar on 6 May")
    if "Which school" in replies[-1].text:
        replies = await user.says("Oakwood Primary School")
    if "Which email" in replies[-1].text:
        await user.says("sam@oakwood.kent.sch.uk")
    booked = await user.button("Confirm booking")
    card = booked[-1]
    assert "Joining link: https://teams.microsoft.com/" in card.text
    assert "Join online" in _open_url_titles(card.card)
    mine = await user.says("my bookings")
    assert "Joining link: https://teams.microsoft.com/" in mine[-1].text


async def test_a_button_from_a_finished_form_says_what_changed(assistant):
    user = senco(assistant)
    await book_west(user, confirm=True)
    stale = await user.presses({"action": "booking.step", "choice": "book", "event_id": WEST})
    assert len(stale) == 1
    assert "That form is finished" in stale[0].text and "You're already booked on the Community Induction" \
        in stale[0].text


async def test_a_button_from_an_earlier_form_does_not_book_the_current_one(assistant):
    user = senco(assistant)
    await book_west(user)
    await user.presses({"action": "booking.pick", "event_id": "webinar-2025-05-06"})
    stale = await user.presses({"action": "booking.step", "choice": "book", "event_id": WEST})
    assert "That button is from an earlier form for the Community Induction Meeting – West" in stale[-1].text
    assert len(stale) == 1  # the current card is not shown again
    assert await assistant.features.bookings.my_bookings("29:u1") == []


def _open_url_titles(card: dict) -> list[str]:
    return [node.get("title") for node in card_nodes(card, parts=tuple(card)) if node.get("type") == "Action.OpenUrl"]


async def test_a_command_typed_while_the_form_waits_is_that_command_not_a_bad_answer(assistant):
    """Found trying the terminal chat: "my bookings" typed where the form asked for an email was answered
    "That doesn't look like an email address", and in the list of events "Please choose one of the events"."""
    user = senco(assistant)
    asked = await user.says("book the induction meeting in Maidstone")
    assert "Which school or setting" in asked[-1].text
    replies = await user.says("my bookings")
    said = "\n".join(r.text for r in replies)
    assert "I've stopped what we were doing" in said and "You have no upcoming bookings" in said, said
    # The form is over: the next line is read afresh, not as the school's name.
    replies = await user.says("Oakwood Primary School")
    assert "Which email address" not in replies[-1].text

    await user.says("book")
    replies = await user.says("what have I booked")
    said = "\n".join(r.text for r in replies)
    assert "Please choose one of the events" not in said and "You have no upcoming bookings" in said, said


async def test_naming_another_event_in_the_list_still_books_it(assistant):
    user = senco(assistant)
    await user.says("book")
    replies = await user.says("put me down for the induction meeting in Maidstone")
    assert "I've stopped" not in "\n".join(r.text for r in replies)
    assert "Which school or setting" in replies[-1].text


async def test_before_bookings_open_book_says_what_is_coming_and_when_it_opens(assistant, spring_clock):
    """Tried in the terminal on 3 March 2025: "book" said "nothing open… New dates will appear as soon as the
    inclusion team adds them" and listed events whose bookings open on 19 March as "the most recent events"."""
    from datetime import datetime, timezone

    spring_clock.set(datetime(2025, 3, 3, 10, 0, tzinfo=timezone.utc))
    replies = await senco(assistant).says("book")
    said = replies[-1].text
    assert said.startswith("Nothing is open for booking yet. Coming up:"), said
    assert "most recent" not in said and "as soon as the inclusion team adds them" not in said
    assert "open on Wednesday 19 March 2025, 12:30" in said
