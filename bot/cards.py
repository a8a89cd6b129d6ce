"""Adaptive Cards rendered from jinja2 templates, and the same cards as plain text for the console.

Templates live in bot/templates/cards and bot/<feature>/templates/cards (*.json.j2); every interpolated value goes through
``tojson`` so user text can never break the JSON.
"""
from __future__ import annotations

import json
import re

from bot.rendering import environment as _environment

# A terminal shows no Markdown, so user text escaped for cards (bot.rendering.inert) is shown plain.
_ESCAPED = re.compile(r"\\([\\`*_\[\]()<>~#|.+\-])")


def plain(text) -> str:
    return _ESCAPED.sub(r"\1", str(text)).replace("\u200b", "")

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"




def render_card(name: str, **context) -> dict:
    text = _environment().get_template(f"cards/{name}.json.j2").render(**context)
    return json.loads(text)


def card_nodes(card: dict, parts: tuple[str, ...] = ("body", "actions")):
    """Every element of a card's ``parts``, depth first, in order."""

    def visit(node):
        if isinstance(node, dict):
            yield node
            for value in node.values():
                yield from visit(value)
        elif isinstance(node, list):
            for value in node:
                yield from visit(value)

    for part in parts:
        yield from visit(card.get(part, []))


def card_choices(card: dict) -> list[tuple[str, dict]]:
    """(title, data) of every submit button, in order: the console numbers them."""
    return [(node.get("title", "?"), node["data"]) for node in card_nodes(card)
            if node.get("type") in ("Action.Submit", "Action.Execute") and isinstance(node.get("data"), dict)]


def card_to_text(card: dict) -> str:
    """A readable rendering for terminals: text blocks, facts, links and numbered choices."""
    lines: list[str] = []

    def visit(node):
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        if kind == "TextBlock" and node.get("text"):
            lines.append(plain(node["text"]))
        elif kind == "FactSet":
            for fact in node.get("facts", []):
                lines.append(f"  {fact.get('title')}: {plain(fact.get('value'))}")
        elif kind in ("Input.Text", "Input.ChoiceSet", "Input.Number", "Input.Date", "Input.Time"):
            label = node.get("label") or node.get("placeholder") or node.get("id")
            lines.append(f"  [{label}]")
        for key in ("items", "columns", "body"):
            if key in node:
                visit(node[key])

    visit(card.get("body", []))
    for action in _walk_actions(card):
        if action.get("type") == "Action.OpenUrl":
            lines.append(f"  {action.get('title')}: {action.get('url')}")
    for number, (title, _data) in enumerate(card_choices(card), start=1):
        lines.append(f"  {number}. {title}")
    return "\n".join(lines)


def _walk_actions(card: dict):
    stack = [card]
    while stack:
        node = stack.pop(0)
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Action."):
                yield node
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(node)
