"""The evaluation web form: ``GET /evaluate/{token}`` shows it, ``POST`` stores the answers.

The token is a signed link naming one participant (a random id, no personal data), so the page
shows that person's own answers and nobody else's. Plain HTML rendered by jinja2 with
autoescaping, no JavaScript, accessible markup (labels, fieldsets with legends, an error summary
linking to each problem). Forged or expired links, surveys not yet open and closed surveys each
get a page that says so. The results chart for staff is served from a short-lived signed link.
"""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from bot.rendering import environment as _environment

from bot.clock import british_date
from bot.evaluations.survey import MAX_TEXT_CHARS
from bot.evaluations.service import EvaluationService, LinkTarget, report_spec
from integrations.evaluation_report import render_chart, summarise

log = logging.getLogger(__name__)

# The token is in the address: keep it out of Referer headers, caches and frames.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}




def render_page(name: str, **context) -> str:
    return _environment().get_template(f"web/{name}.html.j2").render(**context)


class EvaluationWeb:
    def __init__(self, service: EvaluationService, *, team_name: str, team_mailbox: str):
        self._service = service
        self._team = {"team_name": team_name, "team_mailbox": team_mailbox}

    def routes(self) -> list[tuple[str, str, object]]:
        return [
            ("GET", "/evaluate/{token}", self.show),
            ("POST", "/evaluate/{token}", self.save),
            ("GET", "/evaluate/{token}/thanks", self.thanks),
            ("GET", "/evaluations/chart/{token}.png", self.chart),
        ]

    # -- pages -------------------------------------------------------------------------------

    def _html(self, name: str, status: int = 200, **context) -> web.Response:
        body = render_page(name, **self._team, **context)
        return web.Response(text=body, status=status, content_type="text/html", charset="utf-8",
                            headers=SECURITY_HEADERS)

    def _problem(self, status: int, title: str, *paragraphs: str) -> web.Response:
        return self._html("evaluation_problem", status, page_title=title, paragraphs=list(paragraphs))

    def _invalid_link(self) -> web.Response:
        return self._problem(
            404, "This evaluation link does not work",
            "The link may have been copied incompletely, or it has expired.",
            "Open the evaluation from the invitation email or Teams message again, or type \"evaluate\" to the "
            f"SENCO Forum Assistant in Teams. If it still does not work, email {self._team['team_mailbox']}.",
        )

    def _unavailable(self, target: LinkTarget, state: str) -> web.Response:
        window, forum = target.window, target.forum
        if state == "not_open":
            return self._problem(
                403, "This evaluation is not open yet",
                f"The evaluation of the {forum.display} opens after the forum, on {british_date(window.opens_at)}.",
            )
        return self._problem(
            410, "This evaluation has closed",
            f"The evaluation of the {forum.display} closed at the end of {british_date(window.last_day)}, so no "
            "more answers can be taken. Thank you for your interest.",
        )

    async def _target(self, request: web.Request) -> LinkTarget:
        return await self._service.resolve(request.match_info.get("token", ""))

    def _form(self, target: LinkTarget, *, values: dict, errors: dict, editing: bool, status: int = 200):
        anchors = {}
        for question in target.survey.questions:
            if question.kind in ("single", "rating", "multi") and question.choices:
                anchors[question.name] = f"{question.name}-{question.choices[0].value}"
        return self._html(
            "evaluation_form", status,
            page_title=f"Evaluation: {target.survey.title}",
            survey=target.survey,
            values=values,
            errors=errors,
            anchors=anchors,
            editing=editing,
            until=british_date(target.window.last_day),
            action="",
            max_chars=MAX_TEXT_CHARS,
        )

    # -- handlers ----------------------------------------------------------------------------

    async def show(self, request: web.Request) -> web.Response:
        target = await self._target(request)
        if target.status != "ok":
            return self._invalid_link()
        state = target.window.state(self._service.now())
        if state != "open":
            return self._unavailable(target, state)
        answers = await self._service.answers_of(target.forum.id, target.participant.respondent)
        values = _as_lists(answers.form_values()) if answers else {}
        return self._form(target, values=values, errors={}, editing=answers is not None)

    async def save(self, request: web.Request) -> web.Response:
        target = await self._target(request)
        if target.status != "ok":
            return self._invalid_link()
        form = await request.post()
        raw = {name: [v for v in form.getall(name) if isinstance(v, str)] for name in set(form.keys())}
        result = await self._service.submit(target.forum.id, target.participant.respondent, raw, channel="web")
        if result.status in ("closed", "not_open"):
            return self._unavailable(target, result.status)
        if result.status != "saved":
            if result.status == "unknown_forum":
                return self._invalid_link()
            # Show the form again with what they typed, so nothing is lost.
            known = {q.name for q in target.survey.questions}
            values = {name: value for name, value in raw.items() if name in known}
            errors = {name: message for name, message in result.errors.items()
                      if name in known or name == "form"}
            if any(n not in known and n != "form" for n in result.errors):
                errors["form"] = ("The form you sent answered questions this evaluation does not ask (such as an "
                                  "agenda item this forum did not have). Please use the form below.")
            existing = await self._service.answers_of(target.forum.id, target.participant.respondent)
            return self._form(target, values=values, errors=errors, editing=existing is not None, status=400)
        raise web.HTTPSeeOther(location=f"/evaluate/{request.match_info['token']}/thanks",
                               headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

    async def thanks(self, request: web.Request) -> web.Response:
        target = await self._target(request)
        if target.status != "ok":
            return self._invalid_link()
        return self._html(
            "evaluation_thanks",
            page_title="Thank you",
            forum_title=target.forum.display,
            edit_link=f"/evaluate/{request.match_info['token']}",
            until=british_date(target.window.last_day),
        )

    async def chart(self, request: web.Request) -> web.Response:
        forum = self._service.chart_forum(request.match_info.get("token", ""))
        if forum is None:
            return web.Response(status=404, text="This chart link is not valid or has expired.",
                                headers=SECURITY_HEADERS)
        results = await self._service.results(forum)
        summary = summarise(report_spec(results.survey), results.responses, results.asked)
        # Drawing takes a moment of CPU: keep it off the event loop.
        png = await asyncio.to_thread(render_chart, summary)
        return web.Response(body=png, content_type="image/png",
                            headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"})


def _as_lists(values: dict) -> dict[str, list[str]]:
    return {name: value if isinstance(value, list) else ([value] if value else []) for name, value in values.items()}
