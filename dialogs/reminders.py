"""Reminders in Teams: subscriptions, "stop reminders", the welcome question, tribunal cases and
upcoming deadlines (staff broadcasts to subscribers are dialogs/broadcast.py).

Every button is a global card action, so a button on an old reminder ("Stop all reminders")
still works whatever the conversation is doing. The services do the work; this module talks.
"""
from __future__ import annotations

import logging
import re

from botbuilder.core import TurnContext
from botbuilder.dialogs import DialogSet

from bot.clock import british_datetime
from bot.router import CardAction, Intent, Router
from bot.reminders.service import Reminders
from bot.reminders.subscriptions import categories_in, short_label
from bot.turn import Asker, asker_of
from dialogs.tribunal import DIALOG_ID as TRIBUNAL_DIALOG
from dialogs.tribunal import TribunalDialog, card, cases_card
from knowledge.deadlines import CATEGORIES

log = logging.getLogger(__name__)

_STOP_PATTERNS = (
    r"^(please )?(stop|turn off|switch off|cancel|unsubscribe( me)?( from)?|no more)( all)?( of)?( my| the)? "
    r"(reminders|notifications)( please)?$",
    r"^(unsubscribe|stop all)$",
)
_MANAGE_PATTERNS = (
    r"^(my |manage( my)? |show( me)?( my)? |change( my)? )?(reminders|reminder settings|notifications)$",
    r"\b(subscribe|unsubscribe|opt in|opt out|turn on|turn off|switch on|switch off|start|stop)\b.*\breminders?\b",
    r"^remind me (about|of)\b",
)
_TRIBUNAL_LIST_PATTERNS = (r"\bmy tribunal (dates|cases?|reminders)\b", r"^tribunal (dates|cases)$")
_TRIBUNAL_ADD_PATTERNS = (
    r"^(add|track|new|start|record)( a| my| another| new)? tribunal( case| hearing| date| dates| appeal)?\b",
    r"\btrack (a |my )?tribunal\b",
)
_DEADLINE_PATTERNS = (r"^(show |list )?(the )?(upcoming |forum |all )?(deadlines|key dates)$",)
_OFF_WORDS = re.compile(r"\b(unsubscribe|opt out|turn off|switch off|stop|no more|don't|do not)\b")
_ON_WORDS = re.compile(r"\b(subscribe|opt in|turn on|switch on|start|remind me)\b")


class RemindersFeature:
    def __init__(self, reminders: Reminders, *, staff_ids: frozenset[str],
                 answer_question=None):
        self._answer_question = answer_question
        self._reminders = reminders
        self._subscriptions = reminders.subscriptions
        self._tribunal = reminders.tribunal
        self._staff_ids = staff_ids

    def install(self, router: Router, dialogs: DialogSet) -> None:
        # "stop reminders" is registered first so it wins a tie with the broader subscription patterns.
        router.add_intent(Intent("reminders.stop", self._stop_intent, patterns=_STOP_PATTERNS,
                                 command="stop reminders", description="turn every reminder off, at any time",
                                 interrupts=True))
        router.add_intent(Intent("tribunal.list", self._list_cases_intent, patterns=_TRIBUNAL_LIST_PATTERNS,
                                 examples=("my tribunal dates", "show my tribunal cases"),
                                 command="my tribunal dates", description="your tribunal cases and their milestones",
                                 labels=("tribunal_case",)))
        router.add_intent(Intent("tribunal.add", self._add_case_intent, patterns=_TRIBUNAL_ADD_PATTERNS,
                                 examples=("add a tribunal case", "track a tribunal hearing"),
                                 command="add a tribunal case",
                                 description="reminders before the bundle, pre-hearing meeting and hearing"))
        router.add_intent(Intent("reminders.manage", self._manage_intent, patterns=_MANAGE_PATTERNS,
                                 command="reminders", description="choose which reminders you get",
                                 labels=("reminders_on",)))
        router.add_intent(Intent("reminders.off", self._off_intent, labels=("reminders_off",)))
        router.add_intent(Intent("deadlines.list", self._deadlines_intent, patterns=_DEADLINE_PATTERNS,
                                 command="deadlines", description="the dates the forum announced"))
        for name, handler, staff in (
            ("reminders.subscribe", self._on_subscribe, False),
            ("reminders.unsubscribe", self._on_unsubscribe, False),
            ("reminders.stop", self._on_stop, False),
            ("reminders.manage", self._on_manage, False),
            ("reminders.decline", self._on_decline, False),
            ("tribunal.list", self._on_list_cases, False),
            ("tribunal.add", self._on_add_case, False),
            ("tribunal.edit", self._on_edit_case, False),
            ("tribunal.close", self._on_close_case, False),
        ):
            router.add_action(CardAction(name, handler, staff_only=staff))
        dialogs.add(TribunalDialog(self._tribunal, on_saved=self._after_case_saved, on_stop=self.stop_all,
                                   staff_ids=self._staff_ids, answer_question=self._answer_question,
                                   start_patterns=_TRIBUNAL_ADD_PATTERNS))
        # A reference or a date is short: "my bookings" typed instead is that command (questions are answered
        # by the dialog itself, and its own commands stay with it).
        router.leave_on_commands(TRIBUNAL_DIALOG, own=("tribunal.add", "tribunal.list"))

    def _asker(self, turn_context: TurnContext) -> Asker:
        return asker_of(turn_context, self._staff_ids)

    # -- the welcome question

    async def ask_new_user(self, turn_context: TurnContext, asker: Asker) -> None:
        if not asker.user_id:
            return
        if await self._subscriptions.first_time_asking(asker.user_id):
            await turn_context.send_activity(card("reminder_ask"))

    # -- subscriptions

    async def stop_all(self, turn_context: TurnContext) -> None:
        asker = self._asker(turn_context)
        await self._subscriptions.stop_all(asker.user_id)
        await turn_context.send_activity(
            "Done: I've turned off all your reminders, including reminders for tribunal cases you track with me. "
            "Your cases are kept. Type \"reminders\" to turn any back on."
        )

    async def _stop_intent(self, turn_context: TurnContext, dc, text: str) -> None:
        await self.stop_all(turn_context)

    async def _on_stop(self, turn_context: TurnContext, dc, data: dict) -> None:
        await self.stop_all(turn_context)

    async def _off_intent(self, turn_context: TurnContext, dc, text: str) -> None:
        """Asked to stop reminders in other words ("no more messages"): the named kinds, or all of them."""
        named = categories_in(text.lower())
        if not named:
            await self.stop_all(turn_context)
            return
        view = await self._subscriptions.unsubscribe(self._asker(turn_context).user_id, named)
        await self._show(turn_context, view, f"Turned off: {_labels(named)}.")

    async def _manage_intent(self, turn_context: TurnContext, dc, text: str) -> None:
        asker = self._asker(turn_context)
        lowered = text.lower()
        named = categories_in(lowered)
        if named and _OFF_WORDS.search(lowered):
            view = await self._subscriptions.unsubscribe(asker.user_id, named)
            await self._show(turn_context, view, f"Turned off: {_labels(named)}.")
        elif named and _ON_WORDS.search(lowered):
            view = await self._subscriptions.subscribe(asker.user_id, named)
            await self._show(turn_context, view, self._subscribed(named))
        else:
            await self._show(turn_context, await self._subscriptions.view(asker.user_id), None)

    async def _on_manage(self, turn_context: TurnContext, dc, data: dict) -> None:
        await self._show(turn_context, await self._subscriptions.view(self._asker(turn_context).user_id),
                         "Choose the reminders you'd like.")

    async def _on_subscribe(self, turn_context: TurnContext, dc, data: dict) -> None:
        categories = _categories_from(data)
        if not categories:
            await turn_context.send_activity("Sorry, I don't know that kind of reminder.")
            return
        view = await self._subscriptions.subscribe(self._asker(turn_context).user_id, categories)
        await self._show(turn_context, view, self._subscribed(categories))

    async def _on_unsubscribe(self, turn_context: TurnContext, dc, data: dict) -> None:
        categories = _categories_from(data)
        if not categories:
            await turn_context.send_activity("Sorry, I don't know that kind of reminder.")
            return
        view = await self._subscriptions.unsubscribe(self._asker(turn_context).user_id, categories)
        await self._show(turn_context, view, f"Turned off: {_labels(categories)}.")

    def _subscribed(self, categories) -> str:
        """The confirmation, with when each category's next reminder is due (or that none is yet)."""
        lines = [f"You'll get {_labels(categories)} reminders here."]
        for category in categories:
            label = short_label(category)
            if category == "tribunal":
                lines.append("Tribunal reminders come from the cases you track with me: say \"add a tribunal "
                             "case\" to add one.")
                continue
            due = self._reminders.deadlines.next_due(category)
            if due is None:
                lines.append(f"Nothing upcoming for {label} is in the catalogue yet, so no {label} reminder is "
                             "due; you'll get one when the team adds dates.")
            else:
                at, deadline = due
                lines.append(f"Next {label} reminder: {british_datetime(at)}, about {deadline.title}.")
        return " ".join(lines)

    async def _on_decline(self, turn_context: TurnContext, dc, data: dict) -> None:
        await turn_context.send_activity("No problem: no reminders. Type \"reminders\" whenever you'd like some.")

    async def _show(self, turn_context: TurnContext, view, intro) -> None:
        await turn_context.send_activity(card("reminder_subscriptions", intro=intro, rows=view.rows()))

    # -- tribunal cases

    async def _after_case_saved(self, turn_context: TurnContext):
        """A tracked case implies wanting its reminders: switch tribunal reminders on, and say so."""
        asker = self._asker(turn_context)
        view = await self._subscriptions.view(asker.user_id)
        if "tribunal" in view.active:
            return None
        await self._subscriptions.subscribe(asker.user_id, ["tribunal"])
        return "I've turned tribunal reminders on for you (\"stop reminders\" turns them off)."

    async def _list_cases_intent(self, turn_context: TurnContext, dc, text: str) -> None:
        await self._list_cases(turn_context)

    async def _on_list_cases(self, turn_context: TurnContext, dc, data: dict) -> None:
        await self._list_cases(turn_context)

    async def _list_cases(self, turn_context: TurnContext) -> None:
        summaries = await self._tribunal.cases(self._asker(turn_context).user_id)
        await turn_context.send_activity(cases_card(summaries, self._tribunal.today()))

    async def _add_case_intent(self, turn_context: TurnContext, dc, text: str) -> None:
        await dc.begin_dialog(TRIBUNAL_DIALOG)

    async def _on_add_case(self, turn_context: TurnContext, dc, data: dict) -> None:
        await dc.cancel_all_dialogs()
        await dc.begin_dialog(TRIBUNAL_DIALOG)

    async def _on_edit_case(self, turn_context: TurnContext, dc, data: dict) -> None:
        case_id = data.get("case_id")
        case = await self._tribunal.get(self._asker(turn_context).user_id, case_id) if isinstance(case_id, str) else None
        if case is None or case.status != "open":
            await turn_context.send_activity("Sorry, I can't find that case: it may have been closed.")
            return
        await dc.cancel_all_dialogs()
        await dc.begin_dialog(TRIBUNAL_DIALOG, {
            "case_id": case.id,
            "reference": case.reference,
            "final_ehcp_issued": case.final_ehcp_issued.isoformat() if case.final_ehcp_issued else None,
            "hearing_on": case.hearing_on.isoformat() if case.hearing_on else None,
        })

    async def _on_close_case(self, turn_context: TurnContext, dc, data: dict) -> None:
        case_id = data.get("case_id")
        closed = await self._tribunal.close(self._asker(turn_context).user_id, case_id) \
            if isinstance(case_id, str) else None
        if closed is None:
            await turn_context.send_activity("That case is already closed, or I can't find it.")
            return
        await turn_context.send_activity(
            f"I've closed case \"{closed.reference}\" and cancelled its reminders."
        )

    # -- deadlines

    async def _deadlines_intent(self, turn_context: TurnContext, dc, text: str) -> None:
        catalogue = self._reminders.deadlines.catalogue()
        today = self._tribunal.today()
        upcoming = catalogue.upcoming(today)
        if upcoming:
            shown, heading, note = upcoming, "Coming up", None
        else:
            shown = tuple(sorted(catalogue.deadlines, key=lambda d: d.on))[-8:]
            heading = "The forum's dates"
            note = "All of the dates the forum announced have passed; these are the most recent."
        await turn_context.send_activity(card(
            "reminder_deadlines",
            heading=heading,
            deadlines=[{"when": d.when(), "title": d.title, "passed": d.has_passed(today)} for d in shown],
            note=note,
        ))


def _label(category: str) -> str:
    return short_label(category)


def _labels(categories) -> str:
    names = [_label(c) for c in categories]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _categories_from(data: dict) -> tuple[str, ...]:
    value = data.get("category")
    if value == "all":
        return CATEGORIES
    if isinstance(value, str) and value in CATEGORIES:
        return (value,)
    return ()
