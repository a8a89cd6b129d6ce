"""Tracking a SENCO's own tribunal case: a reference (never a child's name) and the dates they know.

Add: reference -> date the final EHCP was issued (or "skip") -> hearing date (or "skip") ->
saved, with the milestones the forum's timeline gives and reminders before each. Edit starts
at the dates with the current values ("keep" keeps one, "none" removes it). A date that does
not exist (31/02/2025) gets a clear message and the question again.

All rules live in bot.reminders.tribunal; this module only talks.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Awaitable, Callable, Optional

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    DialogContext,
    DialogTurnResult,
    PromptOptions,
    PromptValidatorContext,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)

from bot.cards import render_card
from bot.clock import british_date
from knowledge.intents.classifier import asks_something
from bot.reminders.tribunal import (
    SOURCE_LINE,
    CaseSummary,
    DateProblem,
    ReferenceProblem,
    TribunalService,
    parse_british_date,
)
from bot.turn import asker_of

DIALOG_ID = "tribunal"
_FLOW = "tribunal.flow"
_REFERENCE_PROMPT = "tribunal.reference"
_EHCP_PROMPT = "tribunal.ehcp"
_HEARING_PROMPT = "tribunal.hearing"

SKIP_WORDS = {"skip", "don't know", "dont know", "not known", "unknown", "no", "none yet", "not yet", "n/a", "na"}
KEEP_WORDS = {"keep", "same", "no change", "unchanged", "keep it"}
CLEAR_WORDS = {"none", "remove", "clear", "delete"}
STOP_REMINDERS = re.compile(r"^\s*(please\s+)?(stop|turn off|unsubscribe( me)?( from)?)( all)?( my| the)?\s+"
                            r"(reminders|notifications)\b", re.IGNORECASE)

REFERENCE_QUESTION = (
    "What reference shall I use for this case? Choose your own, for example \"Case A\" or your school's file "
    "number. Please don't type the child's name or pupil number: I only need a label, and I remove anything "
    "that identifies a child."
)

# (turn_context) -> None: what "stop reminders" does, even in the middle of this dialog.
StopHandler = Callable[[TurnContext], Awaitable[None]]


def card(name: str, **context):
    return MessageFactory.attachment(CardFactory.adaptive_card(render_card(name, **context)))


def cases_card(summaries: list[CaseSummary], today: dt.date):
    return card(
        "reminder_cases",
        cases=[
            {
                "id": s.case.id,
                "reference": s.case.reference,
                "milestones": [
                    {"title": m.title, "when": m.when(), "passed": m.on < today} for m in s.milestones
                ],
            }
            for s in summaries
        ],
        source=SOURCE_LINE,
    )


class TribunalDialog(ComponentDialog):
    """Options: none to add a case; {"case_id", "reference", "final_ehcp_issued", "hearing_on"} to edit one."""

    def __init__(self, tribunal: TribunalService, *, on_saved: Callable[[TurnContext], Awaitable[Optional[str]]],
                 on_stop: StopHandler, staff_ids: frozenset[str] = frozenset(),
                 answer_question: Optional[Callable[..., Awaitable[None]]] = None,
                 start_patterns: tuple[str, ...] = ()):
        super().__init__(DIALOG_ID)
        # The words that start this dialog ("add a tribunal case") typed again at the label prompt are not a
        # label: the trial saved a case called "add a tribunal case".
        self._start_command = [re.compile(p, re.IGNORECASE) for p in start_patterns]
        self._tribunal = tribunal
        # The FAQ answerer (turn_context, asker, text): a question asked while we wait for a date is
        # answered, then the date is asked for again.
        self._answer_question = answer_question
        self._on_saved = on_saved
        self._on_stop = on_stop
        self._staff_ids = staff_ids
        self.add_dialog(WaterfallDialog(_FLOW, [
            self.reference_step, self.ehcp_step, self.hearing_step, self.save_step,
        ]))
        self.add_dialog(TextPrompt(_REFERENCE_PROMPT, self._valid_reference))
        self.add_dialog(TextPrompt(_EHCP_PROMPT, self._valid_date))
        self.add_dialog(TextPrompt(_HEARING_PROMPT, self._valid_date))
        self.initial_dialog_id = _FLOW

    async def on_continue_dialog(self, inner_dc: DialogContext) -> DialogTurnResult:
        text = inner_dc.context.activity.text or ""
        if STOP_REMINDERS.match(text):
            # "stop reminders" always works: do it, and leave the case unsaved rather than half-asked.
            await self._on_stop(inner_dc.context)
            await inner_dc.context.send_activity("I've also stopped adding the tribunal case; nothing was saved.")
            return await inner_dc.cancel_all_dialogs()
        return await super().on_continue_dialog(inner_dc)

    # -- steps

    async def reference_step(self, step: WaterfallStepContext):
        options = step.options if isinstance(step.options, dict) else {}
        step.values.update(
            case_id=options.get("case_id"),
            current_ehcp=options.get("final_ehcp_issued"),
            current_hearing=options.get("hearing_on"),
        )
        if options.get("case_id"):
            step.values["reference"] = options.get("reference", "")
            return await step.next(None)
        return await step.prompt(_REFERENCE_PROMPT, PromptOptions(
            prompt=MessageFactory.text(REFERENCE_QUESTION),
            retry_prompt=MessageFactory.text(REFERENCE_QUESTION),
        ))

    async def ehcp_step(self, step: WaterfallStepContext):
        if not step.values.get("case_id"):
            clean = self._tribunal.clean_reference(step.result)
            step.values["reference"] = clean.text
            if clean.redacted:
                await step.context.send_activity(
                    f"I removed something that looked like personal information. I'll call this case "
                    f"\"{clean.text}\"."
                )
        current = step.values.get("current_ehcp")
        return await step.prompt(_EHCP_PROMPT, PromptOptions(
            prompt=MessageFactory.text(self._date_question(
                "When was the final EHCP issued?", current, editing=bool(step.values.get("case_id")))),
            validations={"prefer": "past", "editing": bool(step.values.get("case_id")), "current": current,
                         "require": False, "what": "the date the final EHCP was issued"},
        ))

    async def hearing_step(self, step: WaterfallStepContext):
        step.values["final_ehcp_issued"] = self._resolve(step.result, step.values.get("current_ehcp"))
        current = step.values.get("current_hearing")
        return await step.prompt(_HEARING_PROMPT, PromptOptions(
            prompt=MessageFactory.text(self._date_question(
                "When is the tribunal hearing?", current, editing=bool(step.values.get("case_id")))),
            validations={"prefer": "future", "editing": bool(step.values.get("case_id")), "current": current,
                         "require": step.values["final_ehcp_issued"] is None, "what": "the hearing date"},
        ))

    async def save_step(self, step: WaterfallStepContext):
        final = step.values.get("final_ehcp_issued")
        hearing = self._resolve(step.result, step.values.get("current_hearing"))
        asker = asker_of(step.context, self._staff_ids)
        final_date = dt.date.fromisoformat(final) if final else None
        hearing_date = dt.date.fromisoformat(hearing) if hearing else None
        case_id = step.values.get("case_id")
        try:
            if case_id:
                summary = await self._tribunal.update(asker.user_id, case_id, final_ehcp_issued=final_date,
                                                      hearing_on=hearing_date)
                if summary is None:
                    await step.context.send_activity("Sorry, I can't find that case any more: it may have been closed.")
                    return await step.end_dialog()
            else:
                summary = await self._tribunal.add(asker.user_id, step.values["reference"],
                                                   final_ehcp_issued=final_date, hearing_on=hearing_date)
        except ReferenceProblem as problem:
            await step.context.send_activity(str(problem))
            return await step.end_dialog()
        # Only a new case may switch tribunal reminders on: editing one must not undo "stop reminders".
        note = None if case_id else await self._on_saved(step.context)
        verb = "updated" if case_id else "saved"
        reminders = summary.reminders_scheduled
        lines = [f"I've {verb} case \"{summary.case.reference}\"."]
        if reminders:
            lines.append(f"I'll send you {reminders} reminder{'s' if reminders != 1 else ''} before the steps "
                         "below, each saying what to do.")
        else:
            lines.append("All the steps below are too close or already past for a reminder, but they're listed here.")
        if note:
            lines.append(note)
        await step.context.send_activity(" ".join(lines))
        await step.context.send_activity(cases_card([summary], self._tribunal.today()))
        return await step.end_dialog()

    # -- helpers

    @staticmethod
    def _date_question(question: str, current: Optional[str], *, editing: bool) -> str:
        if editing:
            now = british_date(dt.date.fromisoformat(current)) if current else "not given"
            return (f"{question} At the moment: {now}. Type a new date (e.g. 6 May 2025 or 06/05/2025), "
                    "\"keep\" to keep it, or \"none\" to remove it.")
        return f"{question} Type the date, e.g. 6 May 2025 or 06/05/2025, or \"skip\" if you don't know it yet."

    @staticmethod
    def _resolve(result, current: Optional[str]) -> Optional[str]:
        # The validator leaves a normalised value: an ISO date, "keep" or "none".
        if result == "keep":
            return current
        if result in (None, "none"):
            return None
        return result

    async def _answer_aside(self, prompt: PromptValidatorContext, text: str) -> None:
        turn_context = prompt.context
        # The prompt is not repeated once we have replied, so the question goes with the way back.
        asked = getattr(prompt.options.prompt, "text", None) or "Please type the date."
        if self._answer_question is not None:
            await self._answer_question(turn_context, asker_of(turn_context, self._staff_ids), text)
            await turn_context.send_activity(f"Back to your tribunal case (say \"cancel\" to stop and keep "
                                             f"asking questions). {asked}")
        else:
            await turn_context.send_activity("That sounds like a question. Say \"cancel\" to pause adding your "
                                             "case and ask it; you can add the case again afterwards.")

    async def _valid_reference(self, prompt: PromptValidatorContext) -> bool:
        text = prompt.recognized.value if prompt.recognized.succeeded else ""
        typed = " ".join((text or "").lower().split())
        if any(p.search(typed) for p in self._start_command):
            await prompt.context.send_activity("We're already adding a tribunal case.")
            return False
        try:
            self._tribunal.clean_reference(text or "")
            return True
        except ReferenceProblem as problem:
            await prompt.context.send_activity(str(problem))
            return False

    async def _valid_date(self, prompt: PromptValidatorContext) -> bool:
        rules = prompt.options.validations or {}
        raw = (prompt.recognized.value if prompt.recognized.succeeded else "") or ""
        lowered = " ".join(raw.lower().split()).rstrip(".!")
        editing = rules.get("editing")
        if lowered in KEEP_WORDS and editing:
            keeps_something = rules.get("current") or not rules.get("require")
            if keeps_something:
                prompt.recognized.value = "keep"
                return True
        if lowered in SKIP_WORDS | CLEAR_WORDS | KEEP_WORDS:
            if rules.get("require"):
                await prompt.context.send_activity(
                    "I need at least one date to work out your reminders. Please type the hearing date, "
                    "or \"cancel\" to stop."
                )
                return False
            prompt.recognized.value = "none"
            return True
        try:
            day = parse_british_date(raw, today=self._tribunal.today(), prefer=rules.get("prefer", "future"))
        except DateProblem as problem:
            if asks_something(raw):
                await self._answer_aside(prompt, raw)
                return False
            await prompt.context.send_activity(str(problem))
            return False
        if rules.get("prefer") == "past" and day > self._tribunal.today():
            await prompt.context.send_activity(
                f"{british_date(day)} is in the future. Please type {rules.get('what', 'the date')}, "
                "or \"skip\"."
            )
            return False
        prompt.recognized.value = day.isoformat()
        return True
