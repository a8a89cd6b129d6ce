"""A SENCO's own tribunal cases: British dates in, milestones and reminders out.

Milestones follow the forum deck's timeline ("Tribunal – the role of the school"):
parents have 8 weeks from a final EHCP to register an appeal; the school receives the
bundle about 4 weeks before the hearing; a pre-hearing meeting preps the school's witness
about 1 week before; then the hearing. Dates are local (Europe/London) days; reminders go
at the configured local time on each lead day, stored as UTC instants.

A case is known only by a reference the SENCO chooses. Children's names must never be
stored: anything the redactor recognises is removed, and a reference that reads like a
name is refused with an explanation.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable, Optional, Protocol

from bot.cards import render_card
from bot.clock import Clock
from knowledge.dates import DateProblem, parse_british_date  # noqa: F401 - the one reader; callers import it here
from knowledge.london import british_date, local_instant, london_today
from bot.notify import Notice
from bot.privacy.edge import shared_redactor
from bot.privacy.redaction import Redactor
from bot.reminders.ports import CaseStore
from integrations.db.reminders import TribunalCase

SOURCE_LINE = "Countywide SENCO Forum, March 2025 — Tribunal – the role of the school, Georgette Williams"
MAX_REFERENCE_CHARS = 60


# -- milestones -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    key: str
    title: str
    on: dt.date
    approximate: bool
    when_said: str        # how the deck places it in time
    what_to_do: str
    quote: str            # the deck's words

    def when(self) -> str:
        return ("around " if self.approximate else "") + british_date(self.on)


APPEAL_WINDOW = dt.timedelta(weeks=8)
BUNDLE_BEFORE = dt.timedelta(weeks=4)
PREP_MEETING_BEFORE = dt.timedelta(weeks=1)


def milestones(final_ehcp_issued: Optional[dt.date], hearing_on: Optional[dt.date]) -> list[Milestone]:
    """The milestones the deck's timeline gives for the dates known, in date order."""
    found: list[Milestone] = []
    if final_ehcp_issued:
        found.append(Milestone(
            key="appeal-window-closes",
            title="Parents' 8-week window to register an appeal closes",
            on=final_ehcp_issued + APPEAL_WINDOW,
            approximate=False,
            when_said=f"8 weeks after the final EHCP was issued on {british_date(final_ehcp_issued)}",
            what_to_do=(
                "If the family appeals, the LA's tribunal officer will ask for the school's position and may ask "
                "for further evidence such as attendance, provision maps and attainment logs, so keep them up to "
                "date now. You can point parents towards impartial advice and support, e.g. IASK, IPSEA."
            ),
            quote="Parents have 8 weeks from the date of a final EHCP being issued, to register an appeal",
        ))
    if hearing_on:
        found += [
            Milestone(
                key="bundle",
                title="Hearing bundle should arrive",
                on=hearing_on - BUNDLE_BEFORE,
                approximate=True,
                when_said=f"about 4 weeks before the hearing on {british_date(hearing_on)}",
                what_to_do=(
                    "Check the bundle has arrived and read it. Gather your evidence: provision maps, attainment "
                    "and attendance. Present facts, not opinions."
                ),
                quote=(
                    "School will receive the bundle (all paperwork related to the hearing) approximately "
                    "4 weeks prior to the hearing"
                ),
            ),
            Milestone(
                key="pre-hearing-meeting",
                title="Pre-hearing preparation meeting",
                on=hearing_on - PREP_MEETING_BEFORE,
                approximate=True,
                when_said=f"about 1 week before the hearing on {british_date(hearing_on)}",
                what_to_do=(
                    "The LA's tribunal officer will prepare you as a witness. Bring your provision maps, attainment "
                    "and attendance, and be clear about what is and is not within your own knowledge."
                ),
                quote=(
                    "A further pre-hearing meeting will be held- at this point, the tribunal officer will prep you "
                    "as a witness to ensure you are comfortable and aware what will be asked of you (approx. 1 week "
                    "prior)"
                ),
            ),
            Milestone(
                key="hearing",
                title="Tribunal hearing",
                on=hearing_on,
                approximate=False,
                when_said="the date you gave",
                what_to_do=(
                    "Give full, frank and honest evidence: precise, factual and objective information you can "
                    "verify, and be specific about what can or can't be delivered as outlined in section F."
                ),
                quote=(
                    "You cannot give opinions- e.g. I think the child needs/ Should be placed etc. You should purely "
                    "be presenting facts."
                ),
            ),
        ]
    return sorted(found, key=lambda m: (m.on, m.key))


# -- references ------------------------------------------------------------------------------------


# Words that make a reference read as a case label rather than a person.
_CASE_WORDS = frozenset(
    "case appeal appeals hearing tribunal ehcp ehc plan file ref reference year yr class group school "
    "the a an of for and phase transfer primary secondary send sen ks1 ks2 ks3 ks4 reception nursery "
    "annual review section placement".split()
)
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’\-]*")


class ReferenceProblem(ValueError):
    """A reference we will not store; the message explains why."""


@dataclass(frozen=True)
class CleanReference:
    text: str
    redacted: bool


def clean_reference(text: str, redactor: Redactor) -> CleanReference:
    """Redacts what the redactor recognises and refuses a reference that reads like a child's name."""
    raw = " ".join((text or "").split())
    if not raw:
        raise ReferenceProblem("Please type a short reference for the case, e.g. \"Case A\" or \"Y6 appeal 2025\".")
    redacted, report = redactor.redact_with_report(raw)
    redacted = " ".join(redacted.split())
    left = re.sub(r"\[[a-z\-]+\]", "", redacted)
    if not re.search(r"[A-Za-z0-9]", left):
        raise ReferenceProblem(
            "That looks like personal information, so I haven't kept it. Please use a reference that doesn't "
            "identify the child, e.g. \"Case A\" or your own file number."
        )
    if _reads_like_a_name(left):
        raise ReferenceProblem(
            "That could be a child's name, so I haven't kept it. Please use a reference that doesn't identify "
            "the child, e.g. \"Case A\" or your own file number."
        )
    if len(redacted) > MAX_REFERENCE_CHARS:
        raise ReferenceProblem(f"Please keep the reference under {MAX_REFERENCE_CHARS} characters.")
    return CleanReference(redacted, redacted != raw or bool(report))


def _reads_like_a_name(text: str) -> bool:
    words = _WORD_RE.findall(text)
    capitalised = [w for w in words if len(w) > 1 and w[0].isupper() and w[1:].islower()]
    case_words = [w for w in words if w.lower() in _CASE_WORDS]
    has_digits = bool(re.search(r"\d", text))
    # "Leo Jones appeal": two capitalised non-case words side by side read as first name + surname.
    for first, second in zip(words, words[1:]):
        if first in capitalised and second in capitalised and first.lower() not in _CASE_WORDS \
                and second.lower() not in _CASE_WORDS:
            return True
    # "Jamie": a lone capitalised word with nothing that makes it a case label.
    return bool(capitalised) and not case_words and not has_digits and len(words) <= 2


# -- the service ------------------------------------------------------------------------------------


class CaseNotifier(Protocol):
    async def notify(self, notice: Notice) -> None: ...

    async def cancel(self, *, source: str, keep_keys: Iterable[str] = ()) -> int: ...


@dataclass(frozen=True)
class CaseSummary:
    case: TribunalCase
    milestones: tuple[Milestone, ...]
    reminders_scheduled: int


def case_source(case_id: str) -> str:
    return f"tribunal-case:{case_id}"


def case_reminders(case: TribunalCase, *, lead_days: Iterable[int], send_time: dt.time, now: dt.datetime,
                   late_after: dt.timedelta) -> list[Notice]:
    """The reminders a case needs, skipping any whose moment has already gone at planning time."""
    notices = []
    for milestone in milestones(case.final_ehcp_issued, case.hearing_on):
        expires_at = local_instant(milestone.on + dt.timedelta(days=1), dt.time(0, 0))
        for lead in sorted(set(lead_days), reverse=True):
            send_on = milestone.on - dt.timedelta(days=lead)
            not_before = local_instant(send_on, send_time)
            if not_before < now - late_after:
                continue
            text = (
                f"Tribunal case \"{case.reference}\": {milestone.title.lower()} {milestone.when()} "
                f"({milestone.when_said}). {milestone.what_to_do}"
            )
            card = render_card(
                "reminder_tribunal",
                reference=case.reference,
                title=milestone.title,
                when=milestone.when(),
                when_said=milestone.when_said,
                what_to_do=milestone.what_to_do,
                quote=milestone.quote,
                source=SOURCE_LINE,
                case_id=case.id,
            )
            notices.append(Notice(
                user_id=case.user_id,
                text=text,
                idempotency_key=f"tribunal:{case.id}:{milestone.key}:{milestone.on.isoformat()}:{lead}d",
                kind="tribunal.milestone",
                card=card,
                not_before=not_before,
                meta={"category": "tribunal", "source": case_source(case.id), "expires_at": expires_at},
            ))
    return notices


class TribunalService:
    def __init__(self, cases: CaseStore, notifier: CaseNotifier, clock: Clock, *, lead_days: Iterable[int],
                 send_time: dt.time, late_after: dt.timedelta, redactor: Optional[Redactor] = None):
        self._cases = cases
        self._notifier = notifier
        self._clock = clock
        self._lead_days = tuple(lead_days)
        self._send_time = send_time
        self._late_after = late_after
        self.redactor = redactor or shared_redactor()

    def today(self) -> dt.date:
        return london_today(self._clock.now())

    def clean_reference(self, text: str) -> CleanReference:
        return clean_reference(text, self.redactor)

    async def add(self, user_id: str, reference: str, *, final_ehcp_issued: Optional[dt.date],
                  hearing_on: Optional[dt.date]) -> CaseSummary:
        clean = self.clean_reference(reference)
        case = await self._cases.add(user_id=user_id, reference=clean.text, final_ehcp_issued=final_ehcp_issued,
                                     hearing_on=hearing_on, now=self._clock.now())
        return await self._schedule(case)

    async def update(self, user_id: str, case_id: str, *, final_ehcp_issued: Optional[dt.date],
                     hearing_on: Optional[dt.date]) -> Optional[CaseSummary]:
        case = await self._cases.update_dates(case_id, user_id, final_ehcp_issued=final_ehcp_issued,
                                              hearing_on=hearing_on, now=self._clock.now())
        return await self._schedule(case) if case else None

    async def close(self, user_id: str, case_id: str) -> Optional[TribunalCase]:
        case = await self._cases.close(case_id, user_id, self._clock.now())
        if case:
            await self._notifier.cancel(source=case_source(case.id))
        return case

    async def get(self, user_id: str, case_id: str) -> Optional[TribunalCase]:
        return await self._cases.get(case_id, user_id)

    async def cases(self, user_id: str) -> list[CaseSummary]:
        return [
            CaseSummary(case, tuple(milestones(case.final_ehcp_issued, case.hearing_on)), 0)
            for case in await self._cases.open_cases(user_id)
        ]

    async def _schedule(self, case: TribunalCase) -> CaseSummary:
        notices = case_reminders(case, lead_days=self._lead_days, send_time=self._send_time,
                                 now=self._clock.now(), late_after=self._late_after)
        # Dates changed: reminders for the old dates go, the ones still right are kept (same keys).
        await self._notifier.cancel(source=case_source(case.id), keep_keys=[n.idempotency_key for n in notices])
        for notice in notices:
            await self._notifier.notify(notice)
        return CaseSummary(case, tuple(milestones(case.final_ehcp_issued, case.hearing_on)), len(notices))
