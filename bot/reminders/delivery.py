"""Deciding what is due, and delivering it exactly once from database rows.

``due(rows, now)`` is the one place that decides: wait, send, send late, or record as missed.
It is pure so a fixed clock can test every edge. ``DeliveryWorker`` does the rest: it claims
due rows with a lease (several processes may run one each), fans category announcements out
to their subscribers, sends through the Teams sender and records every outcome.

Exactly once: a row is claimed by one worker at a time (the database guarantees it), the
idempotency key is unique, and a row is marked as finished right after its one send. Only a
crash between the send and that mark can repeat a message, and only for messages in flight.
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Generic, Iterable, Optional, Protocol, Sequence, TypeVar

from bot.clock import Clock
from integrations.db.host import StoredReference
from bot.reminders.ports import AnnouncementQueue, OutboxQueue
from integrations.db.reminders import AttemptRecord, NewMessage, OutboundMessage
from integrations.teams_sender import Recipient, SendResult

log = logging.getLogger(__name__)


# -- the decision ------------------------------------------------------------------------------------


class Verdict(str, Enum):
    WAIT = "wait"          # its time has not come
    SEND = "send"          # due now
    LATE = "late"          # its time passed a while ago (the service was down) but it still matters
    MISSED = "missed"      # what it reminds about has passed: sending it now would only confuse


class Timed(Protocol):
    not_before: datetime
    expires_at: Optional[datetime]


T = TypeVar("T", bound=Timed)


def verdict(item: Timed, now: datetime, late_after: timedelta) -> Verdict:
    if item.not_before > now:
        return Verdict.WAIT
    if item.expires_at is not None and item.expires_at <= now:
        return Verdict.MISSED
    if now - item.not_before > late_after:
        return Verdict.LATE
    return Verdict.SEND


@dataclass(frozen=True)
class DuePlan(Generic[T]):
    on_time: tuple = ()
    late: tuple = ()
    missed: tuple = ()
    waiting: tuple = ()

    @property
    def to_send(self) -> tuple:
        return self.on_time + self.late


def due(rows: Iterable[T], now: datetime, *, late_after: timedelta = timedelta(minutes=15)) -> DuePlan[T]:
    """Sorts rows into on time / late / missed / waiting at ``now``, keeping their order."""
    buckets: dict[Verdict, list] = {v: [] for v in Verdict}
    for row in rows:
        buckets[verdict(row, now, late_after)].append(row)
    return DuePlan(
        on_time=tuple(buckets[Verdict.SEND]),
        late=tuple(buckets[Verdict.LATE]),
        missed=tuple(buckets[Verdict.MISSED]),
        waiting=tuple(buckets[Verdict.WAIT]),
    )


# -- delivery -----------------------------------------------------------------------------------------


class Sender(Protocol):
    async def send(self, recipient: Recipient, text: str, card: Optional[dict] = None) -> SendResult: ...


class Directory(Protocol):
    """Where users are reached: conversation references (integrations.db.reminders.Recipients)."""

    async def get_many(self, user_ids: Iterable[str]) -> dict[str, StoredReference]: ...

    async def mark_unreachable(self, user_id: str, now: datetime) -> None: ...

    async def save(self, **fields) -> None: ...


class SubscriptionLookup(Protocol):
    async def active_for(self, user_ids: Iterable[str]) -> dict[str, frozenset[str]]: ...

    async def reachable_subscribers(self, category: str) -> list[str]: ...


@dataclass(frozen=True)
class WorkerSettings:
    batch_size: int = 50
    lease: timedelta = timedelta(seconds=60)
    max_concurrent_sends: int = 8
    late_after: timedelta = timedelta(minutes=15)
    # A message claimed this many times without an outcome is abandoned (it keeps killing its worker).
    max_claims: int = 5
    # Channels that cannot receive proactive messages (the terminal console has no connector).
    offline_channels: tuple[str, ...] = ("console",)


@dataclass
class DeliveryStats:
    sent: int = 0
    late: int = 0
    missed: int = 0
    unreachable: int = 0
    opted_out: int = 0
    refused: int = 0
    failed: int = 0
    undeliverable: int = 0
    lease_lost: int = 0
    announcements: int = 0
    fanned_out: int = 0

    def add(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class DeliveryWorker:
    def __init__(
        self,
        *,
        outbox: OutboxQueue,
        announcements: AnnouncementQueue,
        subscriptions: SubscriptionLookup,
        directory: Directory,
        sender: Sender,
        clock: Clock,
        settings: WorkerSettings = WorkerSettings(),
        worker_id: Optional[str] = None,
    ):
        self._outbox = outbox
        self._announcements = announcements
        self._subscriptions = subscriptions
        self._directory = directory
        self._sender = sender
        self._clock = clock
        self._settings = settings
        self.worker_id = worker_id or new_worker_id()
        self._lease_valid_until: Optional[datetime] = None
        # Users found unreachable during this run: their other queued messages are not attempted.
        self._unreachable: set[str] = set()
        self._user_locks: dict[str, asyncio.Lock] = {}
        self._lock_holders: dict[str, int] = {}
        self.stats = DeliveryStats()

    async def run_once(self) -> DeliveryStats:
        """Fans out due announcements, then delivers every message due now; returns what happened."""
        self.stats = DeliveryStats()
        await self.expand_due()
        await self.deliver_due()
        return self.stats

    # -- announcements -> one message per subscriber

    async def expand_due(self) -> int:
        expanded = 0
        while True:
            now = self._clock.now()
            item = await self._announcements.claim_due(self.worker_id, now, self._settings.lease)
            if item is None:
                return expanded
            if verdict(item, now, self._settings.late_after) is Verdict.MISSED:
                await self._announcements.finish(item.id, self.worker_id, status="missed", now=now)
                self.stats.missed += 1
                log.info("announcement %s recorded as missed: its deadline passed before it could be sent", item.key)
                continue
            users = await self._subscriptions.reachable_subscribers(item.category)
            messages = [
                NewMessage(
                    idempotency_key=f"{item.key}:{user}",
                    user_id=user,
                    text=item.text,
                    card=item.card,
                    not_before=item.due_at,
                    expires_at=item.expires_at,
                    kind=f"reminder.{item.kind}",
                    category=item.category,
                    source=item.source,
                    reminder_id=item.id,
                )
                for user in users
            ]
            # Keys make a second fan-out (after a crash mid-way) add only what is missing.
            added = await self._outbox.add_many(messages, now)
            await self._announcements.finish(item.id, self.worker_id, status="expanded", now=self._clock.now(),
                                             recipients=len(users))
            self.stats.announcements += 1
            self.stats.fanned_out += added
            expanded += 1
            log.info("announcement %s fanned out to %d subscribers (%d new)", item.key, len(users), added)

    # -- messages

    async def deliver_due(self) -> DeliveryStats:
        settings = self._settings
        queue: collections.deque = collections.deque()
        active: set[asyncio.Task] = set()
        exhausted = False
        # The next batch is claimed in the background while this one is sent, so Teams' pace never waits
        # on the database.
        refill: Optional[asyncio.Task] = None
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            while True:
                if refill is None and not exhausted and len(queue) < max(1, settings.batch_size // 2):
                    refill = asyncio.create_task(self._claim_batch())
                if refill is not None and refill.done():
                    batch, refill = refill.result(), None
                    if batch is None:
                        exhausted = True
                    else:
                        queue.extend(batch)
                    continue
                if not queue:
                    waiting = active | ({refill} if refill else set())
                    if not waiting:
                        break
                    await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                    continue
                if len(active) >= settings.max_concurrent_sends:
                    await asyncio.wait(active, return_when=asyncio.FIRST_COMPLETED)
                    continue
                if not self._lease_is_safe():
                    # Our lease may have run out (the database was unreachable): another worker may
                    # already hold these rows, so sending them could send twice. Leave them.
                    log.warning("lease not renewed in time; leaving %d claimed messages to others", len(queue))
                    queue.clear()
                    continue
                message, reference, late = queue.popleft()
                task = asyncio.create_task(self._deliver(message, reference, late))
                active.add(task)
                task.add_done_callback(active.discard)
        except asyncio.CancelledError:
            # Shutting down: hand back what was claimed but not started, so others need not wait for the lease.
            if refill is not None:
                refill.cancel()
                with contextlib.suppress(BaseException):
                    queue.extend(await refill or ())
            await asyncio.shield(self._outbox.release(self.worker_id, [m.id for m, _, _ in queue]))
            raise
        finally:
            heartbeat.cancel()
            if active:
                await asyncio.gather(*active, return_exceptions=True)
        return self.stats

    async def _claim_batch(self) -> Optional[list]:
        now = self._clock.now()
        rows = await self._outbox.claim(self.worker_id, now, self._settings.lease, self._settings.batch_size)
        if not rows:
            return None
        if self._lease_valid_until is None or self._lease_valid_until < now + self._settings.lease:
            self._lease_valid_until = now + self._settings.lease
        plan = due(rows, now, late_after=self._settings.late_after)
        for message in plan.missed:
            await self._finish(message, "missed", detail="its deadline passed before it could be sent")
        for message in plan.waiting:  # cannot happen (the claim filters on time), but never send early
            await self._outbox.release(self.worker_id, [message.id])
        sendable = [m for m in plan.to_send]
        late_ids = {m.id for m in plan.late}
        users = sorted({m.user_id for m in sendable})
        references = await self._directory.get_many(users)
        categorised = [m.user_id for m in sendable if m.category]
        subscribed = await self._subscriptions.active_for(categorised) if categorised else {}
        ready = []
        for message in sendable:
            reference = references.get(message.user_id)
            if message.claims > self._settings.max_claims:
                await self._finish(message, "failed", detail=f"abandoned after {message.claims - 1} claims")
            elif message.category and message.category not in subscribed.get(message.user_id, frozenset()):
                await self._finish(message, "opted_out")
            elif reference is None:
                await self._finish(message, "undeliverable", detail="no conversation reference for this user")
            elif reference.unreachable or message.user_id in self._unreachable:
                await self._finish(message, "unreachable", detail="the user blocked or removed the bot")
            elif reference.channel_id in self._settings.offline_channels:
                await self._finish(message, "undeliverable", detail=f"channel {reference.channel_id} has no proactive delivery")
            else:
                ready.append((message, reference, message.id in late_ids))
        return ready

    async def _deliver(self, message: OutboundMessage, reference: StoredReference, late: bool) -> None:
        # One message at a time per user: they arrive in order, and once one finds the user has blocked
        # the bot, the next is not sent at all.
        user = message.user_id
        lock = self._user_locks.setdefault(user, asyncio.Lock())
        self._lock_holders[user] = self._lock_holders.get(user, 0) + 1
        try:
            async with lock:
                await self._deliver_one(message, reference, late)
        finally:
            self._lock_holders[user] -= 1
            if not self._lock_holders[user]:
                del self._lock_holders[user]
                del self._user_locks[user]

    async def _deliver_one(self, message: OutboundMessage, reference: StoredReference, late: bool) -> None:
        if message.user_id in self._unreachable:
            await self._finish(message, "unreachable", detail="the user blocked or removed the bot")
            return
        recipient = Recipient.from_reference(
            user_id=reference.user_id,
            conversation_id=reference.conversation_id,
            service_url=reference.service_url,
            tenant_id=reference.tenant_id,
            reference=reference.reference,
        )
        try:
            result = await self._sender.send(recipient, message.text, message.card)
        except Exception as exc:  # the token endpoint or something unexpected: leave it for a later claim
            log.warning("send of message %s failed before an outcome: %s", message.id, type(exc).__name__)
            await self._outbox.release(self.worker_id, [message.id])
            return
        attempts = [
            AttemptRecord(
                attempt=a.number,
                at=datetime.fromtimestamp(a.at, timezone.utc),
                outcome=a.outcome,
                http_status=a.http_status,
                wait_seconds=a.wait_seconds,
                detail=a.detail,
            )
            for a in result.attempts
        ]
        now = self._clock.now()
        if result.outcome == "unreachable":
            self._unreachable.add(message.user_id)
            await self._directory.mark_unreachable(message.user_id, now)
        if result.created_conversation_id:
            await self._remember_conversation(reference, result.created_conversation_id, now)
        status = {"sent": "sent", "unreachable": "unreachable", "refused": "refused"}.get(result.outcome, "failed")
        await self._finish(message, status, late=late and status == "sent", activity_id=result.activity_id,
                           detail=result.detail, attempts=attempts)

    async def _finish(self, message: OutboundMessage, status: str, *, late: bool = False,
                      activity_id: Optional[str] = None, detail: Optional[str] = None,
                      attempts: Sequence[AttemptRecord] = ()) -> None:
        # The outcome must be written even if the database blips: an unrecorded send is resent later.
        for attempt in range(3):
            try:
                kept = await self._outbox.finish(message.id, self.worker_id, status=status, now=self._clock.now(),
                                                 late=late, activity_id=activity_id, detail=detail, attempts=attempts)
                break
            except Exception as exc:
                if attempt == 2:
                    log.error("could not record the outcome of message %s: %s", message.id, type(exc).__name__)
                    return
                await asyncio.sleep(0.2 * (attempt + 1))
        if not kept:
            self.stats.lease_lost += 1
            log.warning("message %s was taken over by another worker before its outcome was recorded", message.id)
            return
        self.stats.add(status)
        if late:
            self.stats.late += 1

    async def _remember_conversation(self, reference: StoredReference, conversation_id: str, now: datetime) -> None:
        stored = dict(reference.reference)
        conversation = dict(stored.get("conversation") or {})
        conversation.update(id=conversation_id, conversationType="personal", isGroup=False)
        stored["conversation"] = conversation
        await self._directory.save(
            user_id=reference.user_id,
            channel_id=reference.channel_id,
            conversation_id=conversation_id,
            service_url=reference.service_url,
            tenant_id=reference.tenant_id,
            user_name=reference.user_name,
            aad_object_id=reference.aad_object_id,
            reference=stored,
            now=now,
        )

    def _lease_is_safe(self) -> bool:
        if self._lease_valid_until is None:
            return True
        margin = self._settings.lease / 6
        return self._clock.now() < self._lease_valid_until - margin

    async def _heartbeat(self) -> None:
        # Real time, not the injected clock: this only has to outpace the lease in production.
        interval = max(0.05, self._settings.lease.total_seconds() / 3)
        while True:
            await asyncio.sleep(interval)
            try:
                now = self._clock.now()
                until = now + self._settings.lease
                await self._outbox.renew(self.worker_id, until)
                await self._announcements.renew(self.worker_id, until)
                self._lease_valid_until = until
            except Exception as exc:
                log.warning("lease renewal failed: %s", type(exc).__name__)

