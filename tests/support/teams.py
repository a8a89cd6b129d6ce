"""Reading the activities the bot sends to Teams, and speaking to it as a member of staff, over HTTP."""
from __future__ import annotations

import json

STAFF = {"id": "29:staff-clara", "name": "Clara Green", "aadObjectId": "aad-staff"}
STAFF_CHAT = {"conversationType": "personal", "tenantId": "3253a20d-c735-4bfe-a8b7-3e6ab37f5f90",
              "id": "a:1StaffChatWithClara"}


def as_staff(settings):
    """``settings`` with the member of staff below (Clara, by her AAD object id) on the inclusion team."""
    return settings.replace(**{"bot.staff_ids": [STAFF["aadObjectId"]]})


def cards(activity) -> list[dict]:
    """The Adaptive Cards attached to an activity."""
    return [a["content"] for a in activity.get("attachments") or []]


def text_of(activity) -> str:
    """Everything a reader could see in an activity: its text and its cards, so an assertion finds a phrase
    wherever the reply put it."""
    return " ".join([activity.get("text") or ""] + [json.dumps(c, ensure_ascii=False) for c in cards(activity)])


def inputs(card) -> dict:
    """A card's input fields as they were filled in when it was sent."""
    return {i["id"]: i.get("value", "") for i in card["body"] if str(i.get("type", "")).startswith("Input.")}


def button(card, title) -> dict:
    """The data a press of the action titled ``title`` would submit."""
    return next(a["data"] for a in card["actions"] if a["title"] == title)


async def staff_says(bot, text="", value=None) -> None:
    """Sends a message (or a card submission, ``value``) from the member of staff in their own chat."""
    changes = {"from": STAFF, "conversation": STAFF_CHAT}
    if value is not None:
        changes["value"] = value
    status, _ = await bot.say(text, **changes)
    assert status in (200, 201)
