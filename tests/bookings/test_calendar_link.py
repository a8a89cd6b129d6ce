"""``GET /calendar/{token}.ics`` on the real web app: the invite for a genuine link, 404 otherwise."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import ASSISTANT_KEY, create_app
from bot.signed_links import LinkSigner
from tests.bookings.conftest import SPRING, WEST, person


@pytest.fixture
async def client(booking_settings, spring_clock, sqlite_db):
    app = create_app(booking_settings, clock=spring_clock, database=sqlite_db, run_background=False)
    async with TestClient(TestServer(app)) as client:
        yield client


def bookings_of(client):
    return client.server.app[ASSISTANT_KEY].features.bookings


async def test_the_add_to_calendar_link_serves_the_invite(client):
    booked = await bookings_of(client).book(WEST, person(1))
    path = urlsplit(booked.calendar_url).path

    response = await client.get(path)

    assert response.status == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{WEST}.ics"'
    assert "no-store" in response.headers["Cache-Control"]
    body = await response.text()
    assert "METHOD:REQUEST" in body and "DTSTART;TZID=Europe/London:20250502T090000" in body


async def test_forged_expired_and_foreign_tokens_get_404(client, spring_clock):
    service = bookings_of(client)
    booked = await service.book(WEST, person(1))
    path = urlsplit(booked.calendar_url).path
    token = path[len("/calendar/"):-len(".ics")]
    payload, signature = token.split(".")

    forged_signature = f"/calendar/{payload}.{signature[::-1]}.ics"
    signer = LinkSigner("test-signing-key")  # the key booking_settings configures
    other_booking = signer.sign("calendar", {"b": "0" * 32}, SPRING + timedelta(days=30))
    wrong_purpose = signer.sign("evaluation", {"b": booked.booking.ref}, SPRING + timedelta(days=30))
    for bad in (forged_signature, "/calendar/not-a-token.ics", f"/calendar/{other_booking}.ics",
                f"/calendar/{wrong_purpose}.ics"):
        response = await client.get(bad)
        assert response.status == 404, bad
        assert "BEGIN:VCALENDAR" not in await response.text()

    spring_clock.set(service.event(WEST).end + timedelta(days=31))
    assert (await client.get(path)).status == 404
