"""The inbox's scheduled digest email, and the background task that keeps the inbox moving.

Digests are sent once per period ("slot"): periods are counted in London wall-clock
time from a fixed Monday at the configured time of day, so a daily digest stays at
08:00 across the clock change. Whoever inserts the slot's row sends it, so with
several replicas exactly one digest goes out; a failed send gives the slot back.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any, Optional

from bot.background import periodic
from bot.clock import LONDON, british_date, british_datetime, london
from bot.rendering import render

log = logging.getLogger(__name__)

# Slots are counted from this Monday, so a weekly (168 h) digest falls on Mondays.
_ANCHOR_DAY = datetime(2024, 1, 1)


def parse_time_of_day(value: str) -> time:
    hours, minutes = value.strip().split(":")
    return time(int(hours), int(minutes))


def current_slot(now: datetime, interval: timedelta, at: time) -> datetime:
    """The start (aware, London) of the digest period `now` falls in."""
    local = london(now).replace(tzinfo=None)
    anchor = datetime.combine(_ANCHOR_DAY.date(), at)
    periods = (local - anchor) // interval
    return (anchor + periods * interval).replace(tzinfo=LONDON)


@dataclass(frozen=True)
class DigestResult:
    slot: str
    sent: bool
    questions: int
    reason: str = ""


class DigestService:
    def __init__(
        self,
        repo,
        *,
        mail: Optional[Any],   # None when mail is disabled: nothing is sent
        team_name: str,
        team_mailbox: str,
        recipient: str,
        interval: timedelta,
        at: time,
    ):
        self._repo = repo
        self._mail = mail
        self._team_name = team_name
        self._team_mailbox = team_mailbox
        self._recipient = recipient or team_mailbox
        self._interval = interval
        self._at = at

    async def compose(self, now: datetime) -> tuple[EmailMessage, list[str]]:
        """The digest of questions not yet in any digest, and their ids."""
        questions = await self._repo.undigested_questions()
        open_clusters = await self._repo.clusters(("open",))
        answered = await self._repo.clusters(("answered",))
        members = await self._repo.members([q.cluster_id for q in questions if q.cluster_id])
        counts: dict[str, int] = {}
        for member in members:
            if member.status != "dismissed":
                counts[member.cluster_id] = counts.get(member.cluster_id, 0) + 1
        items = [
            {
                "text": q.text,
                "asked": british_datetime(q.asked_at),
                "channel": {"teams": "Teams", "email": "email", "console": "console"}.get(q.channel, q.channel),
                "cluster_count": counts.get(q.cluster_id, 1),
            }
            for q in questions
        ]
        body = render(
            "email/inbox_digest.txt.j2",
            team_name=self._team_name,
            produced_on=british_date(now),
            questions=items,
            open_groups=len(open_clusters),
            answered_groups=len(answered),
            interval=_describe(self._interval),
        )
        message = EmailMessage()
        message["From"] = formataddr((f"{self._team_name} (SENCO Forum Assistant)", self._team_mailbox))
        message["To"] = self._recipient
        count = len(items)
        day = london(now)
        # Kept under 78 characters with "Subject: ", so it is not folded onto a second line.
        message["Subject"] = (
            f"SENCO Forum inbox: {count} question{'s' if count != 1 else ''} "
            f"need{'s' if count == 1 else ''} an answer ({day.day} {day:%B %Y})"
        )
        message["Date"] = format_datetime(now)
        message["Message-ID"] = make_msgid(domain=self._team_mailbox.rsplit("@", 1)[-1])
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(body)
        return message, [q.id for q in questions]

    async def send_if_due(self, now: datetime) -> Optional[DigestResult]:
        """Sends this period's digest unless it has been sent; None when there is nothing to do."""
        mail = self._mail
        if mail is None:
            return None
        slot = current_slot(now, self._interval, self._at).isoformat(timespec="minutes")
        if not await self._repo.claim_digest(slot, now):
            return None
        try:
            message, ids = await self.compose(now)
            if not ids:
                # Nobody needs an empty digest; the slot stays claimed so it is not re-checked.
                await self._repo.finish_digest(slot, None, 0)
                return DigestResult(slot, sent=False, questions=0, reason="no new questions")
            await mail.send(message)
        except Exception as exc:
            log.warning("inbox digest not sent, will retry: %s", type(exc).__name__)
            await self._repo.release_digest(slot)
            return DigestResult(slot, sent=False, questions=0, reason=type(exc).__name__)
        await self._repo.mark_digested(ids, now)
        await self._repo.finish_digest(slot, now, len(ids))
        return DigestResult(slot, sent=True, questions=len(ids))


def _describe(interval: timedelta) -> str:
    hours = int(interval.total_seconds() // 3600)
    if hours == 24:
        return "day"
    if hours == 168:
        return "week"
    if hours % 24 == 0:
        return f"{hours // 24} days"
    return f"{hours} hours" if hours != 1 else "hour"


class InboxHousekeeping:
    """One tick: load entries other replicas published, retry undelivered answers, send a due digest."""

    def __init__(self, inbox, digest: Optional[DigestService], clock, interval_seconds: float):
        self._inbox = inbox
        self._digest = digest
        self._clock = clock
        self._interval = max(0.05, interval_seconds)
        self.ticks = 0

    async def tick(self) -> None:
        for step in (self._inbox.publishing.sync_published, self._inbox.answers.deliver_pending, self._send_digest):
            try:
                await step()
            except Exception as exc:
                log.warning("inbox housekeeping step %s failed: %s", step.__name__, type(exc).__name__)
        self.ticks += 1

    async def _send_digest(self) -> None:
        if self._digest is not None:
            await self._digest.send_if_due(self._clock.now())

    def background_task(self):
        """An aiohttp cleanup_ctx: published entries are loaded before the app serves, then ticks run."""

        return periodic("inbox housekeeping", self.tick, self.interval, before=self._inbox.publishing.sync_published,
                        clock=self._clock)

    def interval(self) -> float:
        return self._interval
