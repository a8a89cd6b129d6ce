"""The reminders area built on the SQL repositories, and the Teams sender every proactive message goes through.

Wiring, not service: the services (bot.reminders.service, delivery, subscriptions, tribunal) take the storage
protocols of bot/reminders/ports.py; this is the one place that picks the repositories for them. The host
(bot/core.py, bot/app.py), the install and the commands build through it.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

from bot.clock import Clock
from bot.privacy.edge import redactor_for
from bot.reminders.service import (
    DeadlineReminders,
    Reminders,
    ScheduledNotifier,
    parse_send_time,
    teams_limits,
)
from bot.reminders.subscriptions import SubscriptionService
from bot.reminders.tribunal import TribunalService
from integrations.db.reminders import (
    Announcements,
    Outbox,
    Recipients,
    ReminderPrompts,
    SharedSlots,
    Subscriptions,
    TribunalCases,
)

log = logging.getLogger(__name__)


def build_sender(session, settings, clock: Clock, database, *, sleep=asyncio.sleep, now=None, tokens=None):
    """The Teams sender. ``now`` (epoch seconds) and ``sleep`` pace it: the process's one sender gets the
    real timeline (bot.clock.pacing_seconds), so a fixed test clock never stalls a reply; ``tokens``
    replaces the token provider built from settings."""
    from integrations.teams_sender import (
        ClientCredentialsTokens,
        ManagedIdentityTokens,
        NoTokens,
        TeamsSender,
        token_url_for,
    )

    def clock_seconds() -> float:
        return clock.now().timestamp()

    now = now or clock_seconds
    bot = settings.bot
    if tokens is not None:
        pass
    elif bot.app_id and bot.app_type == "UserAssignedMSI":
        tokens = ManagedIdentityTokens(session, client_id=bot.app_id, endpoint=bot.identity_endpoint,
                                       identity_header=bot.identity_header, now=now)
    elif bot.app_id and bot.app_password:
        tokens = ClientCredentialsTokens(
            session,
            app_id=bot.app_id,
            app_password=bot.app_password,
            token_url=token_url_for(settings.reminders.token_url, app_type=bot.app_type, tenant_id=bot.app_tenant_id),
            scope=settings.reminders.token_scope,
            now=now,
        )
    else:
        if bot.app_id:
            log.warning("no app password: proactive messages are sent without a token")
        tokens = NoTokens()
    return TeamsSender(session, tokens=tokens, limits=teams_limits(settings), slots=SharedSlots(database), now=now,
                       sleep=sleep)


def build_reminders(settings, database, clock: Clock) -> Reminders:
    from bot.settings import SettingsError

    r = settings.reminders
    try:
        send_time = parse_send_time(r.send_time)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    for name in ("deadline_lead_days", "tribunal_lead_days"):
        if any(day < 0 for day in getattr(r, name)):
            raise SettingsError(f"reminders.{name}: lead times are days before, so 0 or more")
    if r.tenant_per_second <= 0 or not 0 < r.tenant_headroom <= 1:
        raise SettingsError("reminders.tenant_per_second: must be positive, with tenant_headroom in (0, 1]")
    late_after = dt.timedelta(minutes=r.late_after_minutes)
    outbox = Outbox(database)
    announcements = Announcements(database)
    store = Subscriptions(database)
    notifier = ScheduledNotifier(outbox, clock)
    data_dir = Path(settings.knowledge.data_dir) if settings.knowledge.data_dir else None
    return Reminders(
        settings=settings,
        clock=clock,
        database=database,
        outbox=outbox,
        announcements=announcements,
        subscription_store=store,
        notifier=notifier,
        subscriptions=SubscriptionService(store, ReminderPrompts(database), clock),
        tribunal=TribunalService(TribunalCases(database), notifier, clock, lead_days=r.tribunal_lead_days,
                                 send_time=send_time, late_after=late_after,
                                 redactor=redactor_for(settings)),
        deadlines=DeadlineReminders(announcements, clock, lead_days=r.deadline_lead_days, send_time=send_time,
                                    late_after=late_after, data_dir=data_dir),
        directory=Recipients(database),
    )
