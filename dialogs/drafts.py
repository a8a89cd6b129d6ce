"""Staff review of imported deck drafts in Teams.

"drafts" shows a card per draft waiting for review: what the deck said, what needs a check, the
editable fields as inputs, and Accept / Save edits / Reject. Changing a field and pressing Accept
saves the edit and accepts in one go. Only staff get the command routed, and every button checks
again here: a forwarded card or a hand-made submit from anyone else changes nothing.
"""
from __future__ import annotations

import logging
from typing import Optional

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.dialogs import DialogSet

from bot.cards import render_card
from bot.drafts.service import EDITABLE, DraftError, DraftService
from bot.router import CardAction, Intent, Router
from bot.turn import Asker, asker_of

log = logging.getLogger(__name__)

DRAFT_PATTERNS = (r"^(show |review )?(the )?(imported )?drafts$", r"^review (the )?(deck|import)$",
                  r"^(show |review )?(the )?(imported )?(?P<kind>faq|event|deadline|forum)s? drafts$",
                  r"^drafts (?P<kind2>faq|event|deadline|forum)s?$")
DRAFT_KINDS = ("forum", "event", "deadline", "faq")
STAFF_ONLY = "Sorry, only the inclusion team can do that."
NEW_PATTERNS = (r"^(new|add)( an?)? (?P<kind>faq|faq entry|event|webinar|deadline)$",)
NEW_KINDS = {"faq": "faq", "faq entry": "faq", "event": "event", "webinar": "event", "deadline": "deadline"}
CARDS_PER_MESSAGE = 10
LABELS = {
    "question": "Question", "answer": "Answer (the deck's sentences)", "title": "Title", "kind_of_event":
    "Kind (webinar or induction)", "day": "Day (e.g. 9 March 2027)", "start": "Starts (HH:MM)", "end": "Ends (HH:MM)",
    "venue": "Venue (empty if online)", "booking_url": "Joining or booking link", "description": "Description",
    "on": "Date (e.g. 12 February 2027)", "until": "Until (optional)", "detail": "Detail",
    "category": "Category (funding, tribunal, training, events, forum)", "display": "Shown as",
}
MULTILINE = {"answer", "description", "detail"}


class DraftsFeature:
    def __init__(self, drafts: DraftService, *, staff_ids: frozenset[str], forum: str = "term4-2025"):
        self._drafts = drafts
        self._staff_ids = staff_ids
        self._forum = forum

    def install(self, router: Router, dialogs: DialogSet) -> None:
        router.add_intent(Intent("drafts.show", self._on_drafts, patterns=DRAFT_PATTERNS, command="drafts",
                                 description="drafts imported from a forum deck, to accept, edit or reject (staff)",
                                 staff_only=True))
        router.add_intent(Intent("drafts.refuse", self._on_refused, patterns=DRAFT_PATTERNS))
        router.add_intent(Intent("drafts.new", self._on_new, patterns=NEW_PATTERNS, command="new faq entry",
                                 description="add an FAQ entry, event or deadline by hand, reviewed like a draft "
                                             "(staff)", staff_only=True))
        router.add_intent(Intent("drafts.new.refuse", self._on_refused, patterns=NEW_PATTERNS))
        router.add_action(CardAction("drafts.page", self._on_page, staff_only=True))
        router.add_action(CardAction("drafts.accept", self._on_accept, staff_only=True))
        router.add_action(CardAction("drafts.edit", self._on_edit, staff_only=True))
        router.add_action(CardAction("drafts.reject", self._on_reject, staff_only=True))

    async def _staff(self, turn_context: TurnContext) -> Optional[Asker]:
        asker = asker_of(turn_context, self._staff_ids)
        if not asker.is_staff:
            log.warning("non-staff user attempted a drafts action")
            await turn_context.send_activity(STAFF_ONLY)
            return None
        return asker

    @staticmethod
    def _by(asker: Asker) -> str:
        return asker.name or asker.aad_object_id or asker.user_id

    async def _on_refused(self, turn_context: TurnContext, dc, text: str) -> None:
        await turn_context.send_activity("Reviewing and adding content is for the inclusion team. If you have a "
                                         "question, just ask it here.")

    async def _on_drafts(self, turn_context: TurnContext, dc, text: str) -> None:
        import re

        kind = None
        for pattern in DRAFT_PATTERNS:
            match = re.match(pattern, text.strip(), re.IGNORECASE)
            if match:
                found = match.groupdict()
                kind = (found.get("kind") or found.get("kind2") or "").lower() or None
                break
        await self._show_page(turn_context, kind, 0)

    async def _on_page(self, turn_context: TurnContext, dc, data: dict) -> None:
        kind = data.get("kind") if data.get("kind") in DRAFT_KINDS else None
        start = data.get("start")
        await self._show_page(turn_context, kind, start if isinstance(start, int) and start >= 0 else 0)

    async def _show_page(self, turn_context: TurnContext, kind: Optional[str], start: int) -> None:
        if await self._staff(turn_context) is None:
            return
        pending = await self._drafts.pending(kind)
        what = f"{kind} drafts" if kind else "drafts"
        if not pending:
            await turn_context.send_activity(f"No {what} are waiting for review. Import a deck with "
                                             "`sencobot import deck FILE`.")
            return
        # Flagged drafts first: they are the ones that need a person.
        ordered = sorted(pending, key=lambda d: (not d.flags, DRAFT_KINDS.index(d.kind)))
        if start >= len(ordered):
            start = max(0, len(ordered) - CARDS_PER_MESSAGE)    # the queue shrank since the button was shown
        shown = ordered[start:start + CARDS_PER_MESSAGE]
        flagged = sum(1 for d in pending if d.flags)
        summary = (f"{len(pending)} {what} waiting for review ({flagged} flagged for a check).")
        if len(shown) < len(pending):
            summary += f" These are {start + 1} to {start + len(shown)}."
        cards = [CardFactory.adaptive_card(draft_card(d)) for d in shown]
        remaining = len(ordered) - (start + len(shown))
        if remaining > 0:
            following = min(remaining, CARDS_PER_MESSAGE)
            cards.append(CardFactory.adaptive_card({
                "type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "version": "1.5",
                "body": [{"type": "TextBlock", "wrap": True, "text": f"{remaining} more {what} waiting. Say "
                          "`faq drafts`, `event drafts`, `deadline drafts` or `forum drafts` for one kind."}],
                "actions": [{"type": "Action.Submit", "title": f"Show the next {following}",
                             "data": {"action": "drafts.page", "kind": kind, "start": start + len(shown)}}]}))
        await turn_context.send_activity(MessageFactory.list(cards, text=summary))

    async def _on_new(self, turn_context: TurnContext, dc, text: str) -> None:
        asker = await self._staff(turn_context)
        if asker is None:
            return
        import re

        match = re.match(NEW_PATTERNS[0], text.strip(), re.IGNORECASE)
        kind = NEW_KINDS[match.group("kind").lower()] if match else "faq"
        draft = await self._drafts.start_new(kind, by=self._by(asker), forum=self._forum)
        await turn_context.send_activity(MessageFactory.attachment(
            CardFactory.adaptive_card(draft_card(draft)),
            text=f"Fill in the new {kind} and press Accept; it goes live once the catalogue's checks pass."))

    async def _on_accept(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = await self._staff(turn_context)
        if asker is None:
            return
        try:
            draft = await self._drafts.get(_text(data, "draft_id"))
            decision = await self._drafts.accept(draft.id, by=self._by(asker), changes=_changes(draft, data))
        except DraftError as exc:
            await turn_context.send_activity(str(exc))
            return
        live = ("I answer it from now on." if decision.draft.kind == "faq"
                else "It is in the catalogue now.")
        await turn_context.send_activity(f"Accepted \"{decision.draft.title}\" ({decision.draft.kind} "
                                         f"{decision.published_as}). {live}")

    async def _on_edit(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = await self._staff(turn_context)
        if asker is None:
            return
        try:
            draft = await self._drafts.get(_text(data, "draft_id"))
            edited = await self._drafts.edit(draft.id, _changes(draft, data), by=self._by(asker))
        except DraftError as exc:
            await turn_context.send_activity(str(exc))
            return
        if edited.revision == draft.revision:
            await turn_context.send_activity("Nothing was changed.")
            return
        await turn_context.send_activity(MessageFactory.attachment(
            CardFactory.adaptive_card(draft_card(edited)), text="Saved. Here is the draft as it stands:"))

    async def _on_reject(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = await self._staff(turn_context)
        if asker is None:
            return
        try:
            decision = await self._drafts.reject(_text(data, "draft_id"), by=self._by(asker))
        except DraftError as exc:
            await turn_context.send_activity(str(exc))
            return
        await turn_context.send_activity(f"Rejected \"{decision.draft.title}\". It is kept for the record.")


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _changes(draft, data: dict) -> dict:
    """The card's inputs that differ from the draft (Teams sends every input, changed or not)."""
    changes = {}
    for name in EDITABLE.get(draft.kind, {}):
        key = f"f_{name}"
        if key not in data:
            continue
        value = data[key] if isinstance(data[key], str) else ""
        current = draft.data.get(name)
        current_text = "" if current is None else str(current)
        if EDITABLE[draft.kind][name] == "time":
            current_text = current_text[:5]
        if value.strip() != current_text.strip():
            changes[name] = value
    return changes


def draft_card(draft) -> dict:
    data = draft.data
    kinds = {"faq": "FAQ entry", "event": "Event", "deadline": "Deadline", "forum": "Forum"}
    source = data.get("source") or {}
    slides = source.get("slides") or []
    source_line = (f"From {source.get('session') or 'the deck'}"
                   + (f", {source.get('presenter')}" if source.get("presenter") else "")
                   + (f" (slide{'s' if len(slides) > 1 else ''} {', '.join(str(s) for s in slides)})" if slides else ""))
    facts = []
    if draft.kind == "deadline":
        facts.append({"title": "The deck says", "value": str(data.get("as_written"))})
    if draft.kind == "faq" and data.get("missing_glossary_terms"):
        facts.append({"title": "Not in the glossary", "value": ", ".join(data["missing_glossary_terms"])})
    if draft.kind == "forum":
        for session in data.get("sessions") or []:
            facts.append({"title": f"{session.get('item')}. {session.get('title')}",
                          "value": session.get("presenter") or "-"})
    fields = []
    for name, kind in EDITABLE.get(draft.kind, {}).items():
        value = data.get(name)
        text = "" if value is None else str(value)
        if kind == "time":
            text = text[:5]
        fields.append({"name": name, "type": kind, "label": LABELS.get(name, name), "value": text,
                       "multiline": name in MULTILINE})
    return render_card("draft_review", heading=f"{kinds[draft.kind]}: {draft.title}", source_line=source_line,
                       flags=list(draft.flags), facts=facts, fields=fields, draft_id=draft.id)
