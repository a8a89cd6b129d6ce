"""Staff broadcasts in Teams: "broadcast <category> <message>" shows the redacted draft and how many
subscribers it reaches; "Send" queues it once (the card's key), "Don't send" drops it.

The card actions keep their ``reminders.`` names: cards already sent carry them.
"""
from __future__ import annotations

import re
import uuid

from botbuilder.core import TurnContext
from botbuilder.dialogs import DialogSet

from bot.broadcast.service import BroadcastService
from bot.reminders.subscriptions import SubscriptionService, short_label as _label
from bot.router import CardAction, Intent, Router
from bot.turn import Asker, asker_of
from dialogs.tribunal import card
from knowledge.deadlines import CATEGORIES


class BroadcastFeature:
    def __init__(self, broadcasts: BroadcastService, subscriptions: SubscriptionService, *,
                 staff_ids: frozenset[str], tenant_per_second: float):
        self._broadcasts = broadcasts
        self._subscriptions = subscriptions
        self._staff_ids = staff_ids
        self._rate = max(1.0, tenant_per_second)

    def install(self, router: Router, dialogs: DialogSet) -> None:
        router.add_intent(Intent("reminders.broadcast", self._broadcast_intent, patterns=(r"^broadcast\b",),
                                 command="broadcast <category> <message>",
                                 description="send an announcement to every subscriber of a category",
                                 staff_only=True))
        router.add_action(CardAction("reminders.broadcast_send", self._on_broadcast_send, staff_only=True))
        router.add_action(CardAction("reminders.broadcast_cancel", self._on_broadcast_cancel, staff_only=True))

    def _asker(self, turn_context: TurnContext) -> Asker:
        return asker_of(turn_context, self._staff_ids)

    async def _broadcast_intent(self, turn_context: TurnContext, dc, text: str) -> None:
        if not self._asker(turn_context).is_staff:
            await turn_context.send_activity("Sorry, only the inclusion team can do that.")
            return
        match = re.match(r"^\s*broadcast\s+(?:to\s+)?([a-z]+)\s*:?\s*(.*)$", text, re.IGNORECASE | re.DOTALL)
        category = match.group(1).lower() if match else ""
        # The card shows the draft as it will be stored and sent: redacted here, and again on Send.
        body = self._broadcasts.draft(match.group(2)) if match else ""
        if category not in CATEGORIES or not body:
            await turn_context.send_activity(
                f"Type: broadcast <category> <message>, where the category is one of {', '.join(CATEGORIES)}. "
                "For example: broadcast forum The Term 5 forum is confirmed for 21 and 22 May."
            )
            return
        count = await self._subscriptions.subscriber_count(category)
        if not count:
            # A "Send this to 0 subscribers?" card, then "Queued for 0", read as sent.
            await turn_context.send_activity(
                f"Nobody I can reach in Teams has {_label(category)} reminders turned on, so there's no one to send "
                "it to. Nothing was queued.")
            return
        await turn_context.send_activity(card(
            "reminder_broadcast_confirm",
            category=category,
            category_label=_label(category),
            text=body,
            subscribers=count,
            # Pressing "Send" twice (or Teams redelivering the press) queues one broadcast, not two.
            key=uuid.uuid4().hex,
        ))

    async def _on_broadcast_send(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = self._asker(turn_context)
        if not asker.is_staff:
            await turn_context.send_activity("Sorry, only the inclusion team can do that.")
            return
        category, text, key = data.get("category"), data.get("text"), data.get("key")
        if category not in CATEGORIES or not isinstance(text, str) or not text.strip() or not isinstance(key, str):
            await turn_context.send_activity("Sorry, that broadcast card is incomplete. Please type it again.")
            return
        result = await self._broadcasts.broadcast(
            category=category, text=text, created_by=asker.aad_object_id or asker.user_id, key=key[:64])
        if not result.queued:
            await turn_context.send_activity("That broadcast is already on its way; I haven't queued it again.")
            return
        if not result.subscribers:
            await turn_context.send_activity(
                f"Queued, but nobody I can reach in Teams has {_label(category)} reminders turned on any more, so "
                "nobody has been sent it.")
            return
        minutes = max(1, round(result.subscribers / self._rate / 60))
        await turn_context.send_activity(
            f"Queued for {result.subscribers} {_label(category)} subscriber"
            f"{'' if result.subscribers == 1 else 's'}. At Teams' pace it takes about {minutes} minute"
            f"{'' if minutes == 1 else 's'} to reach everyone."
        )

    async def _on_broadcast_cancel(self, turn_context: TurnContext, dc, data: dict) -> None:
        await turn_context.send_activity("OK, I haven't sent it.")
