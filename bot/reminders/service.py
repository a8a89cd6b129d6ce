"""Reminders: the notifier every feature sends through, catalogue deadlines, wiring (staff broadcasts, which
queue announcements here, are bot/broadcast/).

- ``ScheduledNotifier`` is the real ``bot.notify.Notifier``: a notice becomes one row in
  the outbound queue with its idempotency key and ``not_before``; the scheduler delivers it.
  Optional ``Notice.meta`` keys it understands: ``expires_at`` (aware datetime or ISO text: after
  it the notice is recorded as missed, not sent), ``category`` (delivered only while the user
  subscribes to it) and ``source`` (lets the sender cancel a group of pending notices).
- ``DeadlineReminders`` turns knowledge/data/deadlines.yaml into announcements at the lead times.
- the scheduler the web app runs in the background (``build_reminders`` in ``bot.reminders.assembly`` builds it
  all on the SQL repositories).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from bot.background import stop
from bot.cards import render_card
from bot.clock import LONDON, Clock
from bot.notify import Notice
from bot.reminders.delivery import DeliveryWorker, Directory, WorkerSettings
from bot.reminders.ports import AnnouncementQueue, OutboxQueue, SubscriberDirectory
from bot.reminders.subscriptions import SubscriptionService, short_label
from bot.reminders.tribunal import TribunalService
from integrations.db.reminders import NewAnnouncement, NewMessage
from knowledge.live import with_event_and_forum_dates
from knowledge.london import local_instant
from knowledge.deadlines import CATEGORIES, Deadline, DeadlineCatalogue, DeadlineError, deadlines_path, load_deadlines

log = logging.getLogger(__name__)

_MAX_KEY = 512


# -- the notifier ----------------------------------------------------------------------------------


class ScheduledNotifier:
    """Queues a notice for delivery exactly once; a repeated idempotency key is ignored."""

    def __init__(self, outbox: OutboxQueue, clock: Clock):
        self._outbox = outbox
        self._clock = clock

    async def notify(self, notice: Notice) -> None:
        await self._outbox.add(self.message_for(notice), self._clock.now())

    async def notify_many(self, notices: Iterable[Notice]) -> None:
        """Queues many notices in a few statements (a staff answer to a large group)."""
        await self._outbox.add_many([self.message_for(notice) for notice in notices], self._clock.now())

    def message_for(self, notice: Notice) -> NewMessage:
        meta = notice.meta or {}
        not_before = notice.not_before or self._clock.now()
        if not_before.tzinfo is None:
            raise ValueError("Notice.not_before must be timezone-aware")
        category = meta.get("category")
        return NewMessage(
            idempotency_key=_fit_key(notice.idempotency_key),
            user_id=notice.user_id,
            text=notice.text,
            card=notice.card,
            not_before=not_before,
            expires_at=_instant(meta.get("expires_at")),
            kind=notice.kind[:64],
            category=category if category in CATEGORIES else None,
            source=str(meta["source"])[:200] if meta.get("source") else None,
        )

    async def cancel(self, *, source: Optional[str] = None, keys: Iterable[str] = (),
                     keep_keys: Iterable[str] = ()) -> int:
        """Withdraws notices not yet being sent: by key, or all from a source except ``keep_keys``."""
        return await self._outbox.cancel(source=source, keys=[_fit_key(k) for k in keys],
                                         keep_keys=[_fit_key(k) for k in keep_keys], now=self._clock.now())


def _fit_key(key: str) -> str:
    if not key:
        raise ValueError("a notice needs an idempotency key")
    if len(key) <= _MAX_KEY:
        return key
    # Long keys keep a readable head and a digest of the whole, so distinct keys stay distinct.
    return key[:_MAX_KEY - 65] + ":" + hashlib.sha256(key.encode()).hexdigest()


def _instant(value) -> Optional[dt.datetime]:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValueError("expires_at must be a timezone-aware datetime")
    return value.astimezone(dt.timezone.utc)


# -- catalogue deadlines ---------------------------------------------------------------------------


def parse_send_time(text: str) -> dt.time:
    try:
        hours, minutes = (int(part) for part in str(text).strip().split(":"))
        return dt.time(hours, minutes)
    except (ValueError, TypeError):
        raise ValueError(f"reminders.send_time: expected HH:MM, got {text!r}") from None


def deadline_key(deadline: Deadline, lead: int) -> str:
    # The date is part of the key: a deadline that moves gets fresh reminders, and the old ones are cancelled.
    return f"deadline:{deadline.id}:{deadline.on.isoformat()}:{lead}d"


def deadline_announcements(catalogue: DeadlineCatalogue, *, lead_days: Iterable[int],
                           send_time: dt.time) -> list[NewAnnouncement]:
    """Every reminder the catalogue asks for, whatever the time now (pure)."""
    planned = []
    for deadline in catalogue.deadlines:
        expires_at = local_instant(deadline.last_day + dt.timedelta(days=1), dt.time(0, 0))
        for lead in sorted(set(lead_days), reverse=True):
            due_at = local_instant(deadline.on - dt.timedelta(days=lead), send_time)
            planned.append(NewAnnouncement(
                key=deadline_key(deadline, lead),
                category=deadline.category,
                kind="deadline",
                source=f"deadline:{deadline.id}",
                text=deadline_text(deadline),
                card=render_card(
                    "reminder_deadline",
                    category=deadline.category,
                    category_label=short_label(deadline.category),
                    title=deadline.title,
                    when=deadline.when(),
                    detail=deadline.detail,
                    source=deadline.source.line(),
                ),
                due_at=due_at,
                expires_at=expires_at,
            ))
    return planned


def deadline_text(deadline: Deadline) -> str:
    return f"Reminder: {deadline.title}, {deadline.when()}. {deadline.detail} Source: {deadline.source.line()}"


@dataclass(frozen=True)
class SyncResult:
    added: int
    cancelled: int


class DeadlineReminders:
    def __init__(self, announcements: AnnouncementQueue, clock: Clock, *, lead_days: Iterable[int], send_time: dt.time,
                 late_after: dt.timedelta, data_dir: Optional[Path] = None):
        self._announcements = announcements
        self._clock = clock
        self._lead_days = tuple(lead_days)
        self._send_time = send_time
        self._late_after = late_after
        self._data_dir = data_dir
        self._fingerprint: Optional[tuple] = None

    # The shared content store (bot.content.store.StoreCatalogues), set by the wiring; once it holds
    # content it is the catalogue.
    store = None
    _store_version = -1

    def catalogue(self) -> DeadlineCatalogue:
        """The deadlines, with the events and forums the content store holds as dates of their own."""
        if self.store is not None and self.store.cache.active:
            stored = self.store.deadline_catalogue()
            return DeadlineCatalogue(with_event_and_forum_dates(stored.deadlines, self.store.events().events,
                                                                self.store.forums()), stored.path)
        return load_deadlines(self._data_dir)

    def changed_on_disk(self) -> bool:
        if self.store is not None and self.store.cache.active:
            return self.store.version != self._store_version
        path = deadlines_path(self._data_dir)
        try:
            stat = path.stat()
            fingerprint = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            fingerprint = None
        return fingerprint != self._fingerprint

    async def sync(self, catalogue: Optional[DeadlineCatalogue] = None) -> SyncResult:
        """Adds the reminders the catalogue asks for and cancels pending ones it no longer does.

        A reminder whose moment had already gone when it was first planned is not added (a deadline
        added on the 3rd of the month gets no "a week before" reminder on the 1st). One that was
        planned in time stays in the database, so downtime makes it late, never forgotten.
        """
        if catalogue is None and self.store is not None:
            # The scheduler's first pass can run before anything else has read the store: planning from the
            # YAML files then would cancel every pending reminder for an item that is only in the store.
            await self.store.cache.refresh()
        if catalogue is None and self.store is not None and self.store.cache.active:
            self._store_version = self.store.version
            catalogue = self.catalogue()
        if catalogue is None:
            path = deadlines_path(self._data_dir)
            stat = path.stat() if path.exists() else None
            catalogue = self.catalogue()
            self._fingerprint = (stat.st_mtime_ns, stat.st_size) if stat else None
        now = self._clock.now()
        wanted = deadline_announcements(catalogue, lead_days=self._lead_days, send_time=self._send_time)
        added = 0
        for item in wanted:
            if item.due_at >= now - self._late_after and await self._announcements.add(item, now):
                added += 1
        cancelled = await self._announcements.cancel_pending(kind="deadline", keep_keys=[w.key for w in wanted],
                                                             now=now)
        return SyncResult(added, cancelled)

    def next_due(self, category: str) -> Optional[tuple[dt.datetime, Deadline]]:
        """When the next reminder of this category is due, and for which deadline (None if nothing is)."""
        now = self._clock.now()
        catalogue = self.catalogue()
        by_id = {d.id: d for d in catalogue.deadlines}
        due = sorted((a.due_at, a.source) for a in deadline_announcements(
            catalogue, lead_days=self._lead_days, send_time=self._send_time)
            if a.category == category and a.due_at >= now)
        if not due:
            return None
        at, source = due[0]
        return at, by_id[source.split(":", 1)[1]]

    def upcoming(self) -> list[Deadline]:
        today = self._clock.now().astimezone(LONDON).date()
        return list(self.catalogue().upcoming(today))


# -- assembly --------------------------------------------------------------------------------------


@dataclass
class Reminders:
    """Everything the reminders area is made of; features and commands take what they need."""

    settings: object                     # bot.settings.Settings
    clock: Clock
    database: object                     # integrations.db.Database
    outbox: OutboxQueue
    announcements: AnnouncementQueue
    subscription_store: SubscriberDirectory
    notifier: ScheduledNotifier
    subscriptions: SubscriptionService
    tribunal: TribunalService
    deadlines: DeadlineReminders
    directory: Directory                 # where users are reached (their conversation references)

    async def subscribers(self, category: str) -> list[str]:
        """Users subscribed to a category whom Teams can reach (e.g. for the forum evaluation)."""
        return await self.subscription_store.reachable_subscribers(category)

    def worker_settings(self) -> WorkerSettings:
        r = self.settings.reminders
        return WorkerSettings(
            batch_size=r.batch_size,
            lease=dt.timedelta(seconds=r.lease_seconds),
            max_concurrent_sends=r.max_concurrent_sends,
            late_after=dt.timedelta(minutes=r.late_after_minutes),
        )

    def worker(self, sender, *, worker_id: Optional[str] = None) -> DeliveryWorker:
        return DeliveryWorker(
            outbox=self.outbox,
            announcements=self.announcements,
            subscriptions=self.subscription_store,
            directory=self.directory,
            sender=sender,
            clock=self.clock,
            settings=self.worker_settings(),
            worker_id=worker_id,
        )

    def background_task(self, outgoing):
        """An aiohttp cleanup_ctx callable that runs the scheduler while the app runs.

        ``outgoing`` (bot.replies.Outgoing) is the process's one sender: turn replies and queued
        messages share its session and its per-conversation pacing.
        """

        async def run(app):
            loop = SchedulerLoop(self, self.worker(outgoing.sender()), sleep=self.clock.sleep)
            task = asyncio.create_task(loop.run(), name="reminder scheduler")
            try:
                yield
            finally:
                await stop(task)

        return run


class SchedulerLoop:
    """Syncs the catalogue when it changes, then delivers whatever is due, every few seconds."""

    def __init__(self, reminders: Reminders, worker: DeliveryWorker, *, sleep=asyncio.sleep):
        self._reminders = reminders
        self._worker = worker
        self._sleep = sleep
        self._last_housekeeping: Optional[dt.datetime] = None

    async def tick(self) -> None:
        deadlines = self._reminders.deadlines
        if deadlines.changed_on_disk():
            try:
                result = await deadlines.sync()
                log.info("deadline catalogue synced: %d reminders added, %d cancelled", result.added, result.cancelled)
            except DeadlineError as exc:
                # A half-edited catalogue must not stop delivery: keep what was planned from the last good one.
                log.warning("deadline catalogue not synced: %s", exc)
        stats = await self._worker.run_once()
        if stats.announcements or stats.sent or stats.missed or stats.failed or stats.refused:
            log.info("reminders delivered: %s", {k: v for k, v in stats.as_dict().items() if v})
        await self._housekeeping()

    async def run(self) -> None:
        poll = max(0.2, float(self._reminders.settings.reminders.poll_seconds))
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("reminder scheduler pass failed: %s", type(exc).__name__)
            await self._sleep(poll)

    async def _housekeeping(self) -> None:
        now = self._reminders.clock.now()
        if self._last_housekeeping and now - self._last_housekeeping < dt.timedelta(hours=1):
            return
        self._last_housekeeping = now
        keep = dt.timedelta(days=self._reminders.settings.reminders.scrub_after_days)
        scrubbed = await self._reminders.outbox.scrub_text(now - keep)
        if scrubbed:
            log.info("blanked the text of %d delivered messages older than %s", scrubbed, keep)


def teams_limits(settings):
    from integrations.teams_sender import TeamsLimits

    r = settings.reminders
    return TeamsLimits(
        conversation_windows=(
            (1.0, r.conversation_per_second),
            (2.0, r.conversation_per_2_seconds),
            (30.0, r.conversation_per_30_seconds),
            (3600.0, r.conversation_per_hour),
        ),
        tenant_per_second=r.tenant_per_second,
        tenant_headroom=r.tenant_headroom,
        max_throttle_retries=r.max_throttle_retries,
        max_transient_retries=r.max_transient_retries,
        backoff_base_seconds=r.backoff_base_seconds,
        backoff_max_seconds=r.backoff_max_seconds,
        request_timeout_seconds=r.request_timeout_seconds,
    )
