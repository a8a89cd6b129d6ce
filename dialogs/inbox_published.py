"""Answers published from the inbox, corrected or unpublished in Teams.

"published answers" shows a card per published answer (newest first): its question and answer as
inputs, a required reason, Save correction and Unpublish. A correction is sent to the people the
answerer gave the old one; unpublishing stops it being answered and puts the group back in the inbox
as answered. Only staff get the command routed, and every button checks again here.
"""
from __future__ import annotations

from typing import Optional

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.dialogs import DialogSet

from bot.clock import british_datetime
from bot.inbox.views import InboxError
from bot.router import CardAction, Intent, Router
from bot.turn import Asker, acted_by, staff_asker
from dialogs.content_edit import changed_fields, correction_card

PUBLISHED_PATTERNS = (r"^(show )?(the )?(inbox )?published( inbox)?( answers)?$",)
CARDS_PER_MESSAGE = 10


class PublishedAnswersFeature:
    def __init__(self, publishing, *, staff_ids: frozenset[str]):
        self._publishing = publishing       # bot.inbox.publishing.Publisher
        self._staff_ids = staff_ids

    def install(self, router: Router, dialogs: DialogSet) -> None:
        router.add_intent(Intent("inbox.published", self._on_published, patterns=PUBLISHED_PATTERNS,
                                 command="published answers", description="answers published from the inbox, "
                                 "to correct or unpublish (staff)", staff_only=True))
        router.add_intent(Intent("inbox.published.refuse", self._on_refused, patterns=PUBLISHED_PATTERNS))
        router.add_action(CardAction("inbox.correct", self._on_correct, staff_only=True))
        router.add_action(CardAction("inbox.unpublish", self._on_unpublish, staff_only=True))

    async def _staff(self, turn_context: TurnContext) -> Optional[Asker]:
        return await staff_asker(turn_context, self._staff_ids, "a published-answer action")

    async def _on_refused(self, turn_context: TurnContext, dc, text: str) -> None:
        await turn_context.send_activity("That is for the inclusion team. If you have a question, just ask it here.")

    async def _on_published(self, turn_context: TurnContext, dc, text: str) -> None:
        if await self._staff(turn_context) is None:
            return
        entries = sorted(await self._publishing.published_entries(), key=lambda e: e.published_at, reverse=True)
        cards = []
        for entry in entries[:CARDS_PER_MESSAGE]:
            item = await self._publishing.stored(entry.faq_id)
            if item is None:
                continue
            values = {"question": item.doc["entry"].get("question", ""), "answer": item.doc["entry"].get("answer", "")}
            cards.append(CardFactory.adaptive_card(correction_card(
                item, values, save_action="inbox.correct", withdraw="Unpublish", withdraw_action="inbox.unpublish",
                subline=f"Published by {entry.published_by} on {british_datetime(entry.published_at)}; "
                        f"last changed by {item.updated_by}")))
        if not cards:
            await turn_context.send_activity("No answers from the inbox are published.")
            return
        more = len(entries) - CARDS_PER_MESSAGE
        text = (f"{len(entries)} published answer{'s' if len(entries) != 1 else ''} from the inbox, newest first."
                + (f" The {more} older ones: `sencobot inbox published`." if more > 0 else ""))
        await turn_context.send_activity(MessageFactory.list(cards, text=text))

    async def _on_correct(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = await self._staff(turn_context)
        if asker is None:
            return
        key = _text(data, "key")
        item = await self._publishing.stored(key)
        if item is None:
            await turn_context.send_activity("That answer is not published any more.")
            return
        if isinstance(data.get("revision"), int) and data["revision"] != item.revision:
            await turn_context.send_activity("That answer was changed by someone else since you opened it; say "
                                             "`published answers` to see it as it is now.")
            return
        values = {"question": item.doc["entry"].get("question", ""), "answer": item.doc["entry"].get("answer", "")}
        changes = changed_fields("faq", values, data)
        if not changes:
            await turn_context.send_activity("Nothing was changed.")
            return
        try:
            done = await self._publishing.correct(key, changes.get("answer") or values["answer"],
                                                  question=changes.get("question"), by=acted_by(asker),
                                                  why=_text(data, "why"))
        except InboxError as exc:
            await turn_context.send_activity(str(exc))
            return
        await turn_context.send_activity(f"Corrected \"{done.question}\" (change {done.change}). I answer the new "
                                         f"wording from now on; {done.told} person(s) given the old one will be told.")

    async def _on_unpublish(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = await self._staff(turn_context)
        if asker is None:
            return
        try:
            entry, done = await self._publishing.unpublish(_text(data, "key"), by=acted_by(asker),
                                                           why=_text(data, "why"))
        except InboxError as exc:
            await turn_context.send_activity(str(exc))
            return
        told = f" {done.told} person(s) it was sent to will be told." if done else ""
        await turn_context.send_activity(f"Unpublished \"{entry.question}\": I no longer answer it, and its group "
                                         f"is back in the inbox as answered.{told}")


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""
