"""User text is inert in every card: staff see "[click here](http://…)" as typed, never as a link."""
from __future__ import annotations

import json
import re

from bot.cards import card_nodes, card_to_text, render_card

HOSTILE = "[click here](http://evil.example/login) **urgent** <a href='x'>y</a> www.evil.example\n- one\n2. two"
# A Markdown link, emphasis, an HTML tag, a bare address or a list marker that a client would act on.
LIVE = [re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\("), re.compile(r"(?<!\\)\*\*"), re.compile(r"(?<!\\)<a\b"),
        re.compile(r"https?://"), re.compile(r"\bwww\."), re.compile(r"(?m)^- "), re.compile(r"(?m)^\d+\. ")]


def texts(card: dict) -> list[str]:
    found = []
    for node in card_nodes(card, parts=tuple(card)):
        if node.get("type") == "TextBlock":
            found.append(node["text"])
        if node.get("type") == "FactSet":
            found.extend(str(fact["value"]) for fact in node["facts"])
    return found


def assert_inert(card: dict) -> None:
    shown = [text for text in texts(card) if "evil" in text]
    assert shown, json.dumps(card)
    for text in shown:
        for pattern in LIVE:
            assert not pattern.search(text), (pattern.pattern, text)


def test_a_question_in_the_staff_inbox_card_is_shown_as_typed():
    card = render_card("inbox_cluster", cluster={"id": 1, "question": HOSTILE, "status": "open"},
                       asked_line="Asked once.", status_line="", wordings=[HOSTILE], faq_question="", answer="",
                       default_topic="", topics=[], merge_targets=[])
    assert_inert(card)
    # The console (and a reader) still sees every character the user typed.
    assert "[click here](http://evil.example/login)" in card_to_text(card)


def test_what_a_person_typed_in_a_booking_is_inert_and_the_bot_s_own_facts_are_untouched():
    facts = [{"title": "Event", "value": "Induction (online)"},
             {"title": "School", "value": HOSTILE, "typed": True}]
    card = render_card("booking_confirm", full=False, title="Induction", facts=facts, places="3 places left", event_id="e1")
    [fact_set] = [node for node in card["body"] if node["type"] == "FactSet"]
    assert fact_set["facts"][0] == {"title": "Event", "value": "Induction (online)"}
    assert_inert(card)


def test_a_tribunal_case_reference_is_inert():
    assert_inert(render_card("reminder_tribunal", reference=HOSTILE, title="Deadline", when="tomorrow",
                             when_said="1 Dec", what_to_do="x", quote="q", source="s"))
