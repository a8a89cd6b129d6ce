"""A person's own data in Teams: "what data do you hold" shows a summary, "delete my data" erases it
after a confirmation card.

Both act only on the person pressing or typing (their Teams user id and the ids seen with their
Entra ID): nobody can see or erase someone else's data from Teams. The confirmation button carries
a digest of the user id it was shown to, so a card forwarded into another chat does nothing for
anyone else. Staff export or erase for others with ``sencobot privacy`` on the server.
"""
from __future__ import annotations

import hashlib
import logging
from typing import Callable

from botbuilder.core import CardFactory, MessageFactory, TurnContext, UserState
from botbuilder.dialogs import DialogSet

from bot.cards import render_card
from bot.clock import british_date
from bot.router import CardAction, Intent, Router
from bot.privacy.service import PrivacyService
from bot.turn import asker_of

log = logging.getLogger(__name__)

_MY_DATA = r"\bmy\s+(own\s+)?(personal\s+)?(data|details|information|info|records)\b"
DELETE_PATTERNS = (
    r"\b(delete|erase|remove|wipe|forget)\s+(all\s+)?(of\s+)?" + _MY_DATA,
    r"^forget (about )?me$",
    r"\bright to (be forgotten|erasure)\b",
)
EXPORT_PATTERNS = (
    r"\b(export|download|send me|give me|copy of|see|show me)\s+(all\s+)?(of\s+)?" + _MY_DATA,
    r"\bwhat (data|information|personal data|details|info) (do|does) (you|the bot|the assistant) "
    r"(hold|have|keep|store)\b",
    r"\bsubject access request\b",
    r"^my data$",
)


def _digest(user_id: str) -> str:
    return hashlib.sha256(("sencobot-privacy:" + user_id).encode("utf-8")).hexdigest()[:16]


class PrivacyFeature:
    def __init__(self, service: PrivacyService, user_state: UserState, *, staff_ids: frozenset[str],
                 team_name: str, team_mailbox: str, forget_reference: Callable[[str], None]):
        self._service = service
        self._user_state = user_state
        self._staff_ids = staff_ids
        self._team_name = team_name
        self._team_mailbox = team_mailbox
        # Tells the handler the stored reference is gone, so the next message stores it again.
        self._forget_reference = forget_reference

    def install(self, router: Router, dialogs: DialogSet) -> None:
        router.add_intent(Intent("privacy.delete", self._ask_to_delete, patterns=DELETE_PATTERNS,
                                 command="delete my data", description="erase what I hold about you",
                                 interrupts=True))
        router.add_intent(Intent("privacy.export", self._show_summary, patterns=EXPORT_PATTERNS,
                                 command="what data do you hold", description="see what I keep about you"))
        router.add_action(CardAction("privacy.delete", self._on_delete))
        router.add_action(CardAction("privacy.delete_confirm", self._on_delete_confirm))
        router.add_action(CardAction("privacy.delete_cancel", self._on_delete_cancel))
        router.add_action(CardAction("privacy.export", self._on_export))

    async def _subject(self, turn_context: TurnContext):
        asker = asker_of(turn_context, self._staff_ids)
        return asker, await self._service.subject_for_teams(asker.user_id, asker.aad_object_id)

    # -- what do you hold ---------------------------------------------------------------------------

    async def _show_summary(self, turn_context: TurnContext, dc, text: str) -> None:
        _, subject = await self._subject(turn_context)
        if subject.empty:
            await turn_context.send_activity("I can't tell who you are in this chat, so I can't look up your data.")
            return
        data = await self._service.export(subject)
        card = render_card("privacy_summary", rows=summary_rows(data), note=(
            f"Questions you asked are kept with names and contact details removed. For a full copy as a file, "
            f"ask the {self._team_name.lower()} at {self._team_mailbox}. If you have also emailed the team, "
            f"those emails are kept under your email address: ask them about those too."))
        await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    async def _on_export(self, turn_context: TurnContext, dc, data: dict) -> None:
        await self._show_summary(turn_context, dc, "")

    # -- delete my data -----------------------------------------------------------------------------

    async def _ask_to_delete(self, turn_context: TurnContext, dc, text: str) -> None:
        asker, subject = await self._subject(turn_context)
        if subject.empty:
            await turn_context.send_activity("I can't tell who you are in this chat, so I can't delete anything.")
            return
        data = await self._service.export(subject)
        rows = summary_rows(data)
        summary = "I hold: " + "; ".join(f"{r['title']}: {r['value']}" for r in rows) + "." if rows \
            else "I hold nothing about you apart from what I need to reply in this chat."
        card = render_card(
            "privacy_delete_confirm", summary=summary, for_user=_digest(asker.user_id),
            consequences=("Bookings for events still to come are cancelled (your place goes to the next person "
                          "waiting); bookings for past events are kept without your name, so attendance counts stay "
                          "right. Reminders stop and tribunal cases you track are deleted."),
        )
        await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    async def _on_delete(self, turn_context: TurnContext, dc, data: dict) -> None:
        await self._ask_to_delete(turn_context, dc, "")

    async def _on_delete_cancel(self, turn_context: TurnContext, dc, data: dict) -> None:
        await turn_context.send_activity("OK, I haven't deleted anything.")

    async def _on_delete_confirm(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker, subject = await self._subject(turn_context)
        if subject.empty or data.get("for") != _digest(asker.user_id):
            log.warning("a delete-my-data confirmation was pressed by someone it was not shown to")
            await turn_context.send_activity(
                "That button was for someone else. Type \"delete my data\" to delete your own.")
            return
        # A dialog half-way through (a booking form) holds what was typed so far: end it first.
        await dc.cancel_all_dialogs()
        erased = await self._service.erase(subject)
        # Loaded then deleted, so the end of this turn does not write the user's state back.
        await self._user_state.load(turn_context)
        await self._user_state.delete(turn_context)
        for user_id in subject.user_ids:
            self._forget_reference(user_id)
        log.info("a user's data was erased from Teams: %d records", erased.total)
        parts = ["Done: I've deleted what I held about you."]
        if erased.bookings_cancelled:
            parts.append(f"I cancelled {erased.bookings_cancelled} booking"
                         f"{'s' if erased.bookings_cancelled != 1 else ''} for events still to come.")
        if erased.bookings_anonymised:
            parts.append("Bookings for past events are kept without your name, for attendance counts.")
        parts.append(f"If you've emailed the {self._team_name.lower()}, ask them at {self._team_mailbox} to delete "
                     "those emails too. If you message me again, I'll keep only what I need to reply.")
        await turn_context.send_activity(" ".join(parts))


def summary_rows(data: dict) -> list[dict]:
    """A few lines a person can read, from an export."""
    rows = []
    queries = data.get("queries") or []
    if queries:
        rows.append({"title": "Questions", "value": f"{len(queries)} asked, the first on "
                                                    f"{_day(queries[0].get('asked_at'))}"})
    bookings = [b for b in data.get("bookings") or [] if b.get("status") != "cancelled"]
    if bookings:
        titles = ", ".join(b.get("event_title") or b.get("event_id", "") for b in bookings[:4])
        rows.append({"title": "Bookings", "value": f"{len(bookings)}: {titles}"})
    subscriptions = [s["category"] for s in data.get("subscriptions") or [] if s.get("active")]
    if subscriptions:
        rows.append({"title": "Reminders", "value": ", ".join(subscriptions)})
    cases = data.get("tribunal_cases") or []
    if cases:
        rows.append({"title": "Tribunal cases", "value": ", ".join(f"\"{c['reference']}\"" for c in cases[:4])})
    responses = data.get("evaluation_responses") or []
    if responses:
        rows.append({"title": "Forum evaluations", "value": ", ".join(r["forum_id"] for r in responses)})
    messages = data.get("messages") or []
    if messages:
        rows.append({"title": "Messages I sent or will send you", "value": str(len(messages))})
    return rows


def _day(iso) -> str:
    import datetime as dt

    try:
        return british_date(dt.datetime.fromisoformat(iso))
    except (TypeError, ValueError):
        return "an earlier date"
