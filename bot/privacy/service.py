"""Retention and people's rights over their data: purge old records, export or erase one person.

- ``purge(now)`` applies the retention periods of ``app.yaml``'s ``privacy`` section: old records are
  deleted, except bookings for past events and evaluation responses, which are anonymised so that
  attendance counts and ratings survive.
- ``export_user(identifier)`` gathers everything held about a person as a JSON-able dict.
- ``delete_user(identifier)`` erases it. Bookings for events still to come are cancelled through the
  booking service, so the place goes to the next person waiting; bookings for past events are
  anonymised, not deleted, so attendance counts are kept.

A person is named by a Teams user id ("29:..."), an Entra ID (AAD) object id, or an email address.
Staff are people too: the inbox answers, dismissals, published entries and broadcasts they made are
exported with their data, and erasing them takes their name off that work (the work stays).
Teams-keyed and email-keyed records are separate: an email address finds what was emailed or booked
with it, a Teams id what was done in Teams. Plain Python, no botbuilder; never logs who or what.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import getaddresses
from typing import Any, Callable, Optional

from bot.background import periodic
from bot.clock import LONDON, Clock
from bot.settings import Retention
from bot.privacy.ports import PrivacyStore
from integrations.db.privacy import ANONYMISED, Subject

log = logging.getLogger(__name__)

EXPORT_FORMAT = "sencobot-personal-data/1"


@dataclass(frozen=True)
class Erasure:
    counts: dict[str, int]                 # rows deleted per table
    bookings_cancelled: int = 0            # active bookings for events still to come, cancelled properly
    bookings_anonymised: int = 0           # bookings for past events: kept for the counts, person removed
    places_offered: int = 0                # people promoted from a waiting list by those cancellations
    waitlist_not_promoted: int = 0         # cancelled without the booking service: nobody was promoted
    # Staff work kept without the person: inbox answers, published entries, broadcasts (rows per table).
    pseudonymised: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + self.bookings_anonymised + sum(self.pseudonymised.values())


class PrivacyService:
    def __init__(self, repo: PrivacyStore, clock: Clock, retention: Retention, *,
                 bookings=None, sender_hash: Optional[Callable[[str], str]] = None):
        self._repo = repo
        self._clock = clock
        self.retention = retention
        # The BookingService: cancels future bookings (promoting the waiting list) and knows event dates.
        self._bookings = bookings
        self._sender_hash = sender_hash or _default_sender_hash

    # -- who ------------------------------------------------------------------------------------------

    async def subject_for(self, identifier: str) -> Subject:
        """A Teams user id, an AAD object id (every Teams id seen with it) or an email address."""
        text = (identifier or "").strip()
        if not text:
            raise ValueError("give a Teams user id, an AAD object id or an email address")
        if "@" in text:
            return Subject(emails=(text.lower(),))
        ids = {text, *await self._repo.user_ids_with_aad(text)}
        return Subject(user_ids=tuple(sorted(ids)))

    async def subject_for_teams(self, user_id: str, aad_object_id: str = "") -> Subject:
        ids = {user_id} if user_id else set()
        if aad_object_id:
            ids.update(await self._repo.user_ids_with_aad(aad_object_id))
        return Subject(user_ids=tuple(sorted(ids)))

    # -- retention ------------------------------------------------------------------------------------

    async def purge(self, now: Optional[dt.datetime] = None) -> dict[str, int]:
        """Deletes or anonymises everything older than its retention period; counts per table."""
        now = now or self._clock.now()
        r = self.retention

        def before(days: int) -> dt.datetime:
            return now - dt.timedelta(days=days)

        counts: dict[str, int] = {}

        def add(part: dict[str, int]) -> None:
            for name, n in part.items():
                counts[name] = counts.get(name, 0) + n

        add(await self._repo.purge_queries(before(r.queries_days)))
        add(await self._repo.purge_mail(before(r.mail_outbox_days)))
        add(await self._repo.purge_processed(before(r.processed_ids_days), now))
        add(await self._repo.anonymise_evaluations(before(r.evaluation_days)))
        add(await self._repo.purge_closed_cases(before(r.tribunal_closed_days)))
        if self._bookings is not None:
            # Without the catalogue no event dates are known, and a live booking must never lose its person.
            past_events, known = self._events_ended_before(before(r.bookings_past_days))
            booking_ids = await self._repo.bookings_to_anonymise(
                past_events=past_events, known_events=known, unknown_before=before(r.bookings_past_days))
            add({"bookings": await self._repo.anonymise_bookings(booking_ids)})
        add(await self._repo.purge_delivery_log(before(r.delivery_log_days)))
        add(await self._repo.purge_inactive_references(before(r.inactive_user_days)))
        add(await self._repo.purge_state(before(r.bot_state_days)))
        return counts

    def _events_ended_before(self, cutoff: dt.datetime) -> tuple[list[str], list[str]]:
        events = list(self._bookings.events())
        return [e.id for e in events if e.end < cutoff], [e.id for e in events]

    # -- export ---------------------------------------------------------------------------------------

    async def export_user(self, identifier: str) -> dict:
        return await self.export(await self.subject_for(identifier))

    async def export(self, subject: Subject) -> dict:
        """Everything held about the person, as plain JSON types."""
        refs = await self._repo.references(subject)
        state = await self._repo.state_documents(subject, _personal_conversation_keys(refs))
        staff = await self._repo.staff_records(await self._repo.staff_labels(subject))
        mail = await self._unsent_mail_to(subject)
        windows = await self._repo.reply_windows([self._sender_hash(e) for e in subject.emails])
        data = {
            "format": EXPORT_FORMAT,
            "exported_at": _plain(self._clock.now()),
            "identifiers": {"teams_user_ids": list(subject.user_ids), "emails": list(subject.emails)},
            "conversation_references": [_reference_view(ref) for ref in refs],
            "bot_state": [{"key": row["key"], "updated_at": row["updated_at"], "document": _json(row["document"])}
                          for row in state],
            "queries": await self._repo.queries(subject),
            "bookings": [self._booking_view(row) for row in await self._repo.bookings(subject)],
            "subscriptions": await self._repo.subscriptions(subject),
            "reminder_prompts": await self._repo.prompts(subject),
            "tribunal_cases": await self._repo.tribunal_cases(subject),
            "evaluation_responses": [_evaluation_view(row) for row in await self._repo.evaluation_responses(subject)],
            "evaluation_invitations": await self._repo.evaluation_participation(subject),
            "messages": await self._repo.messages(subject),
            "mail": {
                "replies_waiting": [{"id": m["id"], "created_at": m["created_at"], "subject": m["subject"]}
                                    for m in mail],
                "auto_reply_windows": [{k: v for k, v in w.items() if k != "sender_hash"} for w in windows],
            },
            # As inclusion team staff: what they answered, dismissed, published or broadcast.
            "staff_records": staff,
        }
        return _plain(data)

    def _booking_view(self, row: dict) -> dict:
        view = dict(row)
        event = self._bookings.event(row["event_id"]) if self._bookings is not None else None
        if event is not None:
            view["event_title"] = event.title
            view["event_start"] = event.start
        return view

    async def _unsent_mail_to(self, subject: Subject) -> list[dict]:
        if not subject.emails:
            return []
        wanted = set(subject.emails)
        found = []
        for item in await self._repo.unsent_mail():
            headers = BytesParser(policy=default_policy).parsebytes(bytes(item["content"]), headersonly=True)
            recipients = {address.lower() for _, address in getaddresses(headers.get_all("To", []))}
            if recipients & wanted:
                found.append({"id": item["id"], "created_at": item["created_at"],
                              "subject": str(headers["Subject"] or "")})
        return found

    # -- erasure --------------------------------------------------------------------------------------

    async def delete_user(self, identifier: str) -> Erasure:
        return await self.erase(await self.subject_for(identifier))

    async def erase(self, subject: Subject) -> Erasure:
        """Erases the person: past bookings anonymised, future ones cancelled, everything else deleted."""
        if subject.empty:
            return Erasure({})
        ended = await self._erase_bookings(subject)
        refs = await self._repo.references(subject)
        mail = await self._unsent_mail_to(subject)
        # Read before the references go: they hold the display name staff work was recorded under.
        labels = await self._repo.staff_labels(subject)
        pseudonymised: dict[str, int] = {}
        counts = await self._repo.erase(
            subject,
            conversation_keys=_personal_conversation_keys(refs),
            sender_hashes=[self._sender_hash(e) for e in subject.emails],
            mail_ids=[m["id"] for m in mail],
            staff_labels=labels,
            pseudonymised=pseudonymised,
        )
        if ended.deleted:
            counts["bookings"] = ended.deleted
        return Erasure(counts, ended.cancelled, ended.anonymised, ended.promoted, ended.unpromoted, pseudonymised)

    async def _erase_bookings(self, subject: Subject) -> "_BookingsEnded":
        now = self._clock.now()
        ended = _BookingsEnded()
        to_anonymise, to_delete = [], []
        for row in await self._repo.bookings(subject):
            if row["user_id"].startswith(ANONYMISED):
                continue
            active = row["status"] in ("confirmed", "waitlisted")
            if self._bookings is None:
                # Without the catalogue nothing says which events are over: an active booking could be
                # holding a place, so it is deleted (nobody is promoted, and the report says so).
                if active:
                    ended.cancelled += 1
                    ended.unpromoted += 1
                    to_delete.append(row["id"])
                else:
                    to_anonymise.append(row["id"])
                continue
            event = self._bookings.event(row["event_id"])
            # An event the catalogue no longer has is treated as past: keeping its count costs nothing.
            if event is None or event.end <= now:
                to_anonymise.append(row["id"])
                continue
            if active:
                result = await self._bookings.cancel(row["ref"], user_id=None, by="erasure")
                ended.promoted += len(result.promoted)
                ended.cancelled += 1
            to_delete.append(row["id"])
        ended.anonymised = await self._repo.anonymise_bookings(to_anonymise)
        ended.deleted = await self._repo.delete_bookings(to_delete)
        return ended


@dataclass
class _BookingsEnded:
    cancelled: int = 0
    anonymised: int = 0
    deleted: int = 0
    promoted: int = 0
    unpromoted: int = 0


# -- the daily purge ------------------------------------------------------------------------------------


@dataclass
class PurgeSchedule:
    """Runs the purge once a day at a London time; ``tick`` is what the background loop calls."""

    service: PrivacyService
    clock: Clock
    at: dt.time
    next_run: Optional[dt.datetime] = None
    last_counts: dict = field(default_factory=dict)

    def first_run_after(self, now: dt.datetime) -> dt.datetime:
        local = now.astimezone(LONDON)
        candidate = dt.datetime.combine(local.date(), self.at, tzinfo=LONDON)
        if candidate <= local:
            candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), self.at, tzinfo=LONDON)
        return candidate.astimezone(dt.timezone.utc)

    async def tick(self) -> bool:
        """Purges if the day's time has come; True when it ran."""
        now = self.clock.now()
        if self.next_run is None:
            self.next_run = self.first_run_after(now)
        if now < self.next_run:
            return False
        self.last_counts = await self.service.purge(now)
        self.next_run = self.first_run_after(now)
        changed = {name: n for name, n in self.last_counts.items() if n}
        log.info("privacy purge done: %s", changed or "nothing was old enough")
        return True

    def seconds_to_wait(self) -> float:
        if self.next_run is None:
            return 60.0
        # Re-checked at least hourly, so a suspended host or a clock change cannot skip a day.
        return max(1.0, min(3600.0, (self.next_run - self.clock.now()).total_seconds()))

    def background_task(self):
        """aiohttp cleanup_ctx: the schedule runs while the app runs."""

        return periodic("privacy purge", self.tick, self.seconds_to_wait, clock=self.clock)


def parse_purge_time(text: str) -> dt.time:
    hours, minutes = (int(part) for part in text.split(":"))
    return dt.time(hours, minutes)


# -- helpers ----------------------------------------------------------------------------------------------


def _default_sender_hash(address: str) -> str:
    from bot.mail.service import sender_hash

    return sender_hash(address)


def _personal_conversation_keys(refs: list[dict]) -> list[str]:
    """Bot state keys of the person's 1:1 chats; a team channel's state is shared, so it is never touched."""
    keys = []
    for ref in refs:
        reference = _json(ref.get("reference")) or {}
        conversation = reference.get("conversation") if isinstance(reference, dict) else None
        if isinstance(conversation, dict) and conversation.get("conversationType") == "personal":
            keys.append(f"{ref['channel_id']}/conversations/{ref['conversation_id']}")
    return keys


def _reference_view(ref: dict) -> dict:
    return {key: ref[key] for key in ("user_id", "channel_id", "conversation_id", "tenant_id", "user_name",
                                      "aad_object_id", "updated_at") if key in ref}


def _evaluation_view(row: dict) -> dict:
    view = dict(row)
    for key in ("ratings", "topics"):
        if isinstance(view.get(key), str):
            view[key] = _json(view[key])
    return view


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _plain(value: Any) -> Any:
    """Dates as ISO text, bytes dropped: what json.dumps takes."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if not isinstance(v, (bytes, bytearray, memoryview))}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return value
