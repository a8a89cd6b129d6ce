"""Booking over real HTTP: Teams activities into /api/messages, replies through the Bot Connector
stand-in, then the card's "Add to calendar" link fetched from the same server."""
from __future__ import annotations

import json
import uuid
from urllib.parse import urlsplit

import pytest
from aiohttp import web

from bot.app import create_app
from tests.e2e.conftest import serve_bot
from tests.fakes.connector import ConnectorStandIn


class ConnectorWithEmails(ConnectorStandIn):
    """The Teams roster also gives each member's email, as the real one does."""

    async def _member(self, request: web.Request) -> web.Response:
        self.member_lookups.append((request.match_info["conversation_id"], request.match_info["member_id"]))
        return web.json_response({"id": request.match_info["member_id"], "name": "Sam Senco",
                                  "email": "sam.senco@oakwood.kent.sch.uk", "userPrincipalName": "sam.senco@kent.example"})


@pytest.fixture
async def bot_over_http(booking_settings, spring_clock, sqlite_db):
    connector = await ConnectorWithEmails().start()
    app = create_app(booking_settings, clock=spring_clock, database=sqlite_db, run_background=False)
    async with serve_bot(app, connector) as bot:
        yield bot


def content(activity: dict) -> str:
    return " ".join([activity.get("text") or ""] + [json.dumps(a.get("content"), ensure_ascii=False)
                                                   for a in activity.get("attachments") or []])


def open_url(activity: dict, title: str) -> str:
    card = activity["attachments"][0]["content"]
    return next(a["url"] for a in card["actions"] if a.get("type") == "Action.OpenUrl" and a["title"] == title)


async def test_booking_in_teams_over_http_and_fetching_the_calendar_file(bot_over_http):
    bot = bot_over_http
    turns = [
        ("book the induction meeting in Maidstone", None, "Which school or setting"),
        # No email question: the Teams roster gave it.
        ("Oakwood Primary School", None, "Please check your booking for the Community Induction Meeting – West"),
        ("", {"action": "booking.step", "choice": "book"}, "You're booked on the Community Induction Meeting – West"),
        ("sign me up for the webinar on 6 May", None, "Please check your booking for the SEND Quality Assurance"),
    ]
    for number, (text, value, expected) in enumerate(turns, start=1):
        changes = {"value": value} if value else {}
        status, _ = await bot.say(text, **changes)
        assert status in (200, 201)
        replies = await bot.connector.wait_for(number)
        assert expected in content(replies[-1])

    confirm_card = content(bot.connector.activities()[1])
    assert "Sam Senco" in confirm_card and "Friday 2 May 2025, 09:00 to 12:00" in confirm_card
    assert "sam.senco@oakwood.kent.sch.uk" in confirm_card
    # Remembered after the first lookup: the second booking did not ask the roster again.
    assert len(bot.connector.member_lookups) == 1

    link = open_url(bot.connector.activities()[2], "Add to calendar")
    async with bot.session.get(bot.url + urlsplit(link).path) as response:
        assert response.status == 200
        assert "METHOD:REQUEST" in await response.text()
    async with bot.session.get(bot.url + f"/calendar/{uuid.uuid4().hex}.ics") as response:
        assert response.status == 404


async def test_over_http_the_webinar_confirmation_has_words_and_the_joining_link_and_held_events_are_not_offered(
        bot_over_http):
    bot = bot_over_http
    turns = [
        ("sign me up for the webinar on 6 May", None),
        ("Oakwood Primary School", None),
        ("", {"action": "booking.step", "choice": "book", "event_id": "webinar-2025-05-06"}),
    ]
    for number, (text, value) in enumerate(turns, start=1):
        status, _ = await bot.say(text, **({"value": value} if value else {}))
        assert status in (200, 201)
        await bot.connector.wait_for(number)
    booked = bot.connector.activities()[-1]
    assert booked["text"].startswith("You're booked on the SEND Quality Assurance")
    assert "Joining link: https://teams.microsoft.com/" in content(booked)
    assert open_url(booked, "Join online").startswith("https://teams.microsoft.com/")

    await bot.say("book")
    listing = content((await bot.connector.wait_for(4))[-1])
    assert "You're booked on this one" in listing
    assert "webinar-2025-05-06" not in listing  # no button for it: neither "Book" nor "Join the waiting list"

    await bot.say("", value={"action": "booking.step", "choice": "book", "event_id": "webinar-2025-05-06"})
    stale = content((await bot.connector.wait_for(5))[-1])
    assert "That form is finished" in stale
