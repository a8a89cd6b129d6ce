"""Plugs staff broadcasts into the assistant: the "broadcast" intent and its Send / Don't send buttons.
Broadcasts are queued in the reminders' announcement queue and delivered by the reminder scheduler, so the
reminders are its one peer."""
from __future__ import annotations

from bot.broadcast.service import BroadcastService, build_broadcasts
from bot.core import Core
from bot.registry import Registry
from bot.reminders.service import Reminders
from dialogs.broadcast import BroadcastFeature


def install(core: Core, registry: Registry, *, reminders: Reminders) -> BroadcastService:
    broadcasts = build_broadcasts(reminders)
    BroadcastFeature(broadcasts, reminders.subscriptions, staff_ids=core.staff_ids,
                     tenant_per_second=core.settings.reminders.tenant_per_second
                     ).install(registry.router, registry.dialogs)
    return broadcasts
