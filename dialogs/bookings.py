"""Booking webinars and induction meetings in Teams (and the console).

"book the induction meeting in Maidstone" -> the matching open events -> name, school and email
(from the Teams profile where it has them; school and email asked once and remembered) -> a
confirmation card -> booked, with an "Add to calendar" link. Also "my bookings", "cancel my
booking" and, for staff, "places". Every rule (capacity, waitlist, dates) is the booking
service's; this module only talks.

Card buttons are global actions (``booking.pick``, ``booking.cancel``…), so a button on an old
card still works after the conversation moved on; ``booking.step`` feeds the active booking
dialog and says so politely when there is none.
"""
from __future__ import annotations

import logging
from typing import Optional

from botbuilder.core import CardFactory, MessageFactory, TurnContext, UserState
from botbuilder.core.teams import TeamsInfo
from botbuilder.dialogs import (
    ComponentDialog,
    Dialog,
    DialogSet,
    PromptOptions,
    PromptValidatorContext,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)

from bot.cards import render_card
from bot.clock import Clock, british_date, british_datetime, london
from bot.router import CardAction, Intent, Router
from bot.bookings.service import BookingService, EventOffer, Person, valid_email
from bot.turn import asker_of
from knowledge.events import Event, find_events

log = logging.getLogger(__name__)

DIALOG_ID = "booking"
_FLOW = "booking.flow"
_SCHOOL_PROMPT = "booking.school"
_EMAIL_PROMPT = "booking.email"
_NAME_PROMPT = "booking.name"
_PROFILE = "booking_profile"
_QUIET = "quiet"  # restart the form without showing its card again

_YES = {"yes", "y", "confirm", "book", "book it", "ok", "okay", "yes please", "join", "join the waiting list"}
_NO = {"no", "n", "not now", "stop", "no thanks"}


# -- words ----------------------------------------------------------------------------------------


def when(event: Event) -> str:
    return british_datetime(event.start)


def short_label(event: Event) -> str:
    what = f"{event.area} induction" if event.area else event.kind.capitalize()
    return f"{what}, {british_date(event.start)}"


def places_text(offer: EventOffer) -> str:
    places = offer.places
    if places.left:
        return f"{places.left} of {places.capacity} places left"
    waiting = f"{places.waitlisted} waiting" if places.waitlisted else "nobody waiting yet"
    return f"Full: join the waiting list ({waiting})"


def refusal(offer: EventOffer) -> str:
    event = offer.event
    if offer.state == "past":
        return f"The {event.title} took place on {when(event)}, so it can't be booked any more."
    if offer.state == "closed":
        return (f"Bookings for the {event.title} on {when(event)} closed on "
                f"{british_datetime(event.booking_closes)}.")
    if offer.state == "not_open":
        return (f"Bookings for the {event.title} on {when(event)} open on "
                f"{british_datetime(event.booking_opens)}.")
    verb = "been moved" if event.status == "moved" else "been cancelled"
    return f"The {event.title} on {when(event)} has {verb}."


def _card(name: str, _words: Optional[str] = None, **context):
    """A card, with the same news in words where a card alone would leave notifications and screen
    readers with nothing to say."""
    return MessageFactory.attachment(CardFactory.adaptive_card(render_card(name, **context)), text=_words)


def _where_to_go(event: Event) -> str:
    if event.join_url:
        return f"Join online: {event.join_url}"
    if event.venue:
        return f"Venue: {event.venue}."
    return "It's online: the joining link will be in your calendar invitation."


def _facts(event: Event, **people) -> list[dict]:
    facts = [
        {"title": "Event", "value": event.title},
        {"title": "When", "value": f"{when(event)} to {london(event.end):%H:%M}"},
        {"title": "Where", "value": event.location},
    ]
    labels = {"name": "Name", "school": "School", "email": "Email"}
    # What the person typed is marked, so the card shows it as typed (no Markdown from users).
    facts += [{"title": labels[key], "value": value, "typed": True} for key, value in people.items() if value]
    return facts


# -- the dialog -----------------------------------------------------------------------------------


class BookingDialog(ComponentDialog):
    """Options: {"event_id": id} for one event, or {"event_ids": [...]} to choose from."""

    def __init__(self, bookings: BookingService, user_state: UserState, staff_ids: frozenset[str] = frozenset()):
        super().__init__(DIALOG_ID)
        self._bookings = bookings
        self._profile = user_state.create_property(_PROFILE)
        self._staff_ids = staff_ids
        self.add_dialog(WaterfallDialog(_FLOW, [
            self.choose_step, self.event_step, self.school_step, self.email_step, self.name_step,
            self.confirm_step,
        ]))
        self.add_dialog(TextPrompt(_SCHOOL_PROMPT, _valid_school))
        self.add_dialog(TextPrompt(_EMAIL_PROMPT, _valid_email))
        self.add_dialog(TextPrompt(_NAME_PROMPT, _valid_name))
        self.initial_dialog_id = _FLOW

    async def choose_step(self, step: WaterfallStepContext):
        form = dict(step.options or {})
        step.values["form"] = form
        if form.get("event_id"):
            return await step.next(form["event_id"])
        if form.pop(_QUIET, False):
            # Waiting again on the card already shown: sending it twice reads as the bot repeating itself.
            return Dialog.end_of_turn
        events = [e for e in (self._bookings.event(i) for i in form.get("event_ids", [])) if e]
        offers = await self._bookings.offers(events)
        asker = asker_of(step.context, self._staff_ids)
        held = {m.booking.event_id: m for m in await self._bookings.my_bookings(asker.user_id)}
        await step.context.send_activity(_card("booking_choose", heading=form.get("heading", "Which one would you like?"),
                                               offers=[_offer_view(o, held.get(o.event.id)) for o in offers]))
        return Dialog.end_of_turn

    async def event_step(self, step: WaterfallStepContext):
        form = step.values["form"]
        event_id = form.get("event_id")
        value = step.context.activity.value
        if not event_id and isinstance(value, dict) and value.get("action") == "booking.step":
            # A button from an older, finished form pressed while this list waits for a choice.
            user_id = asker_of(step.context, self._staff_ids).user_id
            await step.context.send_activity(await what_changed(self._bookings, user_id, value.get("event_id"))
                                             + " To book something else, choose from the list above.")
            return await step.replace_dialog(_FLOW, {**form, _QUIET: True})
        if not event_id:
            candidates = [e for e in (self._bookings.event(i) for i in form.get("event_ids", [])) if e]
            query, matched = find_events(candidates, step.result if isinstance(step.result, str) else "")
            if not query.is_specific or len(matched) != 1:
                await step.context.send_activity("Please choose one of the events on the card (or say \"cancel\").")
                return await step.replace_dialog(_FLOW, form)
            event_id = form["event_id"] = matched[0].id
        event = self._bookings.event(event_id)
        if event is None:
            await step.context.send_activity("Sorry, I can't find that event any more. Say \"book\" to see what's open.")
            return await step.end_dialog()
        (offer,) = await self._bookings.offers([event])
        if offer.state != "open":
            await step.context.send_activity(refusal(offer))
            return await step.end_dialog()
        asker = asker_of(step.context, self._staff_ids)
        existing = [m for m in await self._bookings.my_bookings(asker.user_id) if m.booking.event_id == event.id]
        if existing:
            await step.context.send_activity(_already_booked_text(existing[0].booking.status, event,
                                                                  existing[0].waitlist_position))
            return await step.end_dialog()
        form["full"] = offer.places.left == 0
        form["places"] = places_text(offer)
        ask = set(form.get("ask", []))
        profile = await self._profile.get(step.context, dict) or {}
        if "school" not in ask:
            form.setdefault("school", profile.get("school"))
        if "email" not in ask and not form.get("email"):
            form["email"] = profile.get("email")
            if not form["email"]:
                # Asked of Teams once: the SDK's roster call blocks the event loop, so the answer is kept.
                form["email"] = await _teams_email(step.context)
                if form["email"]:
                    await self._remember(step.context, email=form["email"])
        form.setdefault("name", asker.name.strip() or None)
        if not form.get("school"):
            return await step.prompt(_SCHOOL_PROMPT, _prompt(
                "Which school or setting are you booking for?",
                "Please type your school's name (for example \"Oakwood Primary School\")."))
        return await step.next(None)

    async def school_step(self, step: WaterfallStepContext):
        form = step.values["form"]
        if isinstance(step.result, str):
            form["school"] = " ".join(step.result.split())
            await self._remember(step.context, school=form["school"])
        if not form.get("email"):
            return await step.prompt(_EMAIL_PROMPT, _prompt(
                "Which email address should the confirmation and calendar invitation go to?",
                "That doesn't look like an email address. Please type one like name@school.kent.sch.uk."))
        return await step.next(None)

    async def email_step(self, step: WaterfallStepContext):
        form = step.values["form"]
        if isinstance(step.result, str):
            form["email"] = step.result.strip()
            await self._remember(step.context, email=form["email"])
        if not form.get("name"):
            return await step.prompt(_NAME_PROMPT, _prompt("What name should the booking be under?",
                                                           "Please type your name."))
        return await step.next(None)

    async def name_step(self, step: WaterfallStepContext):
        form = step.values["form"]
        if isinstance(step.result, str):
            form["name"] = " ".join(step.result.split())
        form["ask"] = []
        if form.pop(_QUIET, False):
            return Dialog.end_of_turn
        event = self._bookings.event(form["event_id"])
        await step.context.send_activity(_card(
            "booking_confirm", title=event.title, full=form["full"], places=form["places"], event_id=event.id,
            facts=_facts(event, name=form["name"], school=form["school"], email=form["email"])))
        return Dialog.end_of_turn

    async def confirm_step(self, step: WaterfallStepContext):
        form = step.values["form"]
        value = step.context.activity.value
        pressed_for = value.get("event_id") if isinstance(value, dict) else None
        if isinstance(pressed_for, str) and pressed_for != form["event_id"]:
            # A button from an earlier form: acting on it would book the wrong event.
            older, current = self._bookings.event(pressed_for), self._bookings.event(form["event_id"])
            await step.context.send_activity(
                f"That button is from an earlier form{f' for the {older.title}' if older else ''}; we're now "
                f"booking the {current.title}. Please use the latest card, or say \"cancel\".")
            return await step.replace_dialog(_FLOW, {**form, _QUIET: True})
        choice = _choice(step.context, full=form["full"])
        if choice in ("school", "email"):
            form.pop(choice, None)
            form["ask"] = [choice]
            return await step.replace_dialog(_FLOW, form)
        if choice == "stop":
            await step.context.send_activity("OK, I haven't booked anything. Say \"book\" whenever you're ready.")
            return await step.end_dialog()
        if choice not in ("book", "waitlist"):
            await step.context.send_activity("Please press one of the buttons on the card, or say \"cancel\".")
            return await step.replace_dialog(_FLOW, form)
        asker = asker_of(step.context, self._staff_ids)
        person = Person(user_id=asker.user_id, name=form["name"], school=form["school"], email=form["email"])
        result = await self._bookings.book(form["event_id"], person, waitlist_ok=choice == "waitlist")
        if result.outcome == "full":
            await step.context.send_activity("Sorry, the last place went while we were talking.")
            form["full"] = True
            return await step.replace_dialog(_FLOW, form)
        await step.context.send_activity(booking_reply(result))
        return await step.end_dialog()

    async def _remember(self, turn_context: TurnContext, **values) -> None:
        profile = dict(await self._profile.get(turn_context, dict) or {})
        profile.update(values)
        await self._profile.set(turn_context, profile)


async def what_changed(bookings: BookingService, user_id: str, event_id) -> str:
    """Why a button on a finished booking form does nothing, in terms of where things stand now."""
    event = bookings.event(event_id) if isinstance(event_id, str) else None
    if event is None:
        return "That booking form has expired. Say \"book\" to start again."
    held = [m for m in await bookings.my_bookings(user_id) if m.booking.event_id == event.id]
    if held:
        return ("That form is finished: nothing more to do. "
                + _already_booked_text(held[0].booking.status, event, held[0].waitlist_position))
    (offer,) = await bookings.offers([event])
    if offer.state != "open":
        return f"That form has expired, and things have changed since: {refusal(offer)}"
    return (f"That booking form has expired, and nothing was booked. Say \"book the {event.title}\" "
            "to start again.")


def booking_reply(result):
    """The message for a BookingResult."""
    event = result.event
    if result.outcome == "confirmed":
        mail_note = (f"I've emailed the confirmation and calendar invitation to {result.booking.email}."
                     if result.emailed else "Use \"Add to calendar\" to put it in your calendar.")
        heading = f"You're booked on the {event.title}, {when(event)}."
        return _card("booking_confirmed", _words=f"{heading} {_where_to_go(event)}", heading=heading,
                     facts=_facts(event, name=result.booking.name, school=result.booking.school),
                     mail_note=mail_note, calendar_url=result.calendar_url, ref=result.booking.ref,
                     join_url=event.join_url)
    if result.outcome == "waitlisted":
        heading = f"You're number {result.waitlist_position} on the waiting list for the {event.title}."
        return _card("booking_waitlisted", _words=f"{heading} I'll tell you here if a place comes up.",
                     heading=heading, facts=_facts(event), ref=result.booking.ref)
    if result.outcome == "duplicate":
        return MessageFactory.text(_already_booked_text(result.booking.status, event, result.waitlist_position))
    if result.outcome == "unknown":
        return MessageFactory.text("Sorry, I can't find that event any more. Say \"book\" to see what's open.")
    return MessageFactory.text(refusal(EventOffer(event, result.outcome, None)))


def _already_booked_text(status: str, event: Event, position: Optional[int]) -> str:
    if status == "waitlisted":
        spot = f" (number {position})" if position else ""
        return (f"You're already on the waiting list for the {event.title} on {when(event)}{spot}. "
                "Say \"my bookings\" to see it.")
    return f"You're already booked on the {event.title} on {when(event)}. Say \"my bookings\" to see it."


def _offer_view(offer: EventOffer, held=None) -> dict:
    """One event on the "which one?" card; an event the user already holds a place (or a queue number)
    on says so instead of offering to book it or join its waiting list."""
    event = offer.event
    view = {"event_id": event.id, "title": event.title, "when": when(event), "where": event.location,
            "places": places_text(offer), "button": None}
    if held is not None:
        view["places"] = (f"You're on the waiting list (number {held.waitlist_position})"
                          if held.booking.status == "waitlisted" else "You're booked on this one")
        return view
    verb = "Book" if offer.places.left else "Join the waiting list"
    view["button"] = f"{verb}: {short_label(event)}"
    return view


def _prompt(text: str, retry: str) -> PromptOptions:
    return PromptOptions(prompt=MessageFactory.text(text), retry_prompt=MessageFactory.text(retry))


def _choice(turn_context: TurnContext, *, full: bool) -> str:
    value = turn_context.activity.value
    if isinstance(value, dict) and isinstance(value.get("choice"), str):
        return value["choice"]
    text = " ".join((turn_context.activity.text or "").lower().strip(" .!").split())
    if text in _YES:
        return "waitlist" if full else "book"
    if text in _NO:
        return "stop"
    if "school" in text:
        return "school"
    if "email" in text:
        return "email"
    return ""


async def _valid_school(prompt: PromptValidatorContext) -> bool:
    value = prompt.recognized.value if prompt.recognized.succeeded else ""
    return isinstance(value, str) and 2 <= len(value.strip()) <= 200


async def _valid_name(prompt: PromptValidatorContext) -> bool:
    value = prompt.recognized.value if prompt.recognized.succeeded else ""
    return isinstance(value, str) and 2 <= len(value.strip()) <= 200


async def _valid_email(prompt: PromptValidatorContext) -> bool:
    value = prompt.recognized.value if prompt.recognized.succeeded else ""
    return isinstance(value, str) and valid_email(value)


async def _teams_email(turn_context: TurnContext) -> Optional[str]:
    """The sender's email from the Teams roster, when the channel can tell us."""
    if turn_context.activity.channel_id != "msteams":
        return None
    try:
        member = await TeamsInfo.get_member(turn_context, turn_context.activity.from_property.id)
    except Exception as exc:
        log.info("Teams profile lookup unavailable: %s", type(exc).__name__)
        return None
    for candidate in (getattr(member, "email", None), getattr(member, "user_principal_name", None)):
        if isinstance(candidate, str) and valid_email(candidate):
            return candidate
    return None


# -- the feature: intents and card actions ---------------------------------------------------------


class BookingFeature:
    def __init__(self, bookings: BookingService, user_state: UserState, clock: Clock,
                 staff_ids: frozenset[str] = frozenset()):
        self._bookings = bookings
        self._user_state = user_state
        self._clock = clock
        self._staff_ids = staff_ids

    def install(self, router: Router, dialogs: DialogSet) -> None:
        dialogs.add(BookingDialog(self._bookings, self._user_state, self._staff_ids))
        # Registered before "book" so that "cancel my booking" and "my bookings" are not read as "book".
        router.add_intent(Intent(
            "booking.cancel", self.start_cancel,
            patterns=(r"\bcancel (my |a |the |this )?(booking|place|reservation)s?\b",
                      r"\b(leave|come off) the wait(ing)? ?list\b", r"\bunbook\b"),
            examples=("cancel my booking", "I can't come to the induction meeting any more"),
            command="cancel my booking", description="cancel a place you've booked", labels=("cancel_booking",)))
        router.add_intent(Intent(
            "booking.places", self.start_places, staff_only=True,
            patterns=(r"^places\b", r"\bbooking numbers\b", r"\bplaces (taken|left|booked)\b"),
            command="places", description="places taken and left per event (staff)"))
        router.add_intent(Intent(
            "booking.mine", self.start_mine,
            patterns=(r"\bmy bookings?\b", r"\bwhat (have i|am i) booked\b", r"\bam i booked\b"),
            examples=("my bookings", "what have I booked"),
            command="my bookings", description="see what you've booked", labels=("my_bookings",)))
        router.add_intent(Intent(
            "booking.book", self.start_booking,
            # A question about booking something else ("how do I book a place on the NPQ?") is the FAQ's:
            # questions only start a booking when they name an event. No fuzzy examples: token_set_ratio
            # scores 100 for any message containing all of an example's words ("book a place").
            patterns=(r"^(please )?(book|sign me up|register me)\b",
                      r"^(?!(how|where|when|what|who|why|which|is|are|do|does)\b).*\b(sign (me )?up|register me"
                      r"|reserve a (place|seat)|book (me )?(a |my )?(place|seat|onto|on to|in)"
                      r"|(i'?d like|i want|i would like) to book)\b",
                      r"\b(book|sign (me )?up|register|reserve)\b.*\b(webinar|induction|community|meeting|event)s?\b"),
            command="book", description="book a webinar or Community of Schools induction meeting",
            labels=("book",)))
        # "my bookings" or "stop reminders" typed while the form waits for a choice, a school or an email is that
        # command, not a bad answer; naming another event to book is still the form's own business.
        router.leave_on_commands(DIALOG_ID, own=("booking.book",))
        router.add_action(CardAction("booking.pick", self.on_pick))
        router.add_action(CardAction("booking.step", self.on_step))
        router.add_action(CardAction("booking.cancel", self.on_cancel))
        router.add_action(CardAction("booking.cancel_yes", self.on_cancel_yes))
        router.add_action(CardAction("booking.cancel_no", self.on_cancel_no))

    # -- booking ---------------------------------------------------------------------------------

    async def start_booking(self, turn_context: TurnContext, dc, text: str) -> None:
        query, matched = self._bookings.find(text)
        offers = await self._bookings.offers(matched)
        open_offers = [o for o in offers if o.state == "open"]
        if not open_offers:
            await turn_context.send_activity(self._nothing_open(query.is_specific, offers))
            return
        await dc.cancel_all_dialogs()
        if len(open_offers) == 1 and query.is_specific:
            await dc.begin_dialog(DIALOG_ID, {"event_id": open_offers[0].event.id})
        else:
            heading = "These are open for booking. Which one would you like?" if len(open_offers) > 1 \
                else "This one is open for booking:"
            await dc.begin_dialog(DIALOG_ID, {"event_ids": [o.event.id for o in open_offers], "heading": heading})

    def _nothing_open(self, specific: bool, offers: list[EventOffer]) -> str:
        if specific and offers:
            lines = [refusal(o) for o in offers[:4]]
            return " ".join(lines) + " Say \"book\" to see everything that's open."
        if specific:
            return "I couldn't find an event like that. Say \"book\" to see everything that's open."
        coming = sorted((o for o in offers if o.state == "not_open"), key=lambda o: (o.event.booking_opens,
                                                                                      o.event.start))
        if coming:
            # Events whose bookings open later are news, not "the most recent events", and no new dates are
            # awaited from the team.
            lines = "\n".join(f"- {refusal(o)}" for o in coming[:6])
            return f"Nothing is open for booking yet. Coming up:\n{lines}"
        recent = sorted(offers, key=lambda o: o.event.start, reverse=True)[:3]
        lines = "\n".join(f"- {refusal(o)}" for o in recent)
        tail = f"\n\nThe most recent events:\n{lines}" if lines else ""
        return ("There's nothing open for booking at the moment. New dates will appear here as soon as the "
                f"inclusion team adds them.{tail}")

    async def on_pick(self, turn_context: TurnContext, dc, data: dict) -> None:
        event_id = data.get("event_id")
        if not isinstance(event_id, str) or self._bookings.event(event_id) is None:
            await turn_context.send_activity("Sorry, I can't find that event any more. Say \"book\" to see what's open.")
            return
        await dc.cancel_all_dialogs()
        await dc.begin_dialog(DIALOG_ID, {"event_id": event_id})

    async def on_step(self, turn_context: TurnContext, dc, data: dict) -> None:
        if dc.active_dialog is None or dc.active_dialog.id != DIALOG_ID:
            await turn_context.send_activity(await self._what_changed(turn_context, data.get("event_id")))
            return
        await dc.continue_dialog()

    async def _what_changed(self, turn_context: TurnContext, event_id) -> str:
        return await what_changed(self._bookings, asker_of(turn_context, self._staff_ids).user_id, event_id)

    # -- my bookings and cancelling ---------------------------------------------------------------

    async def _upcoming(self, turn_context: TurnContext):
        asker = asker_of(turn_context, self._staff_ids)
        now = self._clock.now()
        return [m for m in await self._bookings.my_bookings(asker.user_id) if m.event is None or m.event.end > now]

    async def start_mine(self, turn_context: TurnContext, dc, text: str) -> None:
        mine = await self._upcoming(turn_context)
        if not mine:
            await turn_context.send_activity("You have no upcoming bookings. Say \"book\" to see what's open.")
            return
        await turn_context.send_activity(_card("booking_list", heading="Your bookings", cancel_only=False,
                                               items=[_item_view(m, "Cancel") for m in mine]))

    async def start_cancel(self, turn_context: TurnContext, dc, text: str) -> None:
        mine = await self._upcoming(turn_context)
        query, matched = find_events([m.event for m in mine if m.event], text)
        if query.is_specific and matched:
            ids = {e.id for e in matched}
            mine = [m for m in mine if m.event and m.event.id in ids]
        if not mine:
            await turn_context.send_activity("You have no upcoming bookings to cancel.")
            return
        if len(mine) == 1:
            await turn_context.send_activity(_cancel_question(mine[0]))
            return
        await turn_context.send_activity(_card("booking_list", heading="Which booking would you like to cancel?",
                                               cancel_only=True, items=[_item_view(m, "Cancel this one") for m in mine]))

    async def on_cancel(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = asker_of(turn_context, self._staff_ids)
        ref = data.get("ref")
        found = [m for m in await self._bookings.my_bookings(asker.user_id) if m.booking.ref == ref]
        if not found:
            await turn_context.send_activity("That booking is already cancelled, or isn't yours to cancel.")
            return
        await turn_context.send_activity(_cancel_question(found[0]))

    async def on_cancel_yes(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = asker_of(turn_context, self._staff_ids)
        ref = data.get("ref")
        result = await self._bookings.cancel(ref, user_id=asker.user_id) if isinstance(ref, str) else None
        if result is None or result.outcome == "not_found":
            await turn_context.send_activity("That booking is already cancelled, or isn't yours to cancel.")
            return
        if result.outcome == "already_cancelled":
            await turn_context.send_activity("That booking was already cancelled.")
            return
        event = result.event
        what = f"the {event.title} on {when(event)}" if event else "that event"
        if result.booking.confirmed_at is None:
            await turn_context.send_activity(f"Done: you've left the waiting list for {what}.")
        else:
            await turn_context.send_activity(
                f"Done: your place on {what} is cancelled. If you were sent a calendar invitation, "
                "an update removing it is on its way.")

    async def on_cancel_no(self, turn_context: TurnContext, dc, data: dict) -> None:
        await turn_context.send_activity("OK, your booking stays as it is.")

    # -- staff --------------------------------------------------------------------------------------

    async def start_places(self, turn_context: TurnContext, dc, text: str) -> None:
        if not asker_of(turn_context, self._staff_ids).is_staff:
            await turn_context.send_activity("Sorry, only the inclusion team can see booking numbers.")
            return
        offers = sorted(await self._bookings.offers(), key=lambda o: o.event.start)
        rows = [{"title": f"{o.event.title} ({british_date(o.event.start)})",
                 "value": f"{o.places.confirmed} taken, {o.places.left} left of {o.places.capacity}; "
                          f"{o.places.waitlisted} waiting; {_STATE_WORDS[o.state]}"} for o in offers]
        await turn_context.send_activity(_card("booking_places", rows=rows))


_STATE_WORDS = {"open": "open", "not_open": "not open yet", "closed": "bookings closed", "past": "past",
                "cancelled": "cancelled"}


def _item_view(mine, cancel_verb: str) -> dict:
    event, booking = mine.event, mine.booking
    if booking.status == "waitlisted":
        status = f"On the waiting list (number {mine.waitlist_position})"
        verb = "Leave the waiting list"
    else:
        status = "Booked"
        verb = cancel_verb
    label = short_label(event) if event else booking.event_id
    return {"title": event.title if event else booking.event_id, "when": when(event) if event else "",
            "where": event.location if event else "", "status": status, "calendar_url": mine.calendar_url,
            "ref": booking.ref, "cancel_title": f"{verb}: {label}",
            # The joining link is for people with a place, not for the waiting list.
            "join_url": event.join_url if event and booking.status != "waitlisted" else None}


def _cancel_question(mine):
    event, booking = mine.event, mine.booking
    what = f"the {event.title} on {when(event)}" if event else "this event"
    if booking.status == "waitlisted":
        question = f"Leave the waiting list for {what}?"
        note = "You'd lose your place in the queue."
    else:
        question = f"Cancel your place on {what}?"
        note = "Your place will go to the next person on the waiting list."
    return _card("booking_cancel_confirm", question=question, note=note, ref=booking.ref)
