"""Dated questions in Teams: answered from the live catalogues before the FAQ engine sees them."""
from __future__ import annotations

import logging
from typing import Optional

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.dialogs import DialogSet

from bot.cards import render_card
from bot.content.live import LiveService
from bot.router import Fallback
from bot.router import CardAction, Router
from bot.turn import Asker, asker_of
from knowledge.dated import KINDS
from knowledge.live import LiveAnswer
from knowledge.models import AnswerResult

log = logging.getLogger(__name__)


def live_card(answer: LiveAnswer) -> dict:
    return render_card(
        "live",
        text=answer.text,
        items=[{"title": i.title, "facts": list(i.facts), "actions": [a.as_dict() for a in i.actions]}
               for i in answer.items],
        actions=[a.as_dict() for a in answer.actions],
        note=answer.note,
    )


class LiveFeature:
    def __init__(self, live: LiveService, staff_ids: frozenset[str] = frozenset(), refresh=None, recorder=None):
        self._live = live
        # The FAQ collation inbox's query log: dated questions are real questions too (redacted there).
        self._recorder = recorder
        self._staff_ids = staff_ids
        # Brings this process's copy of the shared content up to date (one cheap version check).
        self._refresh = refresh

    def install(self, router: Router, dialogs: DialogSet) -> None:
        router.add_action(CardAction("live.ask", self._on_ask))

    def answering(self, fallback: Fallback) -> Fallback:
        """The fallback with dated questions answered first; anything else goes on to ``fallback``."""
        async def answer(turn_context: TurnContext, asker: Asker, text: str) -> None:
            if self._refresh is not None:
                await self._refresh()
            found: Optional[LiveAnswer] = await self._live.answer(text, asker.user_id)
            if found is None:
                await fallback(turn_context, asker, text)
                return
            log.info("live answer kind=%s refs=%d", found.kind, len(found.refs))
            if self._recorder is not None:
                await self._recorder.record(
                    channel={"msteams": "teams"}.get(asker.channel_id, asker.channel_id or "teams"),
                    asker_id=asker.user_id, asker_name=asker.name, text=text,
                    result=AnswerResult(question=text, outcome="answer", confidence=1.0,
                                        answer_text=found.plain()))
            await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(live_card(found))))

        return answer

    async def _on_ask(self, turn_context: TurnContext, dc, data: dict) -> None:
        kind = data.get("kind")
        if kind not in KINDS:
            await turn_context.send_activity("Sorry, I can't answer that button any more.")
            return
        asker = asker_of(turn_context, self._staff_ids)
        found = await self._live.answer_kind(kind, "", asker.user_id)
        if found is None:
            await turn_context.send_activity("I have nothing to show for that at the moment.")
            return
        await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(live_card(found))))
