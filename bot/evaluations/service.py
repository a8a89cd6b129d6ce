"""Forum evaluations: when a survey is open, who is asked, storing answers, and the results.

The survey opens when the forum's first session ends (so secondary SENCOs can answer on their
day), is pushed to the forum's attendees when its last session ends, reminds those who have not
answered once, ``reminder_after_days`` later, and closes at the end of its closing day.

Attendees: there is no attendance register for forums, so the people asked are those staff list
(``sencobot evaluations invite``: Teams ids or email addresses) plus everyone subscribed to the
reminder categories in ``evaluations.subscriber_categories`` (default: "forum").

Plain Python: repositories, the clock, the notifier, mail and the link signer come in through
the constructor.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Awaitable, Callable, Iterable, Optional

from bot.clock import Clock, british_date
from bot.evaluations.messages import EvaluationMessages
from bot.evaluations.ports import ParticipantStore, ResponseStore
from bot.evaluations.survey import Answers, Survey, build_survey
from bot.notify import Notice
from bot.settings import EvaluationSettings, SettingsError
from integrations.db.evaluations import Participant, StoredResponse
from knowledge.forums import LONDON, TIME_PATTERN, Forum, ForumCatalogue, ForumsError, load_forums

if TYPE_CHECKING:
    from integrations.evaluation_report import ReportSpec

log = logging.getLogger(__name__)

FORM_PURPOSE = "evaluation.form"
CHART_PURPOSE = "evaluation.chart"
# A form link outlives the survey by this much so that a late visitor is told "closed", not "invalid".
LINK_GRACE = dt.timedelta(days=90)
INVITED_SOURCES = ("staff", "subscriber")

# category -> Teams user ids subscribed to it (the reminders feature provides this).
SubscriberLookup = Callable[[str], Awaitable[Iterable[str]]]


# -- when a survey is open ----------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyWindow:
    opens_at: dt.datetime        # aware UTC
    invite_at: dt.datetime       # aware UTC: when the forum's last session is over
    closes_at: dt.datetime       # aware UTC: midnight (London) after the last open day
    last_day: dt.date            # the last day answers are taken (London)

    def state(self, now: dt.datetime) -> str:
        """not_open | open | closed"""
        if now < self.opens_at:
            return "not_open"
        if now >= self.closes_at:
            return "closed"
        return "open"


@dataclass(frozen=True)
class EvaluationPolicy:
    reminder_after: dt.timedelta
    close_after_days: int
    close_dates: dict
    end_time_if_unknown: dt.time

    @classmethod
    def from_settings(cls, settings: EvaluationSettings) -> "EvaluationPolicy":
        if settings.reminder_after_days < 1:
            raise SettingsError("evaluations.reminder_after_days: must be at least 1")
        if settings.close_after_days < 1:
            raise SettingsError("evaluations.close_after_days: must be at least 1")
        if not TIME_PATTERN.match(settings.end_time_if_unknown.strip()):
            raise SettingsError(f"evaluations.end_time_if_unknown: expected HH:MM, got {settings.end_time_if_unknown!r}")
        hours, minutes = settings.end_time_if_unknown.strip().split(":")
        from knowledge.deadlines import CATEGORIES

        for category in settings.subscriber_categories:
            if category not in CATEGORIES:
                raise SettingsError(f"evaluations.subscriber_categories: {category!r} is not a reminder category "
                                    f"({', '.join(CATEGORIES)})")
        close_dates = {}
        for entry in settings.close_dates:
            forum_id, _, day = entry.partition("=")
            try:
                close_dates[forum_id.strip()] = dt.date.fromisoformat(day.strip())
            except ValueError:
                raise SettingsError(
                    f"evaluations.close_dates: expected \"forum-id=YYYY-MM-DD\", got {entry!r}"
                ) from None
        return cls(
            reminder_after=dt.timedelta(days=settings.reminder_after_days),
            close_after_days=settings.close_after_days,
            close_dates=close_dates,
            end_time_if_unknown=dt.time(int(hours), int(minutes)),
        )

    def window(self, forum: Forum) -> SurveyWindow:
        last_day = self.close_dates.get(forum.id) or forum.last_date + dt.timedelta(days=self.close_after_days)
        closes = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=LONDON)
        return SurveyWindow(
            opens_at=forum.first_session_end(self.end_time_if_unknown).astimezone(dt.timezone.utc),
            invite_at=forum.ends_at(self.end_time_if_unknown).astimezone(dt.timezone.utc),
            closes_at=closes.astimezone(dt.timezone.utc),
            last_day=last_day,
        )


class ForumsSource:
    """The forum catalogue, re-read when forums.yaml changes (staff add forums without a restart)."""

    def __init__(self, path: Path):
        self._path = path
        self._stamp: Optional[float] = None
        self._catalogue = ForumCatalogue(())

    # The shared content store (bot.content.store.StoreCatalogues), set by the wiring.
    store = None

    def catalogue(self) -> ForumCatalogue:
        if self.store is not None and self.store.cache.active:
            return self.store.forum_catalogue()
        try:
            stamp = self._path.stat().st_mtime
        except OSError:
            return self._catalogue
        if stamp != self._stamp:
            try:
                self._catalogue = load_forums(self._path)
            except ForumsError as exc:
                # Keep serving the last good catalogue; `sencobot kb check` shows the problems.
                log.warning("forums.yaml has %d problem(s); keeping the previous catalogue", len(exc.problems))
            self._stamp = stamp
        return self._catalogue


# -- results of operations -------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    status: str                  # saved | invalid | closed | not_open | unknown_forum
    errors: dict
    answers: Optional[Answers] = None
    created: bool = False


@dataclass(frozen=True)
class LinkTarget:
    status: str                  # ok | invalid
    participant: Optional[Participant] = None
    forum: Optional[Forum] = None
    survey: Optional[Survey] = None
    window: Optional[SurveyWindow] = None


@dataclass(frozen=True)
class DueReport:
    invited: int = 0
    reminded: int = 0
    failed: int = 0
    skipped_email: int = 0


@dataclass(frozen=True)
class ForumResults:
    forum: Forum
    survey: Survey
    window: SurveyWindow
    responses: tuple[StoredResponse, ...]
    asked: int                   # invited people plus anyone who answered without an invitation


class EvaluationService:
    def __init__(
        self,
        *,
        forums: ForumsSource,
        participants: ParticipantStore,
        responses: ResponseStore,
        clock: Clock,
        policy: EvaluationPolicy,
        notifier,
        signer,
        redact: Callable[[str], str],
        messages: EvaluationMessages,
        public_base_url: str,
        mail=None,
        subscribers: Optional[SubscriberLookup] = None,
        subscriber_categories: Iterable[str] = ("forum",),
    ):
        self._forums = forums
        self._participants = participants
        self._responses = responses
        self._clock = clock
        self.policy = policy
        self._notifier = notifier
        self._signer = signer
        self._redact = redact
        self._messages = messages
        self._base_url = public_base_url.rstrip("/")
        self._mail = mail
        self._subscribers = subscribers
        self._categories = tuple(subscriber_categories)

    def now(self) -> dt.datetime:
        return self._clock.now()

    # -- forums and surveys ------------------------------------------------------------------

    def catalogue(self) -> ForumCatalogue:
        return self._forums.catalogue()

    @property
    def forums_source(self) -> ForumsSource:
        return self._forums

    def forum(self, forum_id: str) -> Optional[Forum]:
        return self.catalogue().get(forum_id)

    def survey(self, forum: Forum) -> Survey:
        catalogue = self.catalogue()
        return build_survey(forum, catalogue.next_after(forum))

    def window(self, forum: Forum) -> SurveyWindow:
        return self.policy.window(forum)

    def evaluable(self) -> list[Forum]:
        """Forums that can have an evaluation (held or scheduled, not proposed or cancelled)."""
        return [f for f in self.catalogue().forums if f.status in ("held", "scheduled") and f.rated_items]

    def open_forum(self) -> Optional[Forum]:
        """The most recent forum whose survey is open now."""
        now = self._clock.now()
        open_now = [f for f in self.evaluable() if self.window(f).state(now) == "open"]
        return max(open_now, key=lambda f: f.last_date) if open_now else None

    def latest_ended_forum(self) -> Optional[Forum]:
        now = self._clock.now()
        ended = [f for f in self.evaluable() if self.window(f).opens_at <= now]
        return max(ended, key=lambda f: f.last_date) if ended else None

    # -- answers -----------------------------------------------------------------------------

    async def answers_of(self, forum_id: str, respondent: str) -> Optional[Answers]:
        stored = await self._responses.get(forum_id, respondent)
        return answers_from(stored) if stored else None

    async def submit(self, forum_id: str, respondent: str, raw: dict, *, channel: str) -> SubmitResult:
        """Checks a submission against the survey and stores it as the person's (only) response."""
        forum = self.forum(forum_id)
        if forum is None or forum not in self.evaluable():
            return SubmitResult("unknown_forum", {})
        state = self.window(forum).state(self._clock.now())
        if state != "open":
            return SubmitResult(state, {})
        submission = self.survey(forum).parse(raw)
        if not submission.ok:
            return SubmitResult("invalid", dict(submission.errors), submission.answers)
        answers = submission.answers
        _, created = await self._responses.save(
            forum_id=forum.id,
            respondent=respondent,
            channel=channel,
            phase=answers.phase,
            overall=answers.overall,
            ratings=dict(answers.ratings),
            most_useful=self._clean(answers.most_useful),
            could_be_better=self._clean(answers.could_be_better),
            topics=answers.topics,
            topics_other=self._clean(answers.topics_other),
            now=self._clock.now(),
        )
        log.info("evaluation response %s for %s via %s", "stored" if created else "updated", forum.id, channel)
        return SubmitResult("saved", {}, answers, created)

    def _clean(self, text: Optional[str]) -> Optional[str]:
        # Free text may name a child or family: it is redacted before it is stored.
        return self._redact(text) if text else None

    # -- signed links ------------------------------------------------------------------------

    async def form_link(self, forum: Forum, respondent: str, *, channel: str, source: str = "self") -> str:
        participant = await self._participants.ensure(
            forum_id=forum.id, respondent=respondent, channel=channel, source=source, now=self._clock.now()
        )
        return self.link_for(participant, forum)

    def link_for(self, participant: Participant, forum: Forum) -> str:
        expires = max(self.window(forum).closes_at, self._clock.now()) + LINK_GRACE
        token = self._signer.sign(FORM_PURPOSE, {"p": participant.id}, expires)
        return f"{self._base_url}/evaluate/{token}"

    async def resolve(self, token: str) -> LinkTarget:
        payload = self._signer.verify(FORM_PURPOSE, token, self._clock.now())
        if not payload or not isinstance(payload.get("p"), str):
            return LinkTarget("invalid")
        participant = await self._participants.get(payload["p"])
        forum = self.forum(participant.forum_id) if participant else None
        if participant is None or forum is None:
            return LinkTarget("invalid")
        return LinkTarget("ok", participant, forum, self.survey(forum), self.window(forum))

    def chart_link(self, forum: Forum, minutes: int) -> str:
        token = self._signer.sign(CHART_PURPOSE, {"f": forum.id}, self._clock.now() + dt.timedelta(minutes=minutes))
        return f"{self._base_url}/evaluations/chart/{token}.png"

    def chart_forum(self, token: str) -> Optional[Forum]:
        payload = self._signer.verify(CHART_PURPOSE, token, self._clock.now())
        if not payload or not isinstance(payload.get("f"), str):
            return None
        return self.forum(payload["f"])

    # -- who is asked ------------------------------------------------------------------------

    async def list_attendees(self, forum: Forum, *, teams_ids: Iterable[str] = (), emails: Iterable[str] = ()) -> int:
        """Staff name people who attended; they are invited when the forum ends (now, if it has)."""
        count = 0
        now = self._clock.now()
        for user_id in teams_ids:
            await self._participants.ensure(forum_id=forum.id, respondent=user_id.strip(), channel="teams",
                                            source="staff", now=now)
            count += 1
        for address in emails:
            await self._participants.ensure(forum_id=forum.id, respondent=address.strip().lower(), channel="email",
                                            source="staff", now=now)
            count += 1
        return count

    async def run_due(self) -> DueReport:
        """Sends the invitations and reminders that are due now; safe to run often and on many replicas."""
        now = self._clock.now()
        totals = DueReport()
        for forum in self.evaluable():
            window = self.window(forum)
            if not window.invite_at <= now < window.closes_at:
                continue
            await self._add_subscribers(forum, now)
            report = await self._run_forum(forum, window, now)
            totals = DueReport(*(a + b for a, b in zip(
                (totals.invited, totals.reminded, totals.failed, totals.skipped_email),
                (report.invited, report.reminded, report.failed, report.skipped_email),
            )))
        return totals

    async def _add_subscribers(self, forum: Forum, now: dt.datetime) -> None:
        if self._subscribers is None:
            return
        for category in self._categories:
            try:
                user_ids = list(await self._subscribers(category))
            except Exception as exc:
                # Subscribers are looked up again next round; staff-listed attendees still go out now.
                log.warning("could not read %s subscribers: %s", category, type(exc).__name__)
                continue
            for user_id in user_ids:
                await self._participants.ensure(forum_id=forum.id, respondent=user_id, channel="teams",
                                                source="subscriber", now=now)

    async def _run_forum(self, forum: Forum, window: SurveyWindow, now: dt.datetime) -> DueReport:
        responded = await self._responses.respondents(forum.id)
        invited = reminded = failed = skipped = 0
        for person in await self._participants.for_forum(forum.id):
            if person.source not in INVITED_SOURCES or person.respondent in responded:
                continue
            if person.channel == "email" and self._mail is None:
                skipped += 1
                continue
            if person.invited_at is None:
                if not await self._participants.claim_invitation(person.id, now):
                    continue
                if await self._send(forum, window, person, reminder=False):
                    invited += 1
                else:
                    await self._participants.release_invitation(person.id)
                    failed += 1
            elif person.reminded_at is None and now >= person.invited_at + self.policy.reminder_after:
                if not await self._participants.claim_reminder(person.id, now):
                    continue
                if await self._send(forum, window, person, reminder=True):
                    reminded += 1
                else:
                    await self._participants.release_reminder(person.id)
                    failed += 1
        if skipped:
            log.warning("%d email invitation(s) for %s wait for mail to be enabled", skipped, forum.id)
        return DueReport(invited, reminded, failed, skipped)

    async def _send(self, forum: Forum, window: SurveyWindow, person: Participant, *, reminder: bool) -> bool:
        link = self.link_for(person, forum)
        kind = "evaluation.reminder" if reminder else "evaluation.invite"
        try:
            if person.channel == "email":
                message = self._messages.email(forum=forum, window=window, to_address=person.respondent,
                                               link=link, reminder=reminder)
                await self._mail.send(message)
            else:
                survey = self.survey(forum)
                text = self._messages.notice_text(forum=forum, window=window, reminder=reminder)
                card = self._messages.survey_card(survey=survey, window=window, answers=None, link=link,
                                                  intro=text)
                meta = {"forum_id": forum.id, "expires_at": window.closes_at.isoformat(),
                        "source": f"evaluation:{forum.id}"}
                if person.source == "subscriber":
                    meta["category"] = self._categories[0] if self._categories else "forum"
                await self._notifier.notify(Notice(
                    user_id=person.respondent, text=text, idempotency_key=f"{kind}:{person.id}", kind=kind,
                    card=card, meta=meta,
                ))
            return True
        except Exception as exc:
            # Never log the address or user id: only which kind of message failed and why.
            log.warning("%s for %s not handed over: %s", kind, forum.id, type(exc).__name__)
            return False

    # -- results -----------------------------------------------------------------------------

    async def results(self, forum: Forum) -> ForumResults:
        responses = tuple(await self._responses.for_forum(forum.id))
        participants = await self._participants.for_forum(forum.id)
        asked = {p.respondent for p in participants if p.invited_at is not None}
        asked |= {r.respondent for r in responses}
        return ForumResults(forum=forum, survey=self.survey(forum), window=self.window(forum),
                            responses=responses, asked=len(asked))

    async def summary(self, forum: Forum):
        """The numbers staff read: see integrations.evaluation_report.Summary."""
        from integrations.evaluation_report import summarise

        results = await self.results(forum)
        return summarise(report_spec(results.survey), results.responses, results.asked)

    def describe_window(self, forum: Forum) -> str:
        window = self.window(forum)
        state = window.state(self._clock.now())
        if state == "not_open":
            return f"opens after the forum on {british_date(window.opens_at)}"
        if state == "open":
            return f"open until the end of {british_date(window.last_day)}"
        return f"closed at the end of {british_date(window.last_day)}"


def answers_from(stored: StoredResponse) -> Answers:
    return Answers(
        phase=stored.phase,
        overall=stored.overall,
        ratings=dict(stored.ratings),
        most_useful=stored.most_useful,
        could_be_better=stored.could_be_better,
        topics=tuple(stored.topics),
        topics_other=stored.topics_other,
    )


def report_spec(survey: Survey, next_topics: Iterable[tuple[str, str]] = ()) -> "ReportSpec":
    """The plain description of a survey the report needs: rated items and topic choices."""
    from integrations.evaluation_report import ReportSpec

    items = tuple((q.item_id, q.label) for q in survey.rating_questions)
    topics_question = survey.question("topics")
    topics = tuple((c.value, c.title) for c in topics_question.choices) if topics_question else tuple(next_topics)
    return ReportSpec(forum_id=survey.forum_id, title=survey.title, items=items, topics=topics)
