"""Plugs bookings into a running assistant: the service, the booking dialog, the calendar link
route (``GET /calendar/{token}.ics``) and the background check that applies events.yaml edits.

The calendar token is a signed, expiring reference to one booking (bot.signed_links), so
the link opens from any browser without signing in and fetches nothing else. Forged, expired and
unknown tokens all get the same plain 404.
"""
from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from bot.background import periodic
from bot.clock import Clock
from bot.bookings.mail import BookingMailer
from bot.bookings.service import BookingService, EventCatalogue, parse_lead_time
from bot.core import Core
from bot.registry import Registry
from bot.settings import SettingsError
from dialogs.bookings import BookingFeature
from integrations.db.bookings import BookingRepository
from knowledge.events import DEFAULT_EVENTS_FILE, EventsError

log = logging.getLogger(__name__)

CALENDAR_PATH = "/calendar/{token}.ics"


def events_file(settings) -> Path:
    if settings.bookings.events_file:
        return Path(settings.bookings.events_file)
    if settings.knowledge.data_dir:
        return Path(settings.knowledge.data_dir) / "events.yaml"
    return DEFAULT_EVENTS_FILE


def booking_service(settings, *, database, clock, notifier, mail, signer) -> BookingService:
    """A BookingService from settings; the CLI builds one without the rest of the assistant."""
    config = settings.bookings
    try:
        leads = [(text.strip(), parse_lead_time(text)) for text in config.reminder_lead_times]
    except ValueError as exc:
        raise SettingsError(f"bookings.reminder_lead_times: {exc}") from None
    if config.default_capacity < 1:
        raise SettingsError("bookings.default_capacity: must be at least 1")
    try:
        catalogue = EventCatalogue(events_file(settings), config.default_capacity)
    except EventsError as exc:
        raise SettingsError(f"bookings.events_file: {exc}") from None
    mailer = None
    if mail is not None and config.email_confirmations:
        mailer = BookingMailer(mail, from_address=settings.team_mailbox, from_name=settings.team_name)
    return BookingService(
        BookingRepository(database),
        catalogue,
        clock,
        notifier=notifier,
        signer=signer,
        public_base_url=settings.server.public_base_url,
        organizer_email=settings.team_mailbox,
        organizer_name=settings.team_name,
        mailer=mailer,
        reminder_leads=leads,
        calendar_link_days=config.calendar_link_days,
    )


def install(core: Core, registry: Registry) -> BookingService:
    service = booking_service(core.settings, database=core.database, clock=core.clock, notifier=core.notifier,
                              mail=core.mail, signer=core.signer)
    async def answer_question(turn_context, asker, text):
        # A question typed while the list of events waits goes to the same answerer as any other.
        await registry.fallback(turn_context, asker, text)

    BookingFeature(service, registry.user_state, core.clock, core.staff_ids,
                   answer_question=answer_question).install(registry.router, registry.dialogs)
    registry.add_web_route("GET", CALENDAR_PATH, calendar_handler(service))
    registry.add_job(catalogue_watcher(service, core.settings.bookings.catalogue_check_seconds, core.clock))
    return service


def calendar_handler(bookings: BookingService):
    async def calendar_file(request: web.Request) -> web.Response:
        found = await bookings.calendar_file(request.match_info["token"])
        if found is None:
            raise web.HTTPNotFound(text="Not found")
        filename, content = found
        return web.Response(
            body=content,
            content_type="text/calendar",
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                # The file names the booker: keep it out of shared caches.
                "Cache-Control": "private, no-store",
            },
        )

    return calendar_file


def catalogue_watcher(bookings: BookingService, interval: float, clock: Clock):
    """Applies events.yaml edits (cancellations, new times, more places) while the bot runs."""
    return periodic("events catalogue sync", bookings.refresh, max(0.5, interval), clock=clock)
