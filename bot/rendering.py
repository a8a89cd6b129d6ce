"""The one jinja2 environment for every template (cards, emails, web pages, documents).

The host's own templates live in bot/templates; each feature keeps its templates beside its code in
bot/<feature>/templates. One search path over all of them keeps template names (``cards/booking_confirm.json.j2``)
the same wherever the file lives.

HTML templates (``*.html.j2``) are autoescaped, so user text can never inject markup; JSON card templates pass
every value through ``tojson``; text and Markdown templates are rendered as written.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape


_BOT = Path(__file__).resolve().parent


def template_folders() -> list[str]:
    return [str(_BOT / "templates")] + sorted(str(p) for p in _BOT.glob("*/templates") if p.is_dir())


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(template_folders()),
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default_for_string=False,
                                     default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["inert"] = inert
    env.filters["inert_facts"] = lambda facts: [
        {k: (inert(v) if k == "value" and f.get("typed") else v) for k, v in f.items() if k != "typed"}
        for f in facts or []]
    return env


# Adaptive Card text is Markdown: a user's "[click here](http://…)" would be a live link in a staff card.
_MARKUP = re.compile(r"([\\`*_\[\]()<>~#|])")
_LINE_MARKER = re.compile(r"(?m)^(\s*)([-+>]|\d+\.)(?=\s)")
_URL = re.compile(r"(?i)(:)(//)|\b(www)(\.)")


def inert(value) -> str:
    """User text that a card shows exactly as typed: Markdown and HTML characters escaped, list markers
    at a line start escaped, and web addresses broken with a zero-width space so no client links them."""
    if value is None:
        return ""
    text = _MARKUP.sub(r"\\\1", str(value))
    text = _LINE_MARKER.sub(lambda m: m.group(1) + (m.group(2)[:-1] + "\\." if m.group(2).endswith(".")
                                                    else "\\" + m.group(2)), text)
    return _URL.sub(lambda m: (m.group(1) or m.group(3)) + "\u200b" + (m.group(2) or m.group(4)), text)


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
