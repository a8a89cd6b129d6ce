"""A console channel over the same handler that serves Teams.

``InProcessAdapter`` runs turns without HTTP; ``Conversation`` is one user talking
to the assistant through it (the terminal ``sencobot chat`` and the transcript
tests both use it). Adaptive Cards are shown as text with numbered choices, and
typing a number presses that button.
"""
from __future__ import annotations

import itertools
import re
import sys
import uuid
from dataclasses import dataclass
from typing import Awaitable, Callable, List, Optional

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    ResourceResponse,
)

from bot.cards import ADAPTIVE_CARD, card_choices, card_nodes, card_to_text

CONSOLE_SERVICE_URL = "http://console.local/"


class InProcessAdapter(BotAdapter):
    def __init__(self, on_send: Optional[Callable[[Activity], None]] = None):
        super().__init__()
        self._on_send = on_send
        self._ids = itertools.count(1)

    async def send_activities(self, context: TurnContext, activities: List[Activity]) -> List[ResourceResponse]:
        responses = []
        for activity in activities:
            if activity.type == "delay" or activity.type == ActivityTypes.invoke_response:
                responses.append(ResourceResponse(id=""))
                continue
            if self._on_send:
                self._on_send(activity)
            responses.append(ResourceResponse(id=str(next(self._ids))))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity):
        if self._on_send:
            self._on_send(activity)

    async def delete_activity(self, context: TurnContext, reference: ConversationReference):
        return None

    async def process(self, activity: Activity, logic: Callable[[TurnContext], Awaitable]) -> None:
        context = TurnContext(self, activity)
        await self.run_pipeline(context, logic)

    async def continue_conversation(self, reference, callback, bot_id=None, claims_identity=None, audience=None):
        event = Activity(type=ActivityTypes.event, name="ContinueConversation")
        context = TurnContext(self, TurnContext.apply_conversation_reference(event, reference, is_incoming=True))
        return await self.run_pipeline(context, callback)


@dataclass
class Reply:
    """What the user saw: plain text, or a card rendered as text with its buttons."""

    text: str
    card: Optional[dict] = None

    @property
    def choices(self) -> list[tuple[str, dict]]:
        return card_choices(self.card) if self.card else []

    def __contains__(self, fragment: str) -> bool:
        return fragment.lower() in self.text.lower()


class Conversation:
    """One user in a 1:1 chat with the assistant."""

    def __init__(self, bot, *, user_id: str = "console-user", name: str = "Console User",
                 aad_object_id: str = "", tenant_id: str = "", channel_id: str = "console",
                 conversation_id: Optional[str] = None):
        self._bot = bot
        self.replies: list[Reply] = []
        self._adapter = InProcessAdapter(self._collect)
        self.user = ChannelAccount(id=user_id, name=name, aad_object_id=aad_object_id or None)
        self.bot_account = ChannelAccount(id="sencobot", name="SENCO Forum Assistant")
        self.conversation = ConversationAccount(id=conversation_id or f"{channel_id}-{user_id}",
                                                conversation_type="personal", tenant_id=tenant_id or None)
        self.channel_id = channel_id
        self.tenant_id = tenant_id
        self._last_card: Optional[dict] = None
        # The cards of the last message with cards: "card N" makes one of them the card typed into.
        self._cards: list[dict] = []
        # Values typed for the last card's inputs ("answer: …"): a terminal cannot fill a card's fields.
        self._typed: dict[str, str] = {}

    def _collect(self, activity: Activity) -> None:
        # Teams shows a message's text above its cards; so does the console.
        if activity.text and activity.attachments:
            self.replies.append(Reply(activity.text))
        shown = [a.content for a in activity.attachments or []
                 if a.content_type == ADAPTIVE_CARD and isinstance(a.content, dict)]
        if shown:
            self._cards = shown
        for number, card in enumerate(shown, start=1):
            self._last_card = card
            self._typed = {}
            # Several cards in one message (the inbox's groups): a terminal types into one card at a
            # time, the last unless the user picks another with "card N".
            heading = f"[card {number} of {len(shown)}: type  card {number}  to work on it]\n" if len(shown) > 1 else ""
            self.replies.append(Reply(heading + card_to_text(card), card))
        if activity.text and not activity.attachments:
            self.replies.append(Reply(activity.text))

    def _activity(self, **fields) -> Activity:
        channel_data = {"tenant": {"id": self.tenant_id}} if self.tenant_id else None
        return Activity(
            id=str(uuid.uuid4()),
            channel_id=self.channel_id,
            service_url=CONSOLE_SERVICE_URL,
            from_property=self.user,
            recipient=self.bot_account,
            conversation=self.conversation,
            channel_data=channel_data,
            **fields,
        )

    async def _send(self, activity: Activity) -> list[Reply]:
        start = len(self.replies)
        await self._adapter.process(activity, self._bot.on_turn)
        return self.replies[start:]

    async def joins(self) -> list[Reply]:
        return await self._send(self._activity(type=ActivityTypes.conversation_update,
                                               members_added=[self.user]))

    async def says(self, text: str) -> list[Reply]:
        """Text, a number that presses the matching button of the last card, or "field: value" to fill
        one of the last card's inputs before pressing (sent with the button, as Teams sends its inputs)."""
        stripped = text.strip()
        if stripped.isdigit() and self._last_card:
            choices = card_choices(self._last_card)
            index = int(stripped) - 1
            if 0 <= index < len(choices):
                data = dict(choices[index][1])
                if self._typed and not _sends_no_inputs(self._last_card, data):
                    data = {**self._typed, **data}
                self._typed = {}
                return await self.presses(data)
        picked = re.fullmatch(r"(?i)card\s+(\d+)", stripped)
        if picked and self._cards:
            index = int(picked.group(1)) - 1
            if not 0 <= index < len(self._cards):
                return [Reply(f"(there are {len(self._cards)} cards; type  card 1  to  card {len(self._cards)})")]
            self._last_card = self._cards[index]
            self._typed = {}
            reply = Reply(f"(card {index + 1} chosen)\n" + card_to_text(self._last_card), self._last_card)
            self.replies.append(reply)
            return [reply]
        filled = self._fill(stripped)
        if filled is not None:
            return [filled]
        return await self._send(self._activity(type=ActivityTypes.message, text=text))

    def _fill(self, text: str) -> Optional[Reply]:
        match = re.match(r"^([A-Za-z][\w .-]{0,40}?)\s*:\s*(.+)$", text, re.DOTALL)
        if not match or not self._last_card:
            return None
        wanted = match.group(1).strip().lower()
        for input_id, label in card_inputs(self._last_card):
            names = {input_id.lower(), input_id.lower().removeprefix("f_"), (label or "").lower()}
            if wanted in names or (label and label.lower().startswith(wanted + " ")):
                self._typed[input_id] = match.group(2).strip()
                return Reply(f"({input_id.removeprefix('f_')} set; press a button's number to send it)")
        return None

    async def presses(self, data: dict) -> list[Reply]:
        """An Adaptive Card Action.Submit: Teams sends a message whose value is the button's data."""
        return await self._send(self._activity(type=ActivityTypes.message, text="", value=dict(data)))

    async def button(self, title: str) -> list[Reply]:
        """Presses the button with this title on the most recent card that has it."""
        for reply in reversed(self.replies):
            for choice_title, data in reply.choices:
                if choice_title.lower() == title.lower():
                    return await self.presses(data)
        raise AssertionError(f"no button titled {title!r}; last replies: {[r.text for r in self.replies[-3:]]}")


def card_inputs(card: dict) -> list[tuple[str, str]]:
    """(id, label) of every input of a card, in order."""
    return [(node["id"], node.get("label") or node.get("placeholder") or "") for node in card_nodes(card, ("body",))
            if str(node.get("type", "")).startswith("Input.") and node.get("id")]


def _sends_no_inputs(card: dict, data: dict) -> bool:
    stack = [card]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("data") == data and node.get("associatedInputs") == "none":
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


async def run_console(bot, *, stdin=sys.stdin, stdout=sys.stdout, user_id: str = "console-user",
                      name: str = "Console User") -> None:
    conversation = Conversation(bot, user_id=user_id, name=name)
    print("SENCO Forum Assistant (console). Type a question, a number to press a button, or Ctrl-D to leave.",
          file=stdout)
    for reply in await conversation.joins():
        print(reply.text, file=stdout)
    while True:
        stdout.write("> ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            print(file=stdout)
            return
        if not line.strip():
            continue
        for reply in await conversation.says(line.rstrip("\n")):
            print(reply.text, file=stdout)
            if reply.card and card_inputs(reply.card):
                fields = ", ".join(i.removeprefix("f_") for i, _ in card_inputs(reply.card))
                print(f"  (to fill in a field type  field: text  — fields: {fields}; then a button's number)",
                      file=stdout)
            print(file=stdout)
