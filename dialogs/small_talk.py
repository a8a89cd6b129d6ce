"""Small talk: greetings, thanks, goodbyes, "ok" and junk get a short friendly reply.

None of these asks anything, so none is answered from the knowledge base, logged in the FAQ
collation inbox or passed to the inclusion team. The router sends a message here when the
intent classifier reads it as one of these labels.
"""
from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.dialogs import DialogSet

from bot.router import Intent, Router

REPLIES = {
    "greeting": "Hello! Ask me anything the SENCO Forum covered, in your own words, or type \"help\" to see "
                "what else I can do: book events, reminders, tribunal dates and more.",
    "thanks": "You're welcome. Ask me anything else whenever you like.",
    "goodbye": "Bye for now. I'm here whenever you need me.",
    "acknowledgement": "OK. I'm here if you need anything else.",
    "junk": "I didn't catch a question there. Type your question in your own words, or \"help\" to see "
            "what I can do.",
}


class SmallTalkFeature:
    def install(self, router: Router, dialogs: DialogSet) -> None:
        for label, reply in REPLIES.items():
            router.add_intent(Intent(f"small_talk.{label}", self._replier(reply), labels=(label,)))

    @staticmethod
    def _replier(reply: str):
        async def start(turn_context: TurnContext, dc, text: str) -> None:
            await turn_context.send_activity(reply)

        return start
