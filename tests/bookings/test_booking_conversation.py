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
