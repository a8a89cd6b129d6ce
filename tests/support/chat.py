"""Talking to the assistant in-process over the handler Teams uses (bot.console.Conversation)."""
from __future__ import annotations

from bot.assistant import build_assistant
from bot.console import Conversation
from bot.core import build_core


def assistant_for(settings, clock, database):
    """The assistant built as the app builds it, on ``database`` and ``clock``."""
    return build_assistant(build_core(settings, clock=clock, database=database))


def teams_user(assistant, user_id: str, *, name: str = "Sam Senco", aad_object_id: str = "") -> Conversation:
    """A user in a one-to-one Teams chat with ``assistant``."""
    return Conversation(assistant.bot, user_id=user_id, name=name, aad_object_id=aad_object_id,
                        channel_id="msteams")


async def says_in_turn(user: Conversation, *messages: str):
    """Says each message in turn, as a user answering the questions of a dialog; returns the replies to the
    last one."""
    replies = []
    for message in messages:
        replies = await user.says(message)
    return replies


def texts(replies) -> str:
    """The text of every reply, a line each."""
    return "\n".join(r.text for r in replies)


async def says_and_hears(user: Conversation, said: str, expected: str):
    """Says ``said`` and checks that the last reply contains ``expected`` (a dialog's next question, or its
    refusal); returns the replies."""
    replies = await user.says(said)
    assert expected in replies[-1].text, replies[-1].text
    return replies
