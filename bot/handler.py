"""The Teams activity handler: one object serves Teams, the console and the tests.

A turn is: skip it if Teams already delivered it, remember how to reach the user,
then route the message to a dialog, a card action or the FAQ answerer. State is
saved only when the turn succeeds, so a failing turn leaves stored state as it was.
"""
from __future__ import annotations

import asyncio
import contextlib
import html
import inspect
import logging
import re
import secrets
from datetime import timedelta
from typing import Optional

from botbuilder.core import (
    ActivityHandler,
    BotFrameworkAdapter,
    CardFactory,
    InvokeResponse,
    MessageFactory,
    TurnContext,
)
from botbuilder.dialogs import DialogTurnStatus
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from bot.cards import render_card
from bot.core import Core
from bot.ratelimit import SlidingWindowLimiter
from bot.registry import Registry
from bot.replies import HELD_REPLIES, text_and_card
from bot.storage import hold_state_writes, release_state_writes
from bot.router import Intent
from bot.security import card_data_problem
from bot.staff import staff_team_from
from bot.turn import Asker, asker_of
from integrations.db.host import EtagConflict
from integrations.db.turns import AlreadyDone, HeldReply, hold_turn_work, release_turn_work
from knowledge.intents.classifier import looks_interrogative

log = logging.getLogger(__name__)

HELP_WORDS = {"help", "?", "menu", "what can you do", "what can you do?"}
CANCEL_WORDS = {"cancel", "cancel that", "quit", "exit", "never mind", "nevermind"}
# "ask" is the first entry of the Teams command menu; choosing it sends just that word.
ASK_WORDS = {"ask", "ask a question"}
SLOW_DOWN = ("You're sending messages faster than I can answer them. Please wait a minute, "
             "then send your question again.")
UNREADABLE_CARD = "Sorry, I couldn't read that button press. Please try again from the card, or type \"help\"."
STAFF_ONLY = "Sorry, only the inclusion team can do that."
REFUSED = "senco.invoke_refused"
# Said after a failed turn that was in the middle of a form: the form is ended, never left to fail again.
STOPPED = (", so I've stopped what we were doing (nothing from it was saved). You can start it again, or ask "
           "me something else")
BUSY = ("Sorry, I was still working on another message of yours. Please send that one again.")
# A turn whose state another process changed meanwhile is run again, this many times in all.
TURN_ATTEMPTS = 3
# Replies committed with a turn are the turn's to send; the background sender takes any still
# undelivered after this (a crash between the commit and the send).
REPLY_GRACE = timedelta(seconds=60)
WELCOME_EXAMPLES = (
    "when does the NPQ deadline close?",
    "what is the school's role at tribunal?",
    "book an induction meeting",
)


class SencoBot(ActivityHandler):
    """The turn: everything it routes to comes from the Registry that features filled in."""

    def __init__(self, core: Core, registry: Registry):
        settings = core.settings
        self._clock = core.clock
        self._registry = registry
        self._conversation_state = registry.conversation_state
        self._user_state = registry.user_state
        self.router = registry.router
        self.dialogs = registry.dialogs
        self._references = core.references
        self._turns = core.turns
        self._locks = KeyedLocks()
        self._staff_ids = core.staff_ids
        self._dedupe_ttl = timedelta(seconds=settings.bot.dedupe_ttl_seconds)
        self._max_chars = settings.bot.max_message_chars
        # Counted in the database all replicas share (bot.ratelimit.SharedLimiter); a Core without one
        # (a tool, a test double) counts in this process.
        self._limiter = core.limiter or SlidingWindowLimiter(settings.bot.rate_limit_per_minute, core.clock)
        # Staff by membership of a Team, resolved once per turn before routing.
        self._staff_team = staff_team_from(settings, core.clock)
        # user id -> what this process last wrote for them; the database stays the source of truth.
        self._saved_references: dict[str, tuple] = {}
        # What the classifier reads as asking for help, or to stop, outside any dialog.
        self.router.add_intent(Intent("help", self._help_intent, labels=("help",)))
        self.router.add_intent(Intent("cancel", self._nothing_to_cancel, labels=("cancel_dialog",)))

    # -- the turn -----------------------------------------------------------------------------

    async def on_turn(self, turn_context: TurnContext):
        await self._turn(turn_context)
        if turn_context.activity.type == ActivityTypes.invoke \
                and turn_context.turn_state.get(BotFrameworkAdapter._INVOKE_RESPONSE_KEY) is None:
            # A repeated, throttled or busy invoke answers nothing, but Teams wants 200, not the SDK's 501.
            await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response,
                                                      value=InvokeResponse(status=200)))

    async def _turn(self, turn_context: TurnContext):
        activity = turn_context.activity
        key = None
        if activity.id and activity.type in (ActivityTypes.message, ActivityTypes.invoke):
            key = f"{activity.channel_id}|{getattr(activity.conversation, 'id', '')}|{activity.id}"[:600]
        # One turn at a time per conversation in this process: two messages sent at once would
        # otherwise both read the dialog state and one would overwrite the other. Across processes
        # the state's e-tag catches it and the turn is run again (below).
        async with self._conversation_lock(activity):
            if key is not None and await self._turns.is_done(key, self._clock.now()):
                log.info("duplicate activity acknowledged without processing")
                await self._resend_undelivered(turn_context, key)
                return
            if activity.type in (ActivityTypes.message, ActivityTypes.invoke) \
                    and not await self._within_rate_limit(turn_context):
                return
            if self._staff_team is not None:
                await self._staff_team.resolve(turn_context)
            await self._remember_reference(turn_context)
            if activity.type in (ActivityTypes.message, ActivityTypes.invoke):
                # A command ("book", "deadlines") reads the catalogues as much as a question does.
                for refresh in self._registry.before_turn:
                    await refresh()
            for attempt in range(1, TURN_ATTEMPTS + 1):
                try:
                    await self._run_and_commit(turn_context, key)
                    return
                except EtagConflict:
                    log.info("state changed under a turn (attempt %d); running it again", attempt)
                    for state in (self._conversation_state, self._user_state):
                        turn_context.turn_state.pop(state._context_service_key, None)
                except AlreadyDone:
                    log.info("duplicate activity committed by another delivery; its replies were dropped")
                    return
            await self._send_now(turn_context, [MessageFactory.text(BUSY)])

    async def _run_and_commit(self, turn_context: TurnContext, key: Optional[str]) -> None:
        """Runs the turn with its replies and state held back, then commits them with the done mark and
        sends the replies at once. Nothing the turn says leaves before its commit."""
        holds = getattr(turn_context.adapter, "holds_replies", False)
        held: list = []
        if holds:
            turn_context.turn_state[HELD_REPLIES] = held
        writes, token = hold_state_writes()
        work, work_token = hold_turn_work()
        try:
            try:
                await super().on_turn(turn_context)
                await self._conversation_state.save_changes(turn_context)
                await self._user_state.save_changes(turn_context)
            except EtagConflict:
                raise
            except Exception:
                code = secrets.token_hex(3).upper()
                log.exception("turn failed, reference %s", code)
                # The failed turn's state and replies are dropped; only the apology goes out.
                held.clear()
                writes.clear()
                work.clear()
                stopped = await self._end_dialog_after_crash(turn_context, writes, code)
                try:
                    await turn_context.send_activity(
                        f"Sorry, something went wrong on my side{STOPPED if stopped else ''}. If it keeps "
                        f"happening, quote reference {code} to the inclusion team."
                    )
                except Exception as exc:
                    log.warning("could not send the apology for %s: %s", code, type(exc).__name__)
        finally:
            release_turn_work(work_token)
            release_state_writes(token)
            turn_context.turn_state.pop(HELD_REPLIES, None)
        incoming = turn_context.activity
        # Serialised once: the outbox row and the POST are made from the same body.
        bodies = [reply.serialize() for reply in held]
        replies = [HeldReply(user_id=_recipient_id(incoming, reply), text=text, card=card)
                   for reply, body in zip(held, bodies) for text, card in [text_and_card(body)]]
        now = self._clock.now()
        ids = await self._turns.commit(activity_key=key, now=now, ttl=self._dedupe_ttl, writes=writes,
                                       replies=replies, grace=REPLY_GRACE, work=work)
        if held:
            await self._deliver(turn_context, held, ids, bodies)

    async def _end_dialog_after_crash(self, turn_context: TurnContext, writes: list, code: str) -> bool:
        """Ends the dialog a failed turn was in. Its stored state is what made the step fail (an event that
        is gone, a value no step expected), so keeping it would fail the same way on every later message
        and read them all as answers to it: only "cancel" would get the user out."""
        for state in (self._conversation_state, self._user_state):
            turn_context.turn_state.pop(state._context_service_key, None)
        try:
            dc = await self.dialogs.create_context(turn_context)
            if dc.active_dialog is None:
                return False
            name = dc.active_dialog.id
            await dc.cancel_all_dialogs()
            await self._conversation_state.save_changes(turn_context)
        except Exception as exc:
            # The database itself may be what failed: then the apology alone goes out, as before.
            log.warning("could not end the dialog after %s: %s", code, type(exc).__name__)
            writes.clear()
            return False
        log.info("ended dialog %s after the failed turn %s", name, code)
        return True

    async def _deliver(self, turn_context: TurnContext, activities: list, ids: list[int],
                       bodies: Optional[list] = None) -> None:
        for n, (activity, reply_id) in enumerate(zip(activities, ids)):
            try:
                [outcome] = await turn_context.adapter.send_held(
                    turn_context, [activity], bodies=None if bodies is None else [bodies[n]])
            except Exception as exc:
                # Committed already: the background sender delivers it once the grace has passed.
                log.warning("a reply was not sent after the turn (%s); left in the outbox", type(exc).__name__)
                continue
            # Recorded at once, reply by reply: a crash can repeat only the reply in flight at that moment.
            now = self._clock.now()
            if outcome == "later":
                await self._turns.due_now([reply_id], now)
            else:
                await self._turns.delivered([reply_id], now, status="sent" if outcome == "sent" else "failed")

    async def _resend_undelivered(self, turn_context: TurnContext, key: str) -> None:
        """A retry of a committed turn: send what it said that has not reached the user yet."""
        if not getattr(turn_context.adapter, "holds_replies", False):
            return
        now = self._clock.now()
        queued = await self._turns.take_undelivered(key, f"turn-{secrets.token_hex(4)}", now, REPLY_GRACE)
        if not queued:
            return
        activities = []
        for reply in queued:
            activity = MessageFactory.text(reply.text) if reply.card is None else \
                MessageFactory.attachment(CardFactory.adaptive_card(reply.card), text=reply.text or None)
            activities.append(TurnContext.apply_conversation_reference(
                activity, TurnContext.get_conversation_reference(turn_context.activity)))
        await self._deliver(turn_context, activities, [reply.id for reply in queued])

    async def _send_now(self, turn_context: TurnContext, activities: list) -> None:
        try:
            await turn_context.send_activities(activities)
        except Exception as exc:
            log.warning("could not send a reply outside a turn: %s", type(exc).__name__)

    def _conversation_lock(self, activity):
        name = f"{activity.channel_id}|{getattr(activity.conversation, 'id', '')}"
        return self._locks.lock(name)

    async def _within_rate_limit(self, turn_context: TurnContext) -> bool:
        sender = turn_context.activity.from_property
        key = sender.id if sender and isinstance(sender.id, str) else ""
        verdict = self._limiter.check(key)
        if inspect.isawaitable(verdict):
            verdict = await verdict
        if verdict.allowed:
            return True
        if verdict.first_refusal:
            log.info("a user went over %d messages a minute; their messages are ignored for a while",
                     self._limiter.limit)
            await turn_context.send_activity(SLOW_DOWN)
        if turn_context.activity.type == ActivityTypes.invoke:
            await _send_invoke_message(turn_context, SLOW_DOWN)
        return False

    async def _remember_reference(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        sender = activity.from_property
        # Nobody can be reached back without an id: an empty one (fuzzed or broken clients) is not kept.
        if not sender or not isinstance(sender.id, str) or not sender.id.strip() or not activity.conversation \
                or not activity.service_url:
            return
        if activity.type not in (ActivityTypes.message, ActivityTypes.conversation_update, ActivityTypes.invoke):
            return
        asker = self.asker(turn_context)
        reference = TurnContext.get_conversation_reference(activity).serialize()
        # The incoming activity's id changes with every message but a proactive message never needs
        # it: leaving it out of the comparison saves a database write on every message.
        fingerprint = (asker.tenant_id, asker.name, asker.aad_object_id,
                       repr(sorted((k, v) for k, v in reference.items() if k != "activityId")))
        if self._saved_references.get(sender.id) == fingerprint:
            # Unchanged since this process last stored it: skip a write on the hot path.
            return
        await self._references.save(
            user_id=sender.id,
            channel_id=activity.channel_id or "",
            conversation_id=activity.conversation.id or "",
            service_url=activity.service_url,
            tenant_id=asker.tenant_id or None,
            user_name=asker.name or None,
            aad_object_id=asker.aad_object_id or None,
            reference=reference,
            now=self._clock.now(),
        )
        if len(self._saved_references) > 10_000:
            self._saved_references.clear()
        self._saved_references[sender.id] = fingerprint

    def forget_reference(self, user_id: str) -> None:
        """The stored reference was erased (delete my data): store it again on the user's next message."""
        self._saved_references.pop(user_id, None)

    def asker(self, turn_context: TurnContext) -> Asker:
        return asker_of(turn_context, self._staff_ids)

    # -- activity types -----------------------------------------------------------------------

    async def on_members_added_activity(self, members_added: list[ChannelAccount], turn_context: TurnContext):
        bot_id = getattr(turn_context.activity.recipient, "id", None)
        for member in members_added or []:
            if member.id == bot_id:
                continue
            first = (member.name or "").split()[0] if member.name else ""
            card = render_card("welcome", first_name=first, examples=list(WELCOME_EXAMPLES))
            await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))
            for greet in self._registry.greeters:
                await greet(turn_context, self.asker(turn_context))

    async def on_message_activity(self, turn_context: TurnContext):
        activity = turn_context.activity
        text = _plain_text(_without_bot_mention(activity))
        if len(text) > self._max_chars:
            # Answering the first part of a long message as if it were all of it answers the wrong thing (and
            # logs it as unanswered): the question a busy SENCO pastes context around is read on its own,
            # and a message with no question in it is handed back.
            question = last_question(text, self._max_chars)
            if question is None:
                await turn_context.send_activity(
                    f"Your message is too long for me to read ({len(text):,} characters; I can read "
                    f"{self._max_chars:,}), and I couldn't find a question in it. Please send just your "
                    "question, in a sentence or two."
                )
                return
            await turn_context.send_activity(
                f"Your message was very long ({len(text):,} characters), so I've read only its last question: "
                f"\"{question}\". If you wanted something else, please send that on its own."
            )
            text = question
        if isinstance(activity.text, str) and activity.text != text and activity.value is None:
            # Dialogs read the activity's text: they see what was read here, not the raw HTML or the long paste.
            activity.text = text
        if activity.value is not None:
            problem = card_data_problem(activity.value)
            if problem:
                # Dialogs read activity.value too, so bad data stops here, before any of them.
                log.warning("ignored card data no card of ours could have sent (%s)", problem)
                await turn_context.send_activity(UNREADABLE_CARD)
                return
        value = activity.value if isinstance(activity.value, dict) else None
        asker = self.asker(turn_context)
        dc = await self.dialogs.create_context(turn_context)
        lowered = text.lower().rstrip(".!")

        if value and isinstance(value.get("action"), str):
            if await self._run_card_action(turn_context, dc, asker, value):
                return
        if lowered in CANCEL_WORDS:
            if dc.active_dialog:
                await dc.cancel_all_dialogs()
                await turn_context.send_activity("OK, I've stopped that. What would you like to do next?")
            else:
                await self._nothing_to_cancel(turn_context, dc, text)
            return
        if lowered in HELP_WORDS:
            await self.send_help(turn_context, asker)
            return
        if lowered in ASK_WORDS and not dc.active_dialog:
            await turn_context.send_activity(
                f"What would you like to know? Type your question in your own words, for example "
                f"\"{WELCOME_EXAMPLES[0]}\""
            )
            return
        if dc.active_dialog and text:
            interrupting = self.router.interrupting(text, is_staff=asker.is_staff, dialog_id=dc.active_dialog.id)
            if interrupting is not None:
                await dc.cancel_all_dialogs()
                await turn_context.send_activity("I've stopped what we were doing.")
                await interrupting.start(turn_context, dc, text)
                return
        if dc.active_dialog:
            result = await dc.continue_dialog()
            if result.status != DialogTurnStatus.Empty:
                return
        if not text:
            await turn_context.send_activity("I didn't catch a question there. Type \"help\" to see what I can do.")
            return
        intent = self.router.best(text, is_staff=asker.is_staff)
        if intent is not None:
            await intent.start(turn_context, dc, text)
            return
        await self._registry.fallback(turn_context, asker, text)

    async def _help_intent(self, turn_context: TurnContext, dc, text: str) -> None:
        await self.send_help(turn_context, self.asker(turn_context))

    async def _nothing_to_cancel(self, turn_context: TurnContext, dc, text: str) -> None:
        await turn_context.send_activity("There's nothing to cancel. Ask me a question or type \"help\".")

    async def _run_card_action(self, turn_context: TurnContext, dc, asker: Asker, data: dict) -> bool:
        name = data["action"]
        if name == "help":
            await self.send_help(turn_context, asker)
            return True
        action = self.router.action(name)
        if action is None:
            # Not a global action: it belongs to the active dialog's card, if any.
            return False
        if action.staff_only and not asker.is_staff:
            log.warning("non-staff user attempted staff action %s", name)
            turn_context.turn_state[REFUSED] = STAFF_ONLY
            await turn_context.send_activity(STAFF_ONLY)
            return True
        await action.handle(turn_context, dc, data)
        return True

    async def send_help(self, turn_context: TurnContext, asker: Asker) -> None:
        lines = [{"command": "Ask a question", "description": "in your own words, about anything the forum covered"}]
        lines += self.router.help_lines(is_staff=asker.is_staff)
        lines += [{"command": "cancel", "description": "stop what we're doing"}]
        card = render_card("help", lines=lines)
        await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name != "adaptiveCard/action":
            # Teams expects 200 with no body for an invoke a bot does not handle (a 501 shows an error).
            return InvokeResponse(status=200)
        # Action.Execute (universal actions) arrives as an invoke; its data is handled like a submit.
        # The body is a plain dict so the web route serialises it exactly once.
        value = turn_context.activity.value if isinstance(turn_context.activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        problem = card_data_problem(data)
        if problem:
            log.warning("ignored card data no card of ours could have sent (%s)", problem)
            return _invoke_message(UNREADABLE_CARD)
        asker = self.asker(turn_context)
        dc = await self.dialogs.create_context(turn_context)
        handled = False
        if isinstance(data.get("action"), str):
            handled = await self._run_card_action(turn_context, dc, asker, data)
        if not handled and dc.active_dialog:
            turn_context.activity.value = data
            await dc.continue_dialog()
            handled = True
        return InvokeResponse(
            status=200,
            body={
                "statusCode": 200,
                "type": "application/vnd.microsoft.activity.message",
                "value": turn_context.turn_state.get(REFUSED) or
                ("Done" if handled else "That button has expired. Please ask again."),
            },
        )


def _invoke_message(text: str) -> InvokeResponse:
    return InvokeResponse(status=200, body={"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                                            "value": text})


async def _send_invoke_message(turn_context: TurnContext, text: str) -> None:
    # Outside on_invoke_activity the response must be sent explicitly, or Teams gets a 501.
    await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response, value=_invoke_message(text)))


def _without_bot_mention(activity) -> str:
    """The message text without the "<at>Bot</at>" Teams adds in channels.

    The SDK's remove_recipient_mention raises on malformed mention entities; this
    reads them defensively and leaves the text alone if they make no sense.
    """
    text = activity.text if isinstance(activity.text, str) else ""
    bot_id = getattr(activity.recipient, "id", None)
    for entity in activity.entities or []:
        properties = getattr(entity, "additional_properties", None) or {}
        if getattr(entity, "type", None) != "mention":
            continue
        mentioned = properties.get("mentioned")
        marked = properties.get("text")
        if isinstance(mentioned, dict) and mentioned.get("id") == bot_id and isinstance(marked, str) and marked:
            text = text.replace(marked, "")
    return text.strip()


_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_BREAK = re.compile(r"<(?:br|/p|/div|/li|/h[1-6])\b[^<>]*>", re.IGNORECASE)


def _plain_text(text: str) -> str:
    """The words of a message Teams (or a pasted email) sent as HTML ("<p>what is stls</p>"): tags out,
    entities read, paragraphs and line breaks kept as new lines. Text without tags is left as typed."""
    if not _TAG.search(text):
        return text
    text = _BREAK.sub("\n", text)
    text = html.unescape(_TAG.sub("", text)).replace("\xa0", " ")
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


# A question in a long message is a sentence or two; longer segments are the pasted context around it.
_MAX_QUESTION_CHARS = 400
_SENTENCE_END = re.compile(r"(?<=[?.!])\s+|\n+")


def last_question(text: str, limit: int) -> Optional[str]:
    """The last sentence of ``text`` that asks something and fits the limit, or None."""
    sentences = [" ".join(s.split()) for s in _SENTENCE_END.split(text)]
    for sentence in reversed([s for s in sentences if s]):
        if len(sentence) > min(limit, _MAX_QUESTION_CHARS):
            continue
        if looks_interrogative(sentence):
            return sentence
    return None


def _recipient_id(incoming, reply) -> str:
    user = reply.recipient or incoming.from_property
    return getattr(user, "id", None) or ""


class KeyedLocks:
    """One asyncio lock per key, dropped when nobody holds or waits for it."""

    def __init__(self):
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def lock(self, key: str):
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
