"""What evaluation messages say: the survey card, the Teams notice text and the email invitation.

Templates: bot/evaluations/templates/cards/evaluation_*.json.j2 and .../email/evaluation_*.txt.j2
(the email template sets ``subject`` at its top).
"""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Optional

from bot.rendering import environment as _text_environment

from bot.cards import render_card
from bot.clock import british_date
from bot.evaluations.survey import Answers, Survey

SUBMIT_ACTION = "evaluation.submit"




def card_inputs(survey: Survey, answers: Optional[Answers]) -> list[dict]:
    """The survey's sections as card-ready data: each question with its current value."""
    values = answers.form_values() if answers else {}
    sections = []
    for section in survey.sections():
        questions = []
        for question in section["questions"]:
            value = values.get(question.name, [] if question.kind == "multi" else "")
            questions.append({
                "name": question.name,
                "kind": question.kind,
                "label": question.label,
                "hint": question.hint,
                "is_item": bool(question.item_id),
                "choices": [{"title": c.title, "value": c.value} for c in question.choices],
                "value": ",".join(value) if isinstance(value, list) else value,
            })
        sections.append({"heading": section["heading"], "questions": questions})
    return sections


class EvaluationMessages:
    def __init__(self, *, team_name: str, team_mailbox: str):
        self._team_name = team_name
        self._team_mailbox = team_mailbox

    def notice_text(self, *, forum, window, reminder: bool) -> str:
        until = british_date(window.last_day)
        if reminder:
            return (f"A reminder: the evaluation of the {forum.display} is open until the end of {until}. "
                    "It takes about three minutes, and every question is optional.")
        return (f"Thank you for coming to the {forum.display}. Please tell us how it went: the evaluation "
                f"takes about three minutes and is open until the end of {until}.")

    def survey_card(self, *, survey: Survey, window, answers: Optional[Answers], link: Optional[str],
                    intro: str = "", errors: Optional[dict] = None) -> dict:
        return render_card(
            "evaluation_survey",
            title=f"Evaluation: {survey.title}",
            intro=intro,
            until=british_date(window.last_day),
            editing=answers is not None,
            sections=card_inputs(survey, answers),
            errors=list((errors or {}).values()),
            forum_id=survey.forum_id,
            submit_action=SUBMIT_ACTION,
            link=link,
        )

    def email(self, *, forum, window, to_address: str, link: str, reminder: bool) -> EmailMessage:
        template = _text_environment().get_template("email/evaluation_invite.txt.j2")
        module = template.make_module(dict(
            forum=forum.display, until=british_date(window.last_day), link=link, reminder=reminder,
            team_name=self._team_name, team_mailbox=self._team_mailbox,
        ))
        message = EmailMessage()
        message["From"] = formataddr((self._team_name, self._team_mailbox))
        message["To"] = to_address
        message["Subject"] = " ".join(str(getattr(module, "subject", "")).split())
        message["Message-ID"] = make_msgid(domain=self._team_mailbox.rsplit("@", 1)[-1])
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(str(module).lstrip("\n"))
        return message
