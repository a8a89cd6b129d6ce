"""Staff teach the answerer in Teams: "close calls" shows questions it declined although it ranked an entry
close, each with one button per likely entry ("Yes, it's: …"). One press records the question as that entry
in the training data ``sencobot kb train`` reads (the same service as ``sencobot kb confirm``); the live answers
change only after the next model build. Only staff get the command routed, and the button checks again here.
"""
from __future__ import annotations

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.dialogs import DialogSet

from bot.cards import render_card
from bot.faq.feedback import FeedbackError, KbFeedback, close_call_lines
from bot.router import CardAction, Intent, Router
from bot.turn import acted_by, staff_asker

FEEDBACK_PATTERNS = (r"^(show |the )*(close calls?|near misses|declined questions|kb feedback|teach( the)? answerer)$",)


class FaqFeedbackFeature:
    def __init__(self, feedback: KbFeedback, *, staff_ids: frozenset[str]):
        self._feedback = feedback
        self._staff_ids = staff_ids

    def install(self, router: Router, dialogs: DialogSet) -> None:
        router.add_intent(Intent("faq.close_calls", self._on_close_calls, patterns=FEEDBACK_PATTERNS,
                                 command="close calls", description="questions the answerer declined but ranked "
                                 "close to an entry: confirm the entry in one click (staff)", staff_only=True))
        router.add_intent(Intent("faq.close_calls.refuse", self._on_refused, patterns=FEEDBACK_PATTERNS))
        router.add_action(CardAction("faq.confirm", self._on_confirm, staff_only=True))

    async def _on_refused(self, turn_context: TurnContext, dc, text: str) -> None:
        await turn_context.send_activity("That is for the inclusion team. If you have a question, just ask it here.")

    async def _on_close_calls(self, turn_context: TurnContext, dc, text: str) -> None:
        if await staff_asker(turn_context, self._staff_ids, "the close-calls card") is None:
            return
        calls = await self._feedback.close_calls()
        if not calls:
            await turn_context.send_activity("No close calls: no declined question is ranked close to an entry "
                                             "(or each has been confirmed already).")
            return
        card = render_card("faq_close_calls", calls=close_call_lines(calls))
        await turn_context.send_activity(MessageFactory.attachment(
            CardFactory.adaptive_card(card),
            text=f"{len(calls)} declined question{'s' if len(calls) != 1 else ''} the answerer ranked close to an "
                 "entry, newest first. Press the entry a question means; it becomes training data for the next "
                 "model build (`sencobot kb train`)."))

    async def _on_confirm(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = await staff_asker(turn_context, self._staff_ids, "a close-call confirmation")
        if asker is None:
            return
        # The question is read from the inbox by its id, never taken from the card: a forged or stale button
        # cannot put other words into the training data.
        question = await self._feedback.question_of(data.get("query_id"))
        faq_id = data.get("faq_id")
        if question is None or not isinstance(faq_id, str):
            await turn_context.send_activity("Sorry, I can't find that question any more. Say \"close calls\" "
                                             "to see the current list.")
            return
        try:
            done = self._feedback.confirm(question, faq_id, by=acted_by(asker))
        except FeedbackError as exc:
            await turn_context.send_activity(str(exc))
            return
        if not done.recorded:
            await turn_context.send_activity(f"Already recorded: \"{done.question}\" is \"{done.entry_question}\" "
                                             f"({done.faq_id}).")
            return
        await turn_context.send_activity(
            f"Recorded: \"{done.question}\" is \"{done.entry_question}\" ({done.faq_id}). It joins the training "
            "data for the next model build (`sencobot kb train`).")
