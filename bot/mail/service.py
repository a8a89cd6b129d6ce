"""The email assistant: questions mailed to the team mailbox get the same answers as in Teams, by a
threaded auto-reply that can never start a mail loop, and every message lands in the FAQ collation inbox.

Exactly once, whatever crashes when:
1. the message is recorded as processed and its reply queued in the outbox in ONE transaction;
2. it is logged to the inbox, then marked logged;
3. the outbox is sent (the reply keeps the Message-ID it was given in step 1), then marked sent;
4. the mailbox is told it was handled and the cursor moves on.
A crash before 1 redoes everything; after 1 the decision stands and only the missing steps run again.
A crash between sending and marking sent resends the same message with the same Message-ID, which
receiving servers recognise as the same message.

Plain Python: no botbuilder. Never logs message text, subjects or addresses.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import socket
import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any, Callable, Iterable, Optional, Sequence
from urllib.parse import quote

from bot.clock import Clock, british_date, british_datetime, london
from bot.privacy.edge import scrub_message
from bot.rendering import render
from bot.mail.ports import MailStore
from integrations.db.mail import Decided, PlannedReply, Redelivered, ReplyWindow
from integrations.mail.parse import ParsedMail, loop_reason, parse_message
from knowledge.models import AnswerResult

log = logging.getLogger(__name__)

MAX_ANSWERS = 3
MAX_REFERENCES = 10
# Subjects that say nothing about the question; never asked on their own.
_GENERIC_SUBJECT = re.compile(
    r"^(re|fw|fwd)?\s*:?\s*(question|query|enquiry|inquiry|help|senco( forum)?( question| query)?|forum( question)?|"
    r"hello|hi|request|urgent|quick question|a question)?\s*[.!?]*$",
    re.IGNORECASE,
)
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|antw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.?!\n]+[.?!]*")


@dataclass(frozen=True)
class MailAssistantConfig:
    team_address: str
    team_name: str
    window: ReplyWindow
    own_addresses: tuple[str, ...] = ()
    booking_link: str = ""
    bot_app_id: str = ""
    # Keys the sender hash (HMAC), so a stolen database does not give addresses back by dictionary.
    sender_key: str = ""


@dataclass(frozen=True)
class Consultation:
    """What the knowledge base says about one email."""

    kind: str                            # answer|partial|suggest|acknowledge|empty
    answers: tuple[AnswerResult, ...]    # answers (or, for suggest, the suggested entries) to send
    log_result: AnswerResult             # what the inbox records
    text: str                            # the question text logged (before redaction by the inbox)
    needs_person: bool = False           # answered, but staff must still reply (a dated item has passed)

    @property
    def confident(self) -> bool:
        return self.kind == "answer"


@dataclass(frozen=True)
class Handled:
    new: bool              # False: seen before (a redelivery or a restart), nothing decided again
    decision: str          # answer|partial|suggest|acknowledge|empty|log
    reason: Optional[str]  # why no reply
    logged: bool


@dataclass
class FlushReport:
    sent: int = 0
    failed: int = 0
    waiting: int = 0


class MailAssistant:
    def __init__(
        self,
        repo: MailStore,
        *,
        faq,
        recorder,
        clock: Clock,
        sender: Optional[Any],
        config: MailAssistantConfig,
        events: Optional[Callable[[], Iterable[Any]]] = None,
        backoff_base: float = 30.0,
        backoff_max: float = 1800.0,
        redactor=None,
    ):
        self._repo = repo
        self._faq = faq
        self._recorder = recorder
        self._clock = clock
        self._sender = sender   # None when mail is disabled: replies wait in the outbox
        self._config = config
        # The live events catalogue (the bookings feature's), to offer open events in replies.
        self._events = events or tuple
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        # The reply is stored in the outbox until sent: what it echoes of the sender's mail is redacted.
        self._redactor = redactor

    @property
    def repo(self) -> MailStore:
        return self._repo

    # -- one incoming message ---------------------------------------------------------------------

    async def handle(self, raw: bytes) -> Handled:
        mail = parse_message(raw)
        existing = await self._repo.processed(mail.key)
        if existing is not None:
            if existing.logged_at is None:
                # Decided before a crash but never logged: log it now (the reply is already queued).
                await self._log(mail, self.consult(mail), existing.decision, existing.reason)
            return Handled(False, existing.decision, existing.reason, True)
        reason = loop_reason(mail, (self._config.team_address, *self._config.own_addresses))
        consultation = self.consult(mail) if reason is None else self._unanswered(mail)
        reply = None
        if reason is None:
            message = self.compose(mail, consultation)
            reply = PlannedReply(
                reply_message_id=message["Message-ID"],
                content=bytes(message),
                confident=consultation.confident,
                decision=consultation.kind,
            )
        try:
            decided: Decided = await self._repo.decide(
                message_key=mail.key,
                sender_hash=sender_hash(mail.sender, self._config.sender_key) if mail.sender else None,
                reply=reply,
                no_reply_reason=reason,
                window=self._config.window,
                now=self._clock.now(),
            )
        except Redelivered:
            return Handled(False, "log", "raced", False)
        if not decided.created:
            return Handled(False, decided.decision, decided.reason, decided.processed.logged_at is not None)
        await self._log(mail, consultation, decided.decision, decided.reason)
        log.info("mail handled decision=%s reason=%s", decided.decision, decided.reason or "-")
        return Handled(True, decided.decision, decided.reason, True)

    async def _log(self, mail: ParsedMail, consultation: Consultation, decision: str, reason: Optional[str]) -> None:
        query_id = None
        if self._recorder is not None:
            robot = reason not in (None, "reply-window")
            kwargs = dict(
                channel="email",
                asker_id=mail.sender or "unknown-sender",
                asker_name=mail.sender_name,
                text=consultation.text,
                result=consultation.log_result,
                message_id=mail.message_id,
                subject=mail.subject or None,
            )
            if robot:
                kwargs["needs_answer"] = False
            elif consultation.kind == "partial" or consultation.needs_person:
                kwargs["needs_answer"] = True
            query_id = await self._recorder.record(**kwargs)
        await self._repo.mark_logged(mail.key, query_id, self._clock.now())

    # -- asking the knowledge base -----------------------------------------------------------------

    def _passed(self, results) -> list[AnswerResult]:
        today = london(self._clock.now()).date()
        return [r for r in results if r.entry is not None and r.entry.date is not None and r.entry.date.on < today]

    def consult(self, mail: ParsedMail) -> Consultation:
        body = mail.body.strip()
        subject = _REPLY_PREFIX.sub("", mail.subject or "").strip()
        text = body or ("" if _GENERIC_SUBJECT.match(subject) else subject)
        logged_text = _with_attachments(body or subject, mail)
        if not text:
            return Consultation("empty", (), _declined(logged_text), logged_text)
        whole = self._faq.ask(text)
        questions = [q for q in question_sentences(text) if q != text]
        per_question = [(q, self._faq.ask(q)) for q in questions]
        answered: dict[str, AnswerResult] = {}
        for result in [whole, *(r for _, r in per_question)]:
            if result.outcome == "answer" and result.entry is not None:
                kept = answered.get(result.entry.id)
                if kept is None or result.confidence > kept.confidence:
                    answered[result.entry.id] = result
        best = sorted(answered.values(), key=lambda r: -r.confidence)[:MAX_ANSWERS]
        if best:
            unanswered = [q for q, r in per_question if r.outcome == "decline"]
            if unanswered and whole.outcome != "answer":
                return Consultation("partial", tuple(best), _declined(logged_text, best[0].confidence), logged_text)
            # "The forum covered this", about a date now gone: the reply still helps, but someone must say
            # what is next, so the question also waits in the inbox as needing an answer.
            return Consultation("answer", tuple(best), best[0], logged_text,
                                needs_person=bool(self._passed(best)))
        suggested: list[str] = []
        for result in [whole, *(r for _, r in per_question)]:
            for suggestion in result.suggestions if result.outcome == "suggest" else ():
                if suggestion.faq_id not in suggested:
                    suggested.append(suggestion.faq_id)
        shown = tuple(r for r in (self._faq.show(faq_id) for faq_id in suggested[:MAX_ANSWERS]) if r is not None)
        if shown:
            return Consultation("suggest", shown, whole if whole.outcome == "suggest" else shown[0], logged_text)
        return Consultation("acknowledge", (), whole, logged_text)

    def _unanswered(self, mail: ParsedMail) -> Consultation:
        """Automated mail is logged as it came; the answerer is not asked about an out-of-office."""
        text = _with_attachments(mail.body.strip() or mail.subject, mail)
        return Consultation("acknowledge", (), _declined(text), text)

    # -- the reply --------------------------------------------------------------------------------

    def compose(self, mail: ParsedMail, consultation: Consultation) -> EmailMessage:
        config = self._config
        now = self._clock.now()
        context = dict(
            kind=consultation.kind,
            name=first_name(mail.sender_name),
            answers=[
                {"question": r.entry.question if r.entry else r.question,
                 "answer": without_stray_yes_no(r.entry.question if r.entry else r.question, r.answer_text or ""),
                 "source": r.source_line or ""}
                for r in consultation.answers
            ],
            # By type, never by file name: file names often name the child ("Tyler-Brooks-EHCP.pdf").
            attachments=[a.content_type for a in mail.attachments],
            events=self._bookable_events(mail, consultation),
            team_name=config.team_name,
            team_address=config.team_address,
            subject=reply_subject(scrub_message(mail.subject, consultation.text, self._redactor)[0]),
            passed=[{"question": r.entry.question, "on": british_date(r.entry.date.on)}
                    for r in self._passed(consultation.answers)],
        )
        message = EmailMessage()
        message["From"] = formataddr((config.team_name, config.team_address))
        message["To"] = mail.sender
        message["Subject"] = context["subject"]
        message["Date"] = format_datetime(now)
        message["Message-ID"] = make_msgid(domain=_domain(config.team_address))
        if mail.message_id:
            message["In-Reply-To"] = mail.message_id
            message["References"] = " ".join([*mail.references[-(MAX_REFERENCES - 1):], mail.message_id])
        # RFC 3834: marks this as an automatic reply, so well-behaved responders stay silent.
        message["Auto-Submitted"] = "auto-replied"
        # Exchange's equivalent: no out-of-office or auto-reply in answer to this one.
        message["X-Auto-Response-Suppress"] = "All"
        message["X-Senco-Assistant"] = "auto-reply"
        message.set_content(render("email/autoreply.txt.j2", **context))
        message.add_alternative(render("email/autoreply.html.j2", **context), subtype="html")
        return message

    def _bookable_events(self, mail: ParsedMail, consultation: Consultation) -> list[dict]:
        kinds = event_kinds(consultation.text, consultation.answers)
        if not kinds:
            return []
        now = self._clock.now()
        found = []
        for event in self._events():
            if event.kind in kinds and event.booking_state(now) == "open":
                found.append({
                    "title": event.title,
                    "when": british_datetime(event.start),
                    "where": event.location,
                    "link": self.booking_link(event),
                })
        return found[:4]

    def booking_link(self, event) -> str:
        if self._config.booking_link:
            return self._config.booking_link.format(event_id=quote(event.id), title=quote(event.title))
        if self._config.bot_app_id:
            # A Teams deep link that opens a chat with the assistant, the booking request already typed.
            return (f"https://teams.microsoft.com/l/chat/0/0?users=28:{quote(self._config.bot_app_id)}"
                    f"&message={quote('book the ' + event.title + ' on ' + british_datetime(event.start))}")
        return ""

    # -- the outbox ---------------------------------------------------------------------------------

    async def flush_outbox(self, limit: int = 200) -> FlushReport:
        """Sends queued replies; a failure leaves the reply queued for a later try (with backoff)."""
        report = FlushReport()
        sender = self._sender
        items = await self._repo.unsent(limit)
        if sender is None:
            report.waiting = len(items)
            return report
        now = self._clock.now()
        for item in items:
            if item.attempts and item.last_attempt_at is not None and \
                    now < item.last_attempt_at + self._backoff(item.attempts):
                report.waiting += 1
                continue
            message = _message_from(item.content)
            try:
                await sender.send(message)
            except Exception as exc:
                log.warning("auto-reply %s not sent yet: %s", item.id[:8], type(exc).__name__)
                await self._repo.note_failure(item.id, type(exc).__name__, self._clock.now())
                report.failed += 1
                # The server is down for everyone: stop here and let the backoff space out the retries.
                break
            await self._after_send(item.id)
            report.sent += 1
        return report

    async def _after_send(self, outbox_id: str) -> None:
        """Marks a reply sent (a seam tests interrupt to crash between sending and marking)."""
        await self._repo.mark_sent(outbox_id, self._clock.now())

    def _backoff(self, attempts: int) -> timedelta:
        seconds = min(self._backoff_max, self._backoff_base * (2 ** max(0, attempts - 1)))
        return timedelta(seconds=seconds)


# -- the worker -----------------------------------------------------------------------------------------


@dataclass
class PollReport:
    held_elsewhere: bool = False
    fetched: int = 0
    new: int = 0
    replied: int = 0
    sent: int = 0
    send_failed: int = 0
    quarantined: int = 0
    decisions: dict[str, int] = field(default_factory=dict)


class MailWorker:
    """Reads the mailbox, hands each message to the assistant, sends the outbox, moves the cursor.

    Only one worker reads a mailbox at a time (a lease in the database), so several replicas of
    the bot can all run one.
    """

    def __init__(
        self,
        mailbox,
        assistant: MailAssistant,
        clock: Clock,
        *,
        batch_size: int = 50,
        poll_seconds: float = 60.0,
        lease: Optional[timedelta] = None,
        holder: Optional[str] = None,
        retry_base: float = 1.0,
        retry_max: float = 300.0,
        sleep: Callable[[float], Any] = asyncio.sleep,
        max_tries: int = 3,
    ):
        self._mailbox = mailbox
        self._assistant = assistant
        self._repo = assistant.repo
        self._clock = clock
        self._batch = batch_size
        self._poll = poll_seconds
        self._lease = lease or timedelta(seconds=max(120.0, 3 * poll_seconds))
        # host:pid:random, so a restarted worker on the same host can tell its crashed predecessor's
        # lease from a live worker's and take it at once instead of waiting for it to run out.
        self.holder = holder or f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._max_tries = max_tries
        self._retry_base = retry_base
        self._retry_max = retry_max
        self._sleep = sleep

    async def poll_once(self) -> PollReport:
        report = PollReport()
        cursor = await self._repo.acquire(self._mailbox.name, self.holder, self._clock.now(), self._lease)
        if cursor is None and await self._holder_died():
            cursor = await self._repo.acquire(self._mailbox.name, self.holder, self._clock.now(), self._lease)
        if cursor is None:
            report.held_elsewhere = True
            return report
        self._add_flush(report, await self._assistant.flush_outbox())
        position = cursor.position
        while True:
            batch = await self._mailbox.fetch_new(position, self._batch)
            for incoming in batch.messages:
                handled = await self._handle(incoming.raw)
                if handled is None:
                    report.quarantined += 1
                    continue
                report.fetched += 1
                report.new += handled.new
                if handled.new:
                    report.decisions[handled.decision] = report.decisions.get(handled.decision, 0) + 1
                    report.replied += handled.decision != "log"
            self._add_flush(report, await self._assistant.flush_outbox())
            await self._mailbox.mark_processed([m.ref for m in batch.messages])
            if batch.position is not None and batch.position != position:
                if not await self._repo.advance(self._mailbox.name, self.holder, batch.position, self._clock.now()):
                    log.warning("mail worker lost the mailbox lease; another worker carries on")
                    break
                position = batch.position
            await self._repo.acquire(self._mailbox.name, self.holder, self._clock.now(), self._lease)
            if len(batch.messages) < self._batch:
                break
        return report

    async def _handle(self, raw: bytes) -> Optional[Handled]:
        """The message handled, or None when it is (now) quarantined. Below the bound a failure is raised,
        so the poll is retried later with the message in its place."""
        raw_hash = "sha256:" + hashlib.sha256(raw).hexdigest()
        if await self._repo.is_quarantined(raw_hash):
            return None
        try:
            return await self._assistant.handle(raw)
        except Exception as exc:
            # The type and where it was raised: never the message's text (personal data).
            reason = f"{type(exc).__name__} in {_where(exc)}"
            if await self._repo.failed(raw_hash, raw, reason, self._clock.now(), self._max_tries):
                log.error("mail quarantined after %d failed tries (%s); staff can see it with "
                          "'sencobot mail quarantine'", self._max_tries, reason)
                return None
            raise

    async def _holder_died(self) -> bool:
        holder = await self._repo.holder_of(self._mailbox.name)
        if not holder or holder == self.holder or not _dead_on_this_host(holder):
            return False
        taken = await self._repo.take_over(self._mailbox.name, holder, self.holder, self._clock.now(), self._lease)
        if taken:
            log.info("took over the mailbox lease from a worker on this host that is no longer running")
        return taken

    @staticmethod
    def _add_flush(report: PollReport, flush: FlushReport) -> None:
        report.sent += flush.sent
        report.send_failed += flush.failed

    async def run(self) -> None:
        """Polls for ever: IDLE (or a sleep) between polls, growing pauses while something is down."""
        failures = 0
        try:
            while True:
                try:
                    report = await self.poll_once()
                    failures = 0
                    if report.new:
                        log.info("mail poll: %d new, %d replies queued, %d sent", report.new, report.replied,
                                 report.sent)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    failures += 1
                    delay = min(self._retry_max, self._retry_base * 2 ** min(failures - 1, 16))
                    log.warning("mail poll failed (%s); retrying in %.0f s", type(exc).__name__, delay)
                    await self._sleep(delay + random.uniform(0, delay / 4))
                    continue
                try:
                    await self._mailbox.wait_for_new(self._poll)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("waiting for mail failed: %s", type(exc).__name__)
        finally:
            await self.close()

    async def close(self) -> None:
        """Lets another worker take the mailbox at once, and logs out."""
        try:
            await self._repo.release(self._mailbox.name, self.holder)
        finally:
            await self._mailbox.close()


# -- helpers ----------------------------------------------------------------------------------------------


def question_sentences(text: str) -> list[str]:
    """The sentences of an email that ask something (end in "?"), in order, at most a handful."""
    found = []
    for match in _SENTENCE.finditer(text):
        sentence = " ".join(match.group().split())
        if sentence.endswith("?") and len(sentence.split()) >= 3 and sentence not in found:
            found.append(sentence)
    return found[:6]


_EVENT_TAGS = {"webinars": "webinar", "webinar": "webinar", "induction": "induction"}
_EVENT_WORDS = {"webinar": "webinar", "webinars": "webinar", "induction": "induction", "inductions": "induction"}


def event_kinds(text: str, answers: Sequence[AnswerResult]) -> set[str]:
    """Which kinds of bookable event the question or its answers are about."""
    kinds = {_EVENT_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in _EVENT_WORDS}
    for result in answers:
        if result.entry is not None:
            kinds.update(_EVENT_TAGS[t] for t in result.entry.tags if t in _EVENT_TAGS)
    return kinds


def reply_subject(subject: Optional[str]) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        return "Re: your question to the SENCO Forum"
    return subject if re.match(r"(?i)^re\s*:", subject) else f"Re: {subject}"


def first_name(display_name: str) -> str:
    name = " ".join((display_name or "").replace('"', "").split())
    if not name or "@" in name:
        return ""
    if "," in name:  # "Senco, Sam" as directories write it
        name = name.split(",", 1)[1].strip() or name.split(",", 1)[0]
    first = name.split()[0]
    return first if first[:1].isalpha() else ""


def sender_hash(address: str, key: str = "") -> str:
    message = ("sencobot-mail-window:" + address.strip().lower()).encode("utf-8", "replace")
    if not key:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(hashlib.sha256(("mail-sender:" + key).encode()).digest(), message, hashlib.sha256).hexdigest()


_YES_NO_QUESTION = re.compile(r"^\s*(is|are|was|were|do|does|did|can|could|will|would|should|shall|has|have|"
                              r"had|must|may|might)\b", re.IGNORECASE)
_LEADING_YES_NO = re.compile(r"^\s*(yes|no)[.,:;!]\s+", re.IGNORECASE)


def without_stray_yes_no(question: str, answer: str) -> str:
    """A "Yes." or "No." opening only reads right under a yes/no question; under any other it is a fragment."""
    if _YES_NO_QUESTION.match(question or ""):
        return answer
    stripped = _LEADING_YES_NO.sub("", answer, count=1)
    return stripped[:1].upper() + stripped[1:] if stripped != answer else answer


def _declined(text: str, confidence: float = 0.0) -> AnswerResult:
    return AnswerResult(question=text, outcome="decline", confidence=confidence)


def _with_attachments(text: str, mail: ParsedMail) -> str:
    """The logged text notes attachments by type only: file names often name a child."""
    if not mail.attachments:
        return text
    kinds = ", ".join(sorted({a.content_type for a in mail.attachments}))
    count = len(mail.attachments)
    note = f"[{count} attachment{'s' if count != 1 else ''} not read: {kinds}]"
    return f"{text}\n\n{note}" if text else note


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def _message_from(content: bytes) -> EmailMessage:
    from email import policy
    from email.parser import BytesParser

    return BytesParser(policy=policy.default).parsebytes(content)


def _where(exc: BaseException) -> str:
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    if frame is None:
        return "?"
    return f"{os.path.basename(frame.tb_frame.f_code.co_filename)}:{frame.tb_lineno}"


def _dead_on_this_host(holder: str) -> bool:
    parts = holder.split(":")
    if len(parts) != 3 or parts[0] != socket.gethostname()[:30] or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False
