"""The one jinja2 environment for every template under bot/templates (cards, emails, web pages, documents).

HTML templates (``*.html.j2``) are autoescaped, so user text can never inject markup; JSON card templates pass
every value through ``tojson``; text and Markdown templates are rendered as written.
"""
from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("bot", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default_for_string=False,
                                     default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
