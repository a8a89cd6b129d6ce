"""Staff correct live content in Teams: an FAQ entry, an event, a deadline or a forum.

"correct event induction" (or "edit faq npq", "correct deadline", "correct forum term5") finds the
item, shows its fields in a card with a required reason, and Save correction writes it through the
shared content store with who and why. An FAQ entry can also be withdrawn from the same card. Only
staff get the command routed, and every button checks again here: a forwarded card or a hand-made
submit from anyone else changes nothing.
"""
from __future__ import annotations

import re
from typing import Optional

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.dialogs import DialogSet

from bot.cards import render_card
from bot.content.editing import CORRECTABLE, LABELS, MULTILINE, ContentEditor, EditError, title_of
from bot.router import CardAction, Intent, Router
from bot.turn import Asker, acted_by, staff_asker

KIND_WORDS = {"faq": "faq", "faq entry": "faq", "answer": "faq", "event": "event", "webinar": "event",
              "forum": "forum", "deadline": "deadline"}
CORRECT_PATTERNS = (r"^(correct|edit)( an?| the)? (?P<kind>faq entry|faq|event|webinar|forum|deadline)"
                    r"(\s+(?P<words>.+))?$",)
KIND_NAMES = {"faq": "FAQ entry", "event": "Event", "deadline": "Deadline", "forum": "Forum"}


def correction_card(item, values: dict, *, save_action: str = "content.correct", withdraw: Optional[str] = None,
                    withdraw_action: str = "content.withdraw", subline: str = "") -> dict:
    fields = [{"name": name, "type": kind, "label": LABELS.get(name, name), "value": values.get(name, ""),
               "multiline": name in MULTILINE} for name, kind in CORRECTABLE[item.kind].items()]
    return render_card("content_correct", heading=f"Correct {KIND_NAMES[item.kind].lower()}: {title_of(item)}",
                       subline=subline or f"id {item.key} · last changed by {item.updated_by}",
                       fields=fields, kind=item.kind, key=item.key, revision=item.revision,
                       save_action=save_action, withdraw=withdraw, withdraw_action=withdraw_action)


def changed_fields(kind: str, values: dict, data: dict) -> dict:
    """The card's inputs that differ from what it showed (Teams sends every input, changed or not)."""
    changes = {}
    for name in CORRECTABLE[kind]:
        key = f"f_{name}"
        if key in data:
            value = data[key] if isinstance(data[key], str) else ""
            if value.strip() != (values.get(name) or "").strip():
                changes[name] = value
    return changes


class ContentEditFeature:
    def __init__(self, editor: ContentEditor, *, staff_ids: frozenset[str], corrections=None):
        self._editor = editor
        self._staff_ids = staff_ids
        # bot.content.corrections.FaqCorrections: withdrawing an FAQ answer tells the people it was sent to.
        self._corrections = corrections

    def install(self, router: Router, dialogs: DialogSet) -> None:
        router.add_intent(Intent("content.correct", self._on_correct, patterns=CORRECT_PATTERNS,
                                 command="correct event", description="correct an FAQ entry, event, forum or "
                                 "deadline that is live (staff)", staff_only=True))
        router.add_intent(Intent("content.correct.refuse", self._on_refused, patterns=CORRECT_PATTERNS))
        router.add_action(CardAction("content.open", self._on_open, staff_only=True))
        router.add_action(CardAction("content.correct", self._on_save, staff_only=True))
        router.add_action(CardAction("content.withdraw", self._on_withdraw, staff_only=True))

    async def _staff(self, turn_context: TurnContext) -> Optional[Asker]:
        return await staff_asker(turn_context, self._staff_ids, "a content correction")

    async def _on_refused(self, turn_context: TurnContext, dc, text: str) -> None:
        await turn_context.send_activity("Correcting content is for the inclusion team. If you have a question, "
                                         "just ask it here.")

    async def _on_correct(self, turn_context: TurnContext, dc, text: str) -> None:
        asker = await self._staff(turn_context)
        if asker is None:
            return
        match = re.match(CORRECT_PATTERNS[0], text.strip(), re.IGNORECASE)
        kind = KIND_WORDS[match.group("kind").lower()] if match else "faq"
        words = (match.group("words") or "") if match else ""
        found = await self._editor.find(kind, words, by=acted_by(asker))
        if not found:
            await turn_context.send_activity(f"No {KIND_NAMES[kind].lower()} matches \"{words}\".")
            return
        if len(found) == 1:
            await self._show(turn_context, kind, found[0].key)
            return
        choices = [{"title": f"{f.title} ({f.key})"[:120], "value": f.key} for f in found]
        card = render_card("content_pick", heading=f"{len(found)} {KIND_NAMES[kind].lower()}s match. Choose one "
                           "to correct.", choices=choices, kind=kind)
        await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    async def _show(self, turn_context: TurnContext, kind: str, key: str, text: str = "") -> None:
        try:
            item = await self._editor.item(kind, key)
        except EditError as exc:
            await turn_context.send_activity(str(exc))
            return
        card = correction_card(item, self._editor.values(item), withdraw="Withdraw" if kind == "faq" else None)
        await turn_context.send_activity(MessageFactory.attachment(
            CardFactory.adaptive_card(card),
            text=text or "Change what is wrong, say why, and press Save correction. It is answered at once."))

    async def _on_open(self, turn_context: TurnContext, dc, data: dict) -> None:
        if await self._staff(turn_context) is None:
            return
        kind, key = _text(data, "kind"), _text(data, "key")
        if kind not in CORRECTABLE or not key:
            await turn_context.send_activity("Choose one first, then press Open.")
            return
        await self._show(turn_context, kind, key)

    async def _on_save(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = await self._staff(turn_context)
        if asker is None:
            return
        kind, key = _text(data, "kind"), _text(data, "key")
        try:
            item = await self._editor.item(kind, key)
            changes = changed_fields(kind, self._editor.values(item), data)
            made = await self._editor.correct(kind, key, changes, by=acted_by(asker), why=_text(data, "why"),
                                              revision=data.get("revision") if isinstance(data.get("revision"),
                                                                                          int) else None)
        except EditError as exc:
            await turn_context.send_activity(str(exc))
            return
        await turn_context.send_activity(
            f"Corrected {KIND_NAMES[kind].lower()} {key} ({', '.join(changes)}); change {made.id}, kept in the "
            "history with your name and reason. It is answered at once.")

    async def _on_withdraw(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = await self._staff(turn_context)
        if asker is None:
            return
        kind, key, why = _text(data, "kind"), _text(data, "key"), _text(data, "why")
        if kind != "faq" or self._corrections is None:
            await turn_context.send_activity("Only an FAQ answer can be withdrawn here.")
            return
        if not why:
            await turn_context.send_activity("Say why it is withdrawn (the people it was sent to are told).")
            return
        from bot.content.store import ContentError

        try:
            done = await self._corrections.withdraw(key, by=acted_by(asker), why=self._editor.redact(why))
        except ContentError as exc:
            await turn_context.send_activity(str(exc))
            return
        await self._editor.refreshed()
        await turn_context.send_activity(f"Withdrawn: \"{done.question}\" is no longer answered (change "
                                         f"{done.change}). {done.told} person(s) it was sent to will be told.")


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""
