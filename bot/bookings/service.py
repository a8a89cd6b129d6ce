"""Booking rules, in one place: capacity, waitlist, cancellation, promotion, catalogue changes.

Every change is one database transaction holding the event's lock (see
integrations.db.bookings), so "never more confirmed than capacity" and "waitlist in joining
order" hold under any number of concurrent requests and replicas. What follows a change (emails
with calendar files, Teams notices, reminders, withdrawn reminders) is queued in that same transaction
(the mail outbox and the delivery outbox), so a crash after the commit loses none of it; the emails are
then sent at once and recorded, and every follow-up is keyed so a repeat never sends twice.

The events catalogue (knowledge/data/events.yaml) is the source of truth for what an event is;
the database keeps each event's capacity, status and a fingerprint of its time and place, so a
change in the file (edited by hand or by ``sencobot events``) is noticed once: a cancellation
notifies everyone booked, a new time or place sends calendar updates, more places promote from
the waitlist.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable, Optional

from bot.clock import Clock, british_datetime, london
from bot.bookings.mail import BookingMailer, CalendarAttachment
from bot.bookings.ports import BookingStore
from bot.notify import Notice
from bot.signed_links import LinkSigner
from integrations.calendar import Attendee, CalendarEvent, booking_uid, build_ics
from integrations.db.bookings import Booking, BookingConflict, EventChange, EventCounts, EventState
from knowledge.events import Catalogue, Event, EventsError, find_events, load_events

log = logging.getLogger(__name__)

CALENDAR_PURPOSE = "calendar"
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"',;:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_LEAD = re.compile(r"^\s*(\d+)\s*(minute|min|hour|day|week)s?\s*$", re.IGNORECASE)
_LEAD_UNITS = {"minute": "minutes", "min": "minutes", "hour": "hours", "day": "days", "week": "weeks"}


def parse_lead_time(text: str) -> timedelta:
    """"1 day", "2 hours", "30 minutes" -> timedelta; ValueError for anything else."""
    match = _LEAD.match(text or "")
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a lead time like \"1 day\" or \"1 hour\"")
    return timedelta(**{_LEAD_UNITS[match.group(2).lower()]: int(match.group(1))})


def valid_email(text: str) -> bool:
    return bool(EMAIL_PATTERN.match(text.strip())) and len(text.strip()) <= 320


def fingerprint(event: Event) -> str:
    """Changes exactly when a calendar invite for the event would read differently."""
    parts = (event.title, event.start.isoformat(), event.end.isoformat(), event.venue or "", event.join_url or "")
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


# -- what the service hands back ------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    user_id: str     # Teams user id: the key for proactive messages
    name: str
    school: str
    email: str


@dataclass(frozen=True)
class Places:
    capacity: int
    confirmed: int
    waitlisted: int

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.confirmed)


@dataclass(frozen=True)
class EventOffer:
    event: Event
    state: str           # Event.booking_state: open | not_open | closed | past | cancelled
    places: Places


@dataclass(frozen=True)
class BookingResult:
    # confirmed | waitlisted | duplicate | full | past | closed | not_open | cancelled | unknown
    outcome: str
    event: Optional[Event]
    booking: Optional[Booking] = None
    waitlist_position: Optional[int] = None
    calendar_url: Optional[str] = None
    emailed: bool = False


@dataclass(frozen=True)
class CancelResult:
    outcome: str                       # cancelled | not_found | already_cancelled
    booking: Optional[Booking] = None
    event: Optional[Event] = None
    promoted: tuple[Booking, ...] = ()


@dataclass(frozen=True)
class MyBooking:
    booking: Booking
    event: Optional[Event]
    waitlist_position: Optional[int]
    calendar_url: Optional[str]


@dataclass(frozen=True)
class SyncReport:
    created: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()
    promoted: int = 0
    notified: int = 0


# -- the catalogue as the running bot sees it ------------------------------------------------------


class EventCatalogue:
    """events.yaml, reloaded when it changes on disk; a broken edit keeps the last good version."""

    def __init__(self, path: Path, default_capacity: int):
        self.path = Path(path)
        self._default_capacity = default_capacity
        self._stamp = self._file_stamp()
        self._catalogue = load_events(self.path, default_capacity=default_capacity)

    # The shared content store (bot.content.store.StoreCatalogues); set by the wiring. Once the store holds
    # content it is the catalogue and the file is only the seed.
    store = None
    _store_version = 0

    def current(self) -> Catalogue:
        if self.store is not None and self.store.cache.active:
            return self.store.events()
        return self._catalogue

    def reload_if_changed(self) -> bool:
        if self.store is not None and self.store.cache.active:
            changed = self.store.version != self._store_version
            self._store_version = self.store.version
            return changed
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return False
        try:
            catalogue = load_events(self.path, default_capacity=self._default_capacity)
        except EventsError as exc:
            log.warning("events catalogue not reloaded, keeping the previous one: %s", exc)
            return False
        self._stamp = stamp
        self._catalogue = catalogue
        log.info("events catalogue reloaded: %d events", len(catalogue.events))
        return True

    def _file_stamp(self) -> tuple:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return ()
        return (stat.st_mtime_ns, stat.st_size)


# -- the service ----------------------------------------------------------------------------------


class BookingService:
    def __init__(
        self,
        repo: BookingStore,
        catalogue: EventCatalogue,
        clock: Clock,
        *,
        notifier,
        signer: LinkSigner,
        public_base_url: str,
        organizer_email: str,
        organizer_name: str,
        mailer: Optional[BookingMailer] = None,
        reminder_leads: Iterable[tuple[str, timedelta]] = (("1 day", timedelta(days=1)), ("1 hour", timedelta(hours=1))),
        calendar_link_days: int = 30,
    ):
        self._repo = repo
        self.catalogue = catalogue
        self._clock = clock
        self._notifier = notifier
        self._signer = signer
        self._base_url = public_base_url.rstrip("/")
        self._organizer_email = organizer_email
        self._organizer_name = organizer_name
        self._uid_domain = organizer_email.rsplit("@", 1)[-1].lower()
        self._mailer = mailer
        self._leads = tuple(reminder_leads)
        self._link_days = calendar_link_days
        self._synced = False
        self._sync_lock = asyncio.Lock()

    # -- catalogue ----------------------------------------------------------------------------

    async def refresh(self) -> Optional[SyncReport]:
        """Picks up a changed events file (and, the first time, brings the database in line)."""
        changed = self.catalogue.reload_if_changed()
        if self._synced and not changed:
            return None
        async with self._sync_lock:
            if self._synced and not changed:
                return None
            report = await self.sync()
            self._synced = True
            return report

    async def sync(self) -> SyncReport:
        """Applies the catalogue to the stored events; safe to run any number of times, anywhere."""
        created, changed, cancelled = [], [], []
        promoted = notified = 0
        now = self._clock.now()
        for event in self.catalogue.current().events:
            wanted = _state_of(event)
            effects: list[tuple[str, Booking]] = []
            queued = None
            async with self._repo.change(event.id, wanted, now) as tx:
                if tx.created:
                    created.append(event.id)
                    continue
                current = tx.state
                if current == wanted:
                    continue
                if wanted.status != "scheduled":
                    if current.status == "scheduled":
                        for booking in await tx.active():
                            was_confirmed = booking.status == "confirmed"
                            ended = await tx.cancel(booking, now, "event", bump_sequence=was_confirmed)
                            effects.append(("event_cancelled" if was_confirmed else "event_cancelled_waitlist", ended))
                        cancelled.append(event.id)
                else:
                    if wanted.fingerprint != current.fingerprint and now < event.end:
                        active = await tx.active()
                        confirmed = [b for b in active if b.status == "confirmed"]
                        await tx.bump_sequences(b.id for b in confirmed)
                        effects += [("changed", replace(b, sequence=b.sequence + 1)) for b in confirmed]
                        effects += [("changed_waitlist", b) for b in active if b.status == "waitlisted"]
                        changed.append(event.id)
                await tx.update_state(capacity=wanted.capacity, status=wanted.status,
                                      fingerprint=wanted.fingerprint, now=now)
                if wanted.status == "scheduled" and now < event.start:
                    for booking in await self._fill_places(tx, now):
                        effects.append(("promoted", booking))
                        promoted += 1
                queued = await self._queue(tx, [(self._follow_ups(kind, b, event), b, event)
                                                for kind, b in effects], now)
            if queued is not None:
                await self._send_queued(queued)
            else:
                for kind, booking in effects:
                    await self._after_change(kind, booking, event)
            notified += len(effects)
        return SyncReport(tuple(created), tuple(changed), tuple(cancelled), promoted, notified)

    def events(self) -> tuple[Event, ...]:
        return self.catalogue.current().events

    def event(self, event_id: str) -> Optional[Event]:
        return self.catalogue.current().get(event_id)

    def find(self, text: str):
        """(query, events the message could mean), soonest first."""
        return find_events(self.events(), text)

    async def offers(self, events: Optional[Iterable[Event]] = None) -> list[EventOffer]:
        await self.refresh()
        now = self._clock.now()
        counts = await self._repo.counts()
        states = await self._repo.states()
        offers = []
        for event in events if events is not None else self.events():
            count = counts.get(event.id, EventCounts())
            capacity = states[event.id].capacity if event.id in states else event.capacity
            offers.append(EventOffer(event, event.booking_state(now), Places(capacity, count.confirmed, count.waitlisted)))
        return offers

    # -- booking and cancelling -----------------------------------------------------------------

    async def book(self, event_id: str, person: Person, *, waitlist_ok: bool = True) -> BookingResult:
        """Books a place, or a waitlist place when full (or "full" when the caller did not agree to wait)."""
        _check_person(person)
        await self.refresh()
        now = self._clock.now()
        event = self.event(event_id)
        if event is None:
            return BookingResult("unknown", None)
        state = event.booking_state(now)
        if state != "open":
            return BookingResult(state, event)
        try:
            async with self._repo.change(event.id, _state_of(event), now, for_user=person.user_id) as tx:
                # Stamped under the lock, so timestamps follow the order the changes really happened in.
                stamp = self._clock.now()
                if tx.state.status != "scheduled":
                    return BookingResult("cancelled", event)
                existing = await tx.active_booking(person.user_id)
                if existing is not None:
                    position = await tx.waitlist_position(existing) if existing.status == "waitlisted" else None
                    return BookingResult("duplicate", event, existing, position, self._link_for(existing, event))
                if tx.confirmed < tx.state.capacity:
                    status = "confirmed"
                elif waitlist_ok:
                    status = "waitlisted"
                else:
                    return BookingResult("full", event)
                booking = await tx.add(ref=uuid.uuid4().hex, user_id=person.user_id, name=person.name.strip(),
                                       school=person.school.strip(), email=person.email.strip(), status=status,
                                       now=stamp)
                # Joined last, under the lock: its place is the length of the waiting list.
                position = tx.waitlisted if status == "waitlisted" else None
                queued = None
                if status == "confirmed":
                    # In the booking's own transaction: a crash after the commit cannot lose the
                    # confirmation email or the reminders. A new booking has no reminders to withdraw.
                    plan = replace(self._follow_ups("confirmed", booking, event), withdraw_keep=None)
                    queued = await self._queue(tx, [(plan, booking, event)], stamp)
        except BookingConflict:
            # Only another process racing past the event lock could get here; its booking stands.
            existing = next((b for b in await self._repo.for_user(person.user_id) if b.event_id == event.id), None)
            if existing is None:
                raise
            return BookingResult("duplicate", event, existing, None, self._link_for(existing, event))
        if status == "waitlisted":
            return BookingResult("waitlisted", event, booking, position)
        if queued is None:
            emailed = await self._after_change("confirmed", booking, event)
        else:
            emailed = await self._send_queued(queued)
        return BookingResult("confirmed", event, booking, None, self._link_for(booking, event), emailed)

    async def _queue(self, tx: EventChange, plans: list[tuple["_FollowUps", Booking, Event]],
                     now: datetime) -> Optional[list[tuple[str, object]]]:
        """Writes the follow-ups of a change in its transaction: notices and reminders in the delivery
        outbox, emails in the mail outbox, stale reminders withdrawn. Returns the emails to send once
        committed, (key, message); None when this service's notifier has no queue to write to (tools
        and tests with a recording notifier: ``_after_change`` sends after the commit instead)."""
        message_for = getattr(self._notifier, "message_for", None)
        if message_for is None:
            return None
        notices, emails, messages = [], [], []
        for plan, booking, event in plans:
            notices += [message_for(notice) for notice in plan.notices]
            for key, template, method, extra in plan.emails:
                message = self._compose(template, booking, event, method, **extra)
                if message is not None:
                    emails.append((key, message["Message-ID"], bytes(message)))
                    messages.append((key, message))
        await tx.follow_up(notices=notices, emails=emails, now=now)
        for plan, booking, _ in plans:
            if plan.withdraw_keep is not None:
                await tx.withdraw_notices(source=_reminder_source(booking), now=now,
                                          keep_keys=[message_for(n).idempotency_key for n in plan.withdraw_keep])
        return messages

    async def _send_queued(self, queued: list[tuple[str, object]]) -> bool:
        """Sends emails already in the mail outbox and records each; True when all of them went out."""
        emailed = bool(queued)
        for key, message in queued:
            if not await self._mailer.deliver(message):
                # Still in the mail outbox: the mail worker's next flush sends it.
                emailed = False
                continue
            try:
                await self._repo.email_sent(key, self._clock.now())
            except Exception as exc:
                log.warning("booking email sent but not recorded: %s", type(exc).__name__)
        return emailed

    async def cancel(self, ref: str, *, user_id: Optional[str], by: str = "person") -> CancelResult:
        """Cancels a booking (``user_id`` must own it; None = staff) and promotes from the waitlist."""
        booking = await self._repo.get(ref)
        if booking is None or (user_id is not None and booking.user_id != user_id):
            return CancelResult("not_found")
        await self.refresh()
        now = self._clock.now()
        event = self.event(booking.event_id)
        placeholder = EventState(booking.event_id, 0, "cancelled", "")
        promoted: list[Booking] = []
        effects: list[tuple[str, Booking]] = []
        queued = None
        async with self._repo.change(booking.event_id, _state_of(event) if event else placeholder, now) as tx:
            stamp = self._clock.now()
            current = await tx.get(ref)
            if current is None or not current.is_active:
                return CancelResult("already_cancelled", current, event)
            was_confirmed = current.status == "confirmed"
            cancelled = await tx.cancel(current, stamp, by, bump_sequence=was_confirmed)
            if was_confirmed and tx.state.status == "scheduled" and event is not None and stamp < event.start:
                promoted = await self._fill_places(tx, stamp)
            if event is not None:
                effects = ([("cancelled", cancelled)] if was_confirmed else []) + [("promoted", b) for b in promoted]
                # The cancellation email, the promoted people's emails, notices and reminders, and the
                # withdrawal of the cancelled booking's reminders: in this transaction, like a booking's.
                queued = await self._queue(tx, [(self._follow_ups(kind, b, event), b, event)
                                                for kind, b in effects], stamp)
        if queued is not None:
            await self._send_queued(queued)
        else:
            for kind, changed in effects:
                await self._after_change(kind, changed, event)
        return CancelResult("cancelled", cancelled, event, tuple(promoted))

    async def _fill_places(self, tx: EventChange, now: datetime) -> list[Booking]:
        """Confirms the longest-waiting people while there are free places."""
        free = tx.state.capacity - tx.confirmed
        if free <= 0:
            return []
        return [await tx.confirm(booking, now) for booking in await tx.waitlist(limit=free)]

    # -- reading --------------------------------------------------------------------------------

    async def my_bookings(self, user_id: str) -> list[MyBooking]:
        await self.refresh()
        bookings = await self._repo.for_user(user_id)
        positions = await self._repo.waitlist_positions(b.id for b in bookings if b.status == "waitlisted")
        out = []
        for booking in bookings:
            event = self.event(booking.event_id)
            out.append(MyBooking(booking, event, positions.get(booking.id), self._link_for(booking, event)))
        return sorted(out, key=lambda item: (item.event.start if item.event else self._clock.now(), item.booking.id))

    async def get(self, ref: str) -> Optional[Booking]:
        return await self._repo.get(ref)

    async def bookings_for(self, event_id: str) -> list[Booking]:
        """Everyone who booked, in joining order (cancelled too: staff see the history)."""
        return await self._repo.for_event(event_id)

    # -- calendar files -------------------------------------------------------------------------

    def calendar_url(self, booking: Booking, event: Event) -> str:
        expires = event.end + timedelta(days=self._link_days)
        token = self._signer.sign(CALENDAR_PURPOSE, {"b": booking.ref}, expires)
        return f"{self._base_url}/calendar/{token}.ics"

    def _link_for(self, booking: Booking, event: Optional[Event]) -> Optional[str]:
        if event is None or booking.status != "confirmed":
            return None
        return self.calendar_url(booking, event)

    async def calendar_file(self, token: str) -> Optional[tuple[str, bytes]]:
        """(filename, .ics) for a signed link; None for a forged, expired or unusable one."""
        payload = self._signer.verify(CALENDAR_PURPOSE, token, self._clock.now())
        if payload is None or not isinstance(payload.get("b"), str):
            return None
        booking = await self._repo.get(payload["b"])
        event = self.event(booking.event_id) if booking else None
        if booking is None or event is None:
            return None
        if booking.status == "confirmed":
            return f"{event.id}.ics", self.invite(booking, event, "REQUEST")
        if booking.status == "cancelled" and booking.confirmed_at is not None:
            return f"{event.id}.ics", self.invite(booking, event, "CANCEL")
        return None

    def invite(self, booking: Booking, event: Event, method: str) -> bytes:
        return build_ics(
            CalendarEvent(event_id=event.id, title=event.title, description=event.description,
                          start=event.start, end=event.end, location=event.venue, join_url=event.join_url),
            Attendee(email=booking.email, name=booking.name),
            method=method,
            sequence=booking.sequence,
            uid=booking_uid(booking.ref, self._uid_domain),
            organizer_email=self._organizer_email,
            organizer_name=self._organizer_name,
            now_utc=self._clock.now(),
        )

    # -- after a change: emails, Teams notices, reminders --------------------------------------

    def _follow_ups(self, kind: str, booking: Booking, event: Event) -> "_FollowUps":
        """What tells the booker about a change: emails, Teams notices and reminders, and whether the
        booking's other queued reminders are withdrawn. Keys make a repeat a no-op."""
        when = british_datetime(event.start)
        link = self._link_for(booking, event)
        ref = booking.ref
        if kind in ("confirmed", "promoted"):
            notices = []
            if kind == "promoted":
                notices.append(self._notice(booking, f"booking.promoted:{ref}", "booking.promoted",
                               f"Good news: a place has come up on the {event.title} ({when}) and it's yours. "
                               f"You're now booked. Add it to your calendar: {link}"))
            reminders = self._reminder_notices(booking, event)
            return _FollowUps(notices + reminders, [(f"booking:{ref}:confirmed", "booking_confirmed", "REQUEST",
                                                    dict(promoted=kind == "promoted", calendar_url=link))], reminders)
        if kind == "cancelled":
            return _FollowUps([], [(f"booking:{ref}:cancelled", "booking_cancelled", "CANCEL", {})], [])
        if kind == "changed":
            reminders = self._reminder_notices(booking, event)
            notice = self._notice(booking, f"booking.changed:{ref}:{booking.sequence}", "booking.changed",
                                  f"The {event.title} you're booked on has changed: it is now {when} to "
                                  f"{london(event.end):%H:%M}, {event.location}. Your place is kept.")
            return _FollowUps([notice] + reminders, [(f"booking:{ref}:changed:{booking.sequence}", "booking_updated",
                                                      "REQUEST", dict(calendar_url=link))], reminders)
        if kind == "changed_waitlist":
            return _FollowUps([self._notice(
                booking, f"booking.changed:{ref}:{fingerprint(event)}", "booking.changed",
                f"The {event.title} you're on the waiting list for has changed: it is now {when}, "
                f"{event.location}. You keep your place on the waiting list.")], [], None)
        if kind in ("event_cancelled", "event_cancelled_waitlist"):
            moved = event.status == "moved"
            emails = [(f"booking:{ref}:event_cancelled", "booking_event_cancelled", "CANCEL", dict(moved=moved))] \
                if kind == "event_cancelled" else []
            what = "has been moved to another date, so your booking has ended; please book the new date" \
                if moved else "has been cancelled, so your booking has ended. We're sorry for the change of plan"
            return _FollowUps([self._notice(booking, f"booking.event_cancelled:{ref}", "booking.event_cancelled",
                                            f"The {event.title} on {when} {what}.")], emails, [])
        raise ValueError(f"unknown booking change {kind!r}")

    async def _after_change(self, kind: str, booking: Booking, event: Event) -> bool:
        """The follow-ups sent after the commit, for a notifier with no queue (tools and tests); True when
        an email went out."""
        plan = self._follow_ups(kind, booking, event)
        emailed = False
        for _, template, method, extra in plan.emails:
            emailed = await self._email(template, booking, event, method, **extra) or emailed
        for notice in plan.notices:
            await self._send_notice(notice)
        if plan.withdraw_keep is not None:
            await self._withdraw_reminders(booking, keep=[n.idempotency_key for n in plan.withdraw_keep])
        return emailed

    def _notice(self, booking: Booking, key: str, kind: str, text: str) -> Notice:
        return Notice(user_id=booking.user_id, text=text, idempotency_key=key, kind=kind,
                      meta=dict(booking_ref=booking.ref, event_id=booking.event_id))

    async def _send_notice(self, notice: Notice) -> None:
        if self._notifier is None:
            return
        try:
            await self._notifier.notify(notice)
        except Exception as exc:
            log.warning("booking notice %s not queued: %s", notice.kind, type(exc).__name__)

    def _reminder_notices(self, booking: Booking, event: Event) -> list[Notice]:
        now = self._clock.now()
        event_fp = fingerprint(event)
        where = f"Join online: {event.join_url}" if event.join_url else f"Venue: {event.location}"
        notices = []
        for label, lead in self._leads:
            due = event.start - lead
            if due <= now:
                continue
            notices.append(Notice(
                user_id=booking.user_id, idempotency_key=f"booking.reminder:{booking.ref}:{label}:{event_fp[:12]}",
                kind="booking.reminder",
                text=f"Reminder: the {event.title} starts in {label} ({british_datetime(event.start)}). {where}",
                not_before=due.astimezone(now.tzinfo),
                meta={"source": _reminder_source(booking), "expires_at": event.start.astimezone(now.tzinfo),
                      "lead": label, "booking_ref": booking.ref, "event_id": booking.event_id}))
        return notices

    async def _withdraw_reminders(self, booking: Booking, keep: Iterable[str] = ()) -> None:
        # Only a notifier with a queue (the reminder scheduler's) can take back what it has not sent yet.
        cancel = getattr(self._notifier, "cancel", None)
        if cancel is None:
            return
        try:
            await cancel(source=_reminder_source(booking), keep_keys=list(keep))
        except Exception as exc:
            log.warning("stale booking reminders not withdrawn: %s", type(exc).__name__)

    def _email_context(self, booking: Booking, event: Event, **extra) -> dict:
        context = dict(
            name=booking.name, school=booking.school, title=event.title, when=british_datetime(event.start),
            ends=f"{london(event.end):%H:%M}", where=event.location, join_url=event.join_url,
            team_name=self._organizer_name, team_mailbox=self._organizer_email, promoted=False,
            calendar_url=None, moved=False,
        )
        context.update(extra)
        return context

    def _compose(self, template: str, booking: Booking, event: Event, method: str, **extra):
        """The email with its calendar file, or None when this service sends no email."""
        if self._mailer is None:
            return None
        filename = "cancel.ics" if method == "CANCEL" else "invite.ics"
        attachment = CalendarAttachment(self.invite(booking, event, method), method, filename)
        return self._mailer.compose(template, to_name=booking.name, to_address=booking.email,
                                    context=self._email_context(booking, event, **extra), attachment=attachment)

    async def _email(self, template: str, booking: Booking, event: Event, method: str, **extra) -> bool:
        try:
            message = self._compose(template, booking, event, method, **extra)
        except Exception as exc:
            log.warning("booking email %s not composed: %s", template, type(exc).__name__)
            return False
        return message is not None and await self._mailer.deliver(message)


@dataclass(frozen=True)
class _FollowUps:
    notices: list                     # Notice: Teams notices and reminders, in the order they are queued
    emails: list                      # (mail outbox key, template, calendar method, template context)
    # Reminders of the booking to keep; every other one of its queued reminders is withdrawn. None: none are.
    withdraw_keep: Optional[list]


def _reminder_source(booking: Booking) -> str:
    return f"booking-reminders:{booking.ref}"


def _state_of(event: Event) -> EventState:
    return EventState(event.id, event.capacity, event.status, fingerprint(event))


def _check_person(person: Person) -> None:
    if not person.user_id or not person.name.strip() or not person.school.strip():
        raise ValueError("a booking needs a user id, a name and a school")
    if not valid_email(person.email):
        raise ValueError("a booking needs a valid email address")
