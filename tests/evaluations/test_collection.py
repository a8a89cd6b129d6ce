"""Collection with a fixed clock: pushed when the forum ends, one reminder to non-responders, closed on time."""
from datetime import datetime, timedelta, timezone

import pytest

from bot.clock import FixedClock
from bot.evaluations.install import build_evaluation_service
from bot.notify import RecordingNotifier
from integrations.mail.smtp import SmtpConfig, SmtpSender

FORUM = "term4-2025"
DURING_LAST_SESSION = datetime(2025, 3, 20, 12, 0, tzinfo=timezone.utc)
FORUM_OVER = datetime(2025, 3, 20, 16, 0, tzinfo=timezone.utc)     # 16:00 London (GMT) on the primary day
LAST_OPEN_MOMENT = datetime(2025, 4, 10, 22, 59, tzinfo=timezone.utc)  # 23:59 BST on Thursday 10 April


class Subscribers:
    def __init__(self, **by_category):
        self.by_category = by_category
        self.fail = False

    async def __call__(self, category):
        if self.fail:
            raise ConnectionError("reminders unavailable")
        return list(self.by_category.get(category, []))


class FlakyNotifier(RecordingNotifier):
    def __init__(self):
        super().__init__()
        self.failures = 0

    async def notify(self, notice):
        if self.failures:
            self.failures -= 1
            raise RuntimeError("outbox unavailable")
        await super().notify(notice)


@pytest.fixture
def parts(eval_settings, sqlite_db, smtp):
    clock = FixedClock(DURING_LAST_SESSION)
    notifier = FlakyNotifier()
    subscribers = Subscribers(forum=["29:sub-1", "29:sub-2"], events=["29:events-only"])
    mail = SmtpSender(SmtpConfig(host="127.0.0.1", port=smtp.port, attempts=1))
    service, _ = build_evaluation_service(eval_settings, database=sqlite_db, clock=clock, notifier=notifier,
                                          mail=mail, subscribers=subscribers)
    return service, clock, notifier, subscribers


def keys(notifier, kind):
    return sorted(n.user_id for n in notifier.notices if n.kind == kind)


async def test_invitations_go_out_when_the_forum_ends_then_one_reminder_to_those_who_have_not_answered(parts, smtp):
    service, clock, notifier, _ = parts
    forum = service.forum(FORUM)
    await service.list_attendees(forum, teams_ids=["29:listed"], emails=["Sam.Senco@School.kent.sch.uk"])
    await service.form_link(forum, "29:curious", channel="teams")   # opened it themselves: not pushed

    assert await service.run_due() == type(await service.run_due())()   # the forum is still going on
    assert notifier.notices == [] and smtp.messages == []

    clock.set(FORUM_OVER)
    report = await service.run_due()
    assert (report.invited, report.reminded, report.failed) == (4, 0, 0)
    assert keys(notifier, "evaluation.invite") == ["29:listed", "29:sub-1", "29:sub-2"]
    invite = notifier.notices[0]
    assert invite.card["actions"][0]["data"] == {"action": "evaluation.submit", "forum_id": FORUM}
    assert "Thursday 10 April 2025" in invite.text
    assert invite.meta["forum_id"] == FORUM and invite.meta["expires_at"].startswith("2025-04-10T23:00")
    assert {n.meta.get("category") for n in notifier.notices} == {None, "forum"}
    [mail] = await smtp.wait_for(1)
    assert mail["To"] == "sam.senco@school.kent.sch.uk"
    assert mail["Subject"] == "Please evaluate the Countywide SENCO Forum, March 2025"
    link = next(line for line in mail.get_content().splitlines() if "/evaluate/" in line).strip()
    target = await service.resolve(link.rsplit("/", 1)[-1])
    assert target.status == "ok" and target.participant.respondent == "sam.senco@school.kent.sch.uk"

    assert (await service.run_due()).invited == 0            # every round may run again: nothing twice
    clock.advance(timedelta(days=2))
    await service.submit(FORUM, "29:sub-1", {"overall": "5"}, channel="teams")

    clock.set(FORUM_OVER + timedelta(days=7) - timedelta(minutes=1))
    assert (await service.run_due()).reminded == 0
    clock.set(FORUM_OVER + timedelta(days=7))
    report = await service.run_due()
    assert report.reminded == 3
    assert keys(notifier, "evaluation.reminder") == ["29:listed", "29:sub-2"]
    reminder = next(n for n in notifier.notices if n.kind == "evaluation.reminder")
    assert reminder.text.startswith("A reminder:")
    [_, reminder_mail] = await smtp.wait_for(2)
    assert reminder_mail["Subject"].startswith("Reminder: ")
    clock.advance(timedelta(days=1))
    assert await service.run_due() == type(report)()         # one reminder only


async def test_someone_who_subscribes_later_is_asked_at_the_next_round_and_reminded_while_it_is_open(parts):
    service, clock, notifier, subscribers = parts
    clock.set(FORUM_OVER)
    await service.run_due()
    subscribers.by_category["forum"].append("29:late")
    clock.set(datetime(2025, 4, 5, 9, 0, tzinfo=timezone.utc))
    await service.run_due()
    assert "29:late" in keys(notifier, "evaluation.invite")
    # Its reminder would fall due on 12 April, after the survey closed: it is never sent.
    clock.set(LAST_OPEN_MOMENT)
    await service.run_due()
    assert "29:late" not in keys(notifier, "evaluation.reminder")
    clock.set(LAST_OPEN_MOMENT + timedelta(days=5))
    assert await service.run_due() == type(await service.run_due())()


async def test_the_survey_closes_at_the_end_of_its_closing_date(parts):
    service, clock, _, _ = parts
    clock.set(LAST_OPEN_MOMENT)
    assert (await service.submit(FORUM, "29:a", {"overall": "4"}, channel="teams")).status == "saved"
    clock.advance(timedelta(minutes=1))
    result = await service.submit(FORUM, "29:a", {"overall": "2"}, channel="teams")
    assert result.status == "closed"
    assert (await service.answers_of(FORUM, "29:a")).overall == 4
    assert service.open_forum() is None


async def test_a_configured_closing_date_and_reminder_delay_are_honoured(eval_settings, sqlite_db):
    settings = eval_settings.replace(**{"evaluations.close_dates": ["term4-2025=2025-03-31"],
                                        "evaluations.reminder_after_days": 3})
    clock = FixedClock(FORUM_OVER)
    notifier = RecordingNotifier()
    service, _ = build_evaluation_service(settings, database=sqlite_db, clock=clock, notifier=notifier,
                                          subscribers=Subscribers(forum=["29:s"]))
    window = service.window(service.forum(FORUM))
    assert window.last_day.isoformat() == "2025-03-31"
    assert window.closes_at == datetime(2025, 3, 31, 23, 0, tzinfo=timezone.utc)   # midnight BST
    await service.run_due()
    clock.advance(timedelta(days=3))
    await service.run_due()
    assert [n.kind for n in notifier.notices] == ["evaluation.invite", "evaluation.reminder"]


async def test_a_failed_handover_is_retried_and_a_subscriber_outage_does_not_stop_staff_invitations(parts, smtp):
    service, clock, notifier, subscribers = parts
    await service.list_attendees(service.forum(FORUM), teams_ids=["29:listed"])
    clock.set(FORUM_OVER)
    subscribers.fail = True
    notifier.failures = 1
    report = await service.run_due()
    assert (report.invited, report.failed) == (0, 1)
    report = await service.run_due()
    assert report.invited == 1 and keys(notifier, "evaluation.invite") == ["29:listed"]
    subscribers.fail = False
    assert (await service.run_due()).invited == 2


async def test_email_invitations_wait_while_mail_is_disabled(eval_settings, sqlite_db):
    clock = FixedClock(FORUM_OVER)
    service, _ = build_evaluation_service(eval_settings, database=sqlite_db, clock=clock, mail=None)
    await service.list_attendees(service.forum(FORUM), emails=["a@b.sch.uk"])
    report = await service.run_due()
    assert (report.invited, report.skipped_email) == (0, 1)
    participant = (await service._participants.for_forum(FORUM))[0]
    assert participant.invited_at is None


async def test_pushes_go_through_the_reminder_outbox_to_forum_subscribers(assistant, clock):
    """The real path: the reminders feature's subscriptions in, its outbound queue out."""
    reminder_repos = pytest.importorskip("integrations.db.reminders")
    from tests.evaluations.conftest import senco

    database = assistant.core.database
    clock.set(FORUM_OVER)
    await senco(assistant, 7).says("hello")     # the bot can reach Sam: a conversation reference is stored
    await senco(assistant, 8).says("hello")
    await reminder_repos.Subscriptions(database).set("29:senco-7", ["forum"], True, clock.now())
    await reminder_repos.Subscriptions(database).set("29:senco-8", ["events"], True, clock.now())
    await assistant.features.evaluations.service.run_due()
    queued = await reminder_repos.Outbox(database).claim("test", clock.now(), timedelta(minutes=1), 50)
    [invite] = [m for m in queued if m.kind.startswith("evaluation.")]
    assert (invite.user_id, invite.kind, invite.category) == ("29:senco-7", "evaluation.invite", "forum")
    assert invite.expires_at == datetime(2025, 4, 10, 23, 0, tzinfo=timezone.utc)
    assert invite.source == "evaluation:term4-2025"
    assert invite.card["actions"][0]["data"]["action"] == "evaluation.submit"


@pytest.mark.parametrize("changes, key", [
    ({"evaluations.close_dates": ["term4-2025:2025-04-01"]}, "evaluations.close_dates"),
    ({"evaluations.end_time_if_unknown": "4pm"}, "evaluations.end_time_if_unknown"),
    ({"evaluations.reminder_after_days": 0}, "evaluations.reminder_after_days"),
    ({"evaluations.subscriber_categories": ["gossip"]}, "evaluations.subscriber_categories"),
])
def test_bad_evaluation_settings_stop_the_start_with_the_key_named(eval_settings, changes, key):
    from bot.evaluations.service import EvaluationPolicy
    from bot.settings import SettingsError

    with pytest.raises(SettingsError, match=f"^{key}"):
        EvaluationPolicy.from_settings(eval_settings.replace(**changes).evaluations)
