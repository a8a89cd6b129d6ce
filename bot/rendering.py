"""The one jinja2 environment for every template (cards, emails, web pages, documents).

The host's own templates live in bot/templates; each feature keeps its templates beside its code in
bot/<feature>/templates. One search path over all of them keeps template names (``cards/booking_confirm.json.j2``)
the same wherever the file lives.

HTML templates (``*.html.j2``) are autoescaped, so user text can never inject markup; JSON card templates pass
every value through ``tojson``; text and Markdown templates are rendered as written.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape


_BOT = Path(__file__).resolve().parent


def template_folders() -> list[str]:
    return [str(_BOT / "templates")] + sorted(str(p) for p in _BOT.glob("*/templates") if p.is_dir())


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(template_folders()),
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default_for_string=False,
                                     default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
