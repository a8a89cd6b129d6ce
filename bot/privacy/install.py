"""Plugs privacy into the assistant: "delete my data" and "what data do you hold" in Teams, and the daily
retention purge. The purge cancels a leaver's bookings through the bookings feature, so waitlists move on."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from bot.bookings.service import BookingService
from bot.clock import Clock
from bot.core import Core
from bot.privacy.service import PrivacyService, PurgeSchedule, parse_purge_time
from bot.registry import Registry
from bot.settings import Retention
from dialogs.privacy import PrivacyFeature
from integrations.db.privacy import PrivacyRepository


@dataclass(frozen=True)
class Privacy:
    service: PrivacyService
    schedule: PurgeSchedule
    feature: PrivacyFeature


def install(core: Core, registry: Registry, *, bookings: BookingService,
            forget_reference: Callable[[str], None]) -> Privacy:
    """``forget_reference`` tells the handler a user's stored conversation reference was erased."""
    settings = core.settings
    service = build_privacy_service(settings, database=core.database, clock=core.clock, bookings=bookings)
    schedule = PurgeSchedule(service, core.clock, parse_purge_time(settings.privacy.purge_time))
    registry.add_job(schedule.background_task())
    feature = PrivacyFeature(service, registry.user_state, staff_ids=core.staff_ids, team_name=settings.team_name,
                             team_mailbox=settings.team_mailbox, forget_reference=forget_reference)
    feature.install(registry.router, registry.dialogs)
    return Privacy(service=service, schedule=schedule, feature=feature)


def build_privacy_service(settings, *, database, clock: Clock, bookings=None) -> PrivacyService:
    """The bot and the CLI build it the same way; ``bookings`` is the BookingService when there is one."""
    return PrivacyService(PrivacyRepository(database), clock, Retention.from_settings(settings.privacy),
                          bookings=bookings)
