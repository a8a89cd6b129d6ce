"""Questions for the knowledge base: the router's fallback, and the answer card's buttons."""
from __future__ import annotations

import logging
from typing import Optional

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.dialogs import DialogSet

from bot.cards import render_card
from bot.router import CardAction, Router
from bot.faq.service import FaqService
from bot.faq.queries import QueryRecorder
from bot.turn import Asker, asker_of
from knowledge.models import AnswerResult

log = logging.getLogger(__name__)


class FaqFeature:
    def __init__(
        self,
        faq: FaqService,
        recorder: Optional[QueryRecorder],
        *,
        team_name: str,
        team_mailbox: str,
        staff_ids: frozenset[str] = frozenset(),
    ):
        self._faq = faq
        self._recorder = recorder
        self._team_name = team_name
        self._team_mailbox = team_mailbox
        self._staff_ids = staff_ids

    def install(self, router: Router, dialogs: DialogSet) -> None:
        router.add_action(CardAction("faq.show", self._on_show))
        router.add_action(CardAction("faq.feedback", self._on_feedback))
        router.add_action(CardAction("faq.escalate", self._on_escalate))

    async def answer_question(self, turn_context: TurnContext, asker: Asker, text: str) -> None:
        result = await self._faq.ask_off_loop(text)
        query_id = None
        if self._recorder is not None:
            query_id = await self._recorder.record(
                channel=_channel_name(asker.channel_id),
                asker_id=asker.user_id,
                asker_name=asker.name,
                text=text,
                result=result,
            )
        log.info("faq outcome=%s faq_id=%s confidence=%.2f", result.outcome,
                 result.entry.id if result.entry else None, result.confidence)
        await turn_context.send_activity(self._render(result, query_id))

    def _render(self, result: AnswerResult, query_id: Optional[str]):
        if result.outcome == "answer":
            card = render_card(
                "answer",
                answer=result.answer_text,
                source=result.source_line,
                related=[{"faq_id": s.faq_id, "question": s.question} for s in result.related],
                query_id=query_id,
            )
        elif result.outcome == "suggest" and result.suggestions:
            card = render_card(
                "suggest",
                suggestions=[{"faq_id": s.faq_id, "question": s.question} for s in result.suggestions],
                query_id=query_id,
            )
        else:
            card = render_card("decline", team_name=self._team_name.lower(), team_mailbox=self._team_mailbox)
        return MessageFactory.attachment(CardFactory.adaptive_card(card))

    async def _on_show(self, turn_context: TurnContext, dc, data: dict) -> None:
        faq_id = data.get("faq_id")
        result = self._faq.show(faq_id) if isinstance(faq_id, str) else None
        if result is None:
            await turn_context.send_activity("Sorry, I can't find that question any more. Please ask it again.")
            return
        await turn_context.send_activity(self._render(result, None))

    async def _on_feedback(self, turn_context: TurnContext, dc, data: dict) -> None:
        query_id, helpful = data.get("query_id"), data.get("helpful")
        asker = asker_of(turn_context, self._staff_ids)
        if not isinstance(query_id, str) or not isinstance(helpful, bool) or self._recorder is None:
            await turn_context.send_activity("Sorry, I couldn't record that.")
            return
        stored = await self._recorder.feedback(query_id=query_id, asker_id=asker.user_id, helpful=helpful)
        if not stored:
            await turn_context.send_activity("Sorry, I couldn't record that.")
        elif helpful:
            await turn_context.send_activity("Thanks for letting me know.")
        else:
            await turn_context.send_activity(
                "Thanks. If you'd like a person to look at it, press \"Ask the inclusion team\"."
            )

    async def _on_escalate(self, turn_context: TurnContext, dc, data: dict) -> None:
        query_id = data.get("query_id")
        asker = asker_of(turn_context, self._staff_ids)
        if not isinstance(query_id, str) or self._recorder is None:
            await turn_context.send_activity("Sorry, I couldn't pass that on. Please email "
                                             f"{self._team_mailbox}.")
            return
        if await self._recorder.escalate(query_id=query_id, asker_id=asker.user_id):
            await turn_context.send_activity(
                f"I've passed your question to the {self._team_name.lower()}. You'll hear back here."
            )
        else:
            await turn_context.send_activity("Sorry, I couldn't find that question. Please ask it again.")


def _channel_name(channel_id: str) -> str:
    return {"msteams": "teams", "console": "console", "email": "email"}.get(channel_id, channel_id or "teams")
