"""Forum evaluations in Teams: "evaluate" opens the survey card, the card's button stores the
answers, and staff ask for "evaluation results" to see the summary with its chart.

Answers are keyed by the Teams user id, so everyone only ever sees their own; the results
intent is staff-only in the router and is checked again here.
"""
from __future__ import annotations

import logging
import re
from typing import Optional

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.dialogs import DialogSet

from bot.cards import render_card
from bot.clock import british_date
from bot.router import CardAction, Intent, Router
from bot.evaluations.messages import SUBMIT_ACTION, EvaluationMessages
from bot.evaluations.service import EvaluationService
from bot.turn import asker_of
from knowledge.forums import Forum

log = logging.getLogger(__name__)

OPEN_PATTERNS = (
    r"^(please )?(evaluate|evaluation)( the( senco)? forum)?[.!]?$",
    r"^(start|open|fill in|do|give|complete) (the |my )?(senco )?(forum )?(evaluation|feedback)( form)?[.!]?$",
    r"^(i want to |i'd like to |i would like to |can i |let me )?(evaluate|rate) the (senco |last |latest )?forum\??$",
    r"^(change|edit|update) my (forum )?evaluation( answers)?[.!]?$",
)
# Questions about whether the evaluation is open, when it closes or where its link is: the forum's FAQ entry
# says "please complete it" whatever the date, so this feature, which knows the window, answers them.
STATE_PATTERNS = (
    r"^(?!.*\bresults?\b).*\b(forum )?(evaluation|feedback form|evaluation form)s?\b.*\b(still open|open|closed?|closing|"
    r"shut|link|deadline|due)\b",
    r"^(?!.*\bresults?\b).*\b(still|open|closed?|closing|link|deadline)\b.*\b(forum )?evaluation( form)?\b",
)
RESULTS_PATTERNS = (
    r"^(show |see )?(the )?(forum )?evaluation (results|report|summary)\b",
    r"^(show |see )?(the )?results of the (forum )?evaluation\b",
    r"^how (did|was) the (last |latest )?forum (rated|evaluated)\??$",
)
_TERM = re.compile(r"\bterm\s*(\d)\b(?:\D*(\d{4}))?", re.IGNORECASE)


class EvaluationFeature:
    def __init__(self, service: EvaluationService, messages: EvaluationMessages, *,
                 staff_ids: frozenset[str], chart_link_minutes: int = 60):
        self._service = service
        self._messages = messages
        self._staff_ids = staff_ids
        self._chart_minutes = chart_link_minutes

    def install(self, router: Router, dialogs: DialogSet) -> None:
        router.add_intent(Intent(
            "evaluation.open", self._open, patterns=OPEN_PATTERNS + STATE_PATTERNS,
            command="evaluate", description="rate the latest SENCO Forum while its evaluation is open",
            labels=("evaluate",),
        ))
        router.add_intent(Intent(
            "evaluation.results", self._results, patterns=RESULTS_PATTERNS,
            command="evaluation results", description="the forum evaluation's summary and chart (add \"term 4\" "
            "for an earlier forum)", staff_only=True,
        ))
        # Registered after the staff intent, so staff reach that one; everyone else is told the results are
        # the team's, instead of the request going to the FAQ inbox as a question.
        router.add_intent(Intent("evaluation.results_refused", self._results, patterns=RESULTS_PATTERNS))
        router.add_action(CardAction(SUBMIT_ACTION, self._on_submit))

    # -- attendees ---------------------------------------------------------------------------

    async def _open(self, turn_context: TurnContext, dc, text: str) -> None:
        forum = self._service.open_forum()
        if forum is None:
            await turn_context.send_activity(self._none_open())
            return
        asker = asker_of(turn_context, self._staff_ids)
        answers = await self._service.answers_of(forum.id, asker.user_id)
        link = await self._service.form_link(forum, asker.user_id, channel="teams")
        if any(re.search(p, " ".join(text.lower().split())) for p in STATE_PATTERNS):
            await turn_context.send_activity(f"Yes: the evaluation of the {forum.display} is "
                                             f"{self._service.describe_window(forum)}. Here it is.")
        await self._send_card(turn_context, forum, answers, link)

    async def _send_card(self, turn_context: TurnContext, forum: Forum, answers, link, errors=None,
                         answered_before: Optional[bool] = None) -> None:
        card = self._messages.survey_card(
            survey=self._service.survey(forum), window=self._service.window(forum), answers=answers, link=link,
            errors=errors, answered_before=answered_before,
        )
        await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    def _none_open(self) -> str:
        latest = self._service.latest_ended_forum()
        if latest is not None:
            return (f"There's no forum evaluation open right now: the evaluation of the {latest.display} "
                    f"{self._service.describe_window(latest)}. I'll send you the next one when its forum ends.")
        return "There's no forum evaluation open right now. I'll send you the next one when its forum ends."

    async def _on_submit(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = asker_of(turn_context, self._staff_ids)
        forum_id = data.get("forum_id")
        forum = self._service.forum(forum_id) if isinstance(forum_id, str) else None
        if forum is None:
            await turn_context.send_activity("Sorry, that evaluation is no longer available.")
            return
        result = await self._service.submit(forum.id, asker.user_id, data, channel="teams")
        if result.status == "saved":
            window = self._service.window(forum)
            await turn_context.send_activity(
                f"Thank you: your evaluation of the {forum.display} is saved. You can change your answers until "
                f"the end of {british_date(window.last_day)}: just type \"evaluate\"."
            )
        elif result.status == "invalid":
            link = await self._service.form_link(forum, asker.user_id, channel="teams")
            stored = await self._service.answers_of(forum.id, asker.user_id)
            await self._send_card(turn_context, forum, result.answers, link, errors=result.errors,
                                  answered_before=stored is not None)
        elif result.status == "closed":
            await turn_context.send_activity(
                f"Sorry, the evaluation of the {forum.display} has closed "
                f"({self._service.describe_window(forum)}), so I couldn't save those answers."
            )
        elif result.status == "not_open":
            await turn_context.send_activity(
                f"The evaluation of the {forum.display} {self._service.describe_window(forum)}."
            )
        else:
            await turn_context.send_activity("Sorry, that evaluation is no longer available.")

    # -- staff -------------------------------------------------------------------------------

    async def _results(self, turn_context: TurnContext, dc, text: str) -> None:
        asker = asker_of(turn_context, self._staff_ids)
        if not asker.is_staff:
            log.warning("non-staff user asked for evaluation results")
            await turn_context.send_activity("Sorry, only the inclusion team can see evaluation results.")
            return
        forum = self._forum_named(text) or self._service.latest_ended_forum()
        if forum is None:
            await turn_context.send_activity("No forum has been evaluated yet.")
            return
        summary = await self._service.summary(forum)
        comments = _comments((await self._service.results(forum)).responses)
        card = render_card(
            "evaluation_results",
            title=f"Evaluation results: {forum.display}",
            window=self._service.describe_window(forum),
            responses=summary.responses,
            asked=summary.asked,
            rate=f"{summary.rate:.0%}" if summary.rate is not None else None,
            groups=[_group_view(group) for group in summary.groups],
            topics=[{"title": t, "count": c} for t, c in summary.topics if c],
            chart_url=self._service.chart_link(forum, self._chart_minutes) if summary.responses else None,
            report_command=f"sencobot evaluations report {forum.id} --out DIR",
            comments=comments[:COMMENTS_SHOWN], comments_total=len(comments),
        )
        await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    def _forum_named(self, text: str) -> Optional[Forum]:
        forums = self._service.evaluable()
        lowered = text.lower()
        for forum in forums:
            if forum.id in lowered:
                return forum
        match = _TERM.search(text)
        if match:
            term, year = match.group(1), match.group(2)
            named = [f for f in forums if f.id.startswith(f"term{term}-") and (not year or f.id.endswith(year))]
            if named:
                return max(named, key=lambda f: f.last_date)
        return None


# Enough to read in a Teams card; the spreadsheet from the report command has every one.
COMMENTS_SHOWN = 15
_COMMENT_FIELDS = (("most_useful", "Most useful"), ("could_be_better", "Could be better"),
                   ("topics_other", "Topics wanted"))


def _comments(responses) -> list[dict]:
    """Free-text answers (already redacted when stored), newest response first, never with who wrote them."""
    found = []
    for response in sorted(responses, key=lambda r: r.updated_at, reverse=True):
        for field, label in _COMMENT_FIELDS:
            text = getattr(response, field, None)
            if text:
                found.append({"label": label, "text": text})
    return found


def _mean(question) -> str:
    return f"{question.mean:.1f} (n={question.answers})" if question.mean is not None else "no answers"


def _group_view(group) -> dict:
    return {
        "label": f"{group.label} ({group.responses})",
        "overall": _mean(group.overall),
        "items": [{"label": item.label, "value": _mean(item)} for item in group.items],
    }
