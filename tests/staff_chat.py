"""Talking to a served bot as a member of the inclusion team, and reading the cards it sends back.

Shared by the tests that walk staff through cards over HTTP (content corrections, published answers, deck
review, the next term's forum end to end)."""
from __future__ import annotations

import json

STAFF = {"id": "29:staff-clara", "name": "Clara Green", "aadObjectId": "aad-staff"}
STAFF_CHAT = {"conversationType": "personal", "tenantId": "3253a20d-c735-4bfe-a8b7-3e6ab37f5f90",
              "id": "a:1StaffChatWithClara"}


def cards(activity) -> list[dict]:
    return [a["content"] for a in activity.get("attachments") or []]


def text_of(activity) -> str:
    """The activity's text and its cards, as one string to search."""
    return " ".join([activity.get("text") or ""] + [json.dumps(c, ensure_ascii=False) for c in cards(activity)])


def inputs(card) -> dict:
    return {i["id"]: i.get("value", "") for i in card["body"] if str(i.get("type", "")).startswith("Input.")}


def button(card, title) -> dict:
    """The data a press of the button titled ``title`` sends."""
    return next(a["data"] for a in card["actions"] if a["title"] == title)


def choices(card, input_id) -> list[dict]:
    return next(i["choices"] for i in card["body"] if i.get("id") == input_id)


async def staff_says(bot, text="", value=None) -> None:
    changes = {"from": STAFF, "conversation": STAFF_CHAT}
    if value is not None:
        changes["value"] = value
    status, _ = await bot.say(text, **changes)
    assert status in (200, 201)
