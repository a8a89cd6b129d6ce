"""The inbox service: redaction at the door, escalation, answering, delivery, publishing."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bot.inbox.answers import reply_subject
from bot.inbox.views import InboxError
from tests.inbox.conftest import declined, make_inbox, suggested

CHILD = "My pupil Tyler Brooks (UPN A123456789012, DOB 03/04/2015) lives at 12 Elm Road, ME14 1XX. Can he get STLS?"


async def test_personal_data_is_redacted_before_it_is_stored(world, sqlite_db):
    query_id = await world.inbox.log.record(channel="email", asker_id="head@oak.example", asker_name="Head",
                                        text=CHILD, result=declined(),
                                        subject="Tyler Brooks, DOB 03/04/2015", message_id="<a@oak.example>")
    stored = await world.repo.get_query(query_id)
    for secret in ("Tyler", "Brooks", "A123456789012", "03/04/2015", "Elm Road", "ME14 1XX"):
        assert secret not in stored.text
        assert secret not in (stored.subject or "")
    assert "[pupil-id]" in stored.text and "[postcode]" in stored.text
    # Nothing unredacted anywhere in the database file either.
    raw = (sqlite_db.url.split("///", 1)[1])
    from pathlib import Path

    for path in Path(raw).parent.glob("sencobot.db*"):
        assert b"Tyler" not in path.read_bytes()


async def test_escalating_flags_the_askers_own_question_for_the_team(world):
    query_id = await world.inbox.log.record(channel="teams", asker_id="29:a", asker_name="A",
                                        text="What is the NPQ for SENCOs?", result=suggested())
    assert await world.inbox.triage.clusters() == [], "a suggestion is not flagged on its own"
    assert not await world.inbox.log.escalate(query_id=query_id, asker_id="29:b")
    assert await world.inbox.log.escalate(query_id=query_id, asker_id="29:a")
    [view] = await world.inbox.triage.clusters()
    assert view.wordings == ("What is the NPQ for SENCOs?",)
    assert await world.inbox.log.escalate(query_id=query_id, asker_id="29:a"), "pressing twice is fine"
    assert len(await world.inbox.triage.clusters()) == 1
    assert not await world.inbox.log.feedback(query_id=query_id, asker_id="29:b", helpful=True)
    assert await world.inbox.log.feedback(query_id=query_id, asker_id="29:a", helpful=False)


async def test_an_answer_reaches_teams_askers_once_and_email_askers_when_mail_returns(world, clock):
    await world.inbox.log.record(channel="teams", asker_id="29:a", asker_name="A", text="Is there parking?",
                             result=declined())
    email_id = await world.inbox.log.record(channel="email", asker_id="b@school.example", asker_name="Bea Head",
                                        text="is there any parking at the venue", result=declined(),
                                        message_id="<q@school.example>", subject="RE: parking")
    [view] = await world.inbox.triage.clusters()
    world.outbox.down = True
    outcome = await world.inbox.answers.answer(view.id, "There is no parking; please use the station car park.", by="Olu")
    assert (outcome.delivery.teams, outcome.delivery.email, outcome.delivery.pending) == (1, 0, 1)
    assert len(world.notifier.notices) == 1

    # The background task retries: the Teams asker is not sent it again, the email asker now gets it.
    world.outbox.down = False
    clock.advance(timedelta(minutes=1))
    retry = await world.inbox.answers.deliver_pending()
    assert (retry.teams, retry.email, retry.pending) == (0, 1, 0)
    assert len(world.notifier.notices) == 1
    [mail] = world.outbox.messages
    assert mail["Subject"] == "RE: parking"
    assert mail["In-Reply-To"] == "<q@school.example>" and mail["References"] == "<q@school.example>"
    assert mail["To"] == "b@school.example" and "inclusion@kent.gov.uk" in mail["From"]
    assert mail["Message-ID"].endswith("@kent.gov.uk>")
    assert "Dear Bea," in mail.get_content() and "station car park" in mail.get_content()
    assert (await world.repo.get_query(email_id)).delivered_at is not None
    assert await world.inbox.answers.deliver_pending() == type(retry)()


async def test_mail_switched_off_leaves_email_answers_pending(world):
    world.mail_enabled = False
    await world.inbox.log.record(channel="email", asker_id="b@school.example", asker_name="", text="Is there parking?",
                             result=declined())
    [view] = await world.inbox.triage.clusters()
    outcome = await world.inbox.answers.answer(view.id, "No parking.", by="Olu")
    assert outcome.delivery.pending == 1 and outcome.delivery.email == 0
    assert len(await world.repo.undelivered_answers()) == 1


async def test_staff_answers_are_redacted_and_must_not_be_empty(world):
    await world.inbox.log.record(channel="teams", asker_id="29:a", asker_name="A", text="Is there parking?",
                             result=declined())
    [view] = await world.inbox.triage.clusters()
    with pytest.raises(InboxError):
        await world.inbox.answers.answer(view.id, "   ", by="Olu")
    outcome = await world.inbox.answers.answer(
        view.id, "Call 07700 900123 or email clara.green@kent.gov.uk or inclusion@kent.gov.uk.", by="Olu")
    assert outcome.redactions == 1
    assert "[phone]" in outcome.cluster.answer
    assert "clara.green@kent.gov.uk" in outcome.cluster.answer.lower(), "published contacts stay"


async def test_merge_dismiss_and_publish_rules(world, clock):
    a = await world.inbox.log.record(channel="teams", asker_id="29:a", asker_name="A", text="Is there parking?",
                                 result=declined())
    b = await world.inbox.log.record(channel="teams", asker_id="29:b", asker_name="B",
                                 text="Can I bring my assistant to the forum?", result=declined())
    c = await world.inbox.log.record(channel="teams", asker_id="29:c", asker_name="C",
                                 text="Will there be refreshments?", result=declined())
    group = {q: (await world.repo.get_query(q)).cluster_id for q in (a, b, c)}
    assert len(set(group.values())) == 3

    with pytest.raises(InboxError):
        await world.inbox.publishing.publish(group[a], by="Olu")  # not answered yet
    await world.inbox.answers.answer(group[a], "No parking.", by="Olu")
    merged = await world.inbox.triage.merge(group[b], group[a])
    assert merged.count == 2
    # B joined an answered group, so B is sent its answer straight away.
    assert {n.user_id for n in world.notifier.notices} == {"29:a", "29:b"}

    await world.inbox.triage.dismiss(group[c], by="Olu")
    with pytest.raises(InboxError):
        await world.inbox.triage.dismiss(group[c], by="Olu")
    with pytest.raises(InboxError):
        await world.inbox.triage.merge(group[c], group[a])
    assert [v.id for v in await world.inbox.triage.clusters()] == [group[a]]
    assert (await world.repo.get_query(c)).status == "dismissed"

    clock.advance(timedelta(days=1))
    entry = await world.inbox.publishing.publish(group[a], by="Olu", question="Is there parking at the forum venue?",
                                      topic="forum")
    assert entry.id.startswith("inbox-is-there-parking-at-the-forum-venue-")
    assert entry.tags == ("forum", "inbox")
    assert entry.source.session == "Inclusion team answer, 27 November 2026"
    assert entry.source.line().endswith("— Inclusion team answer, 27 November 2026")
    assert set(entry.alternatives) == {"Is there parking?", "Can I bring my assistant to the forum?"}
    assert world.faq.published[entry.id] == entry
    with pytest.raises(InboxError):
        await world.inbox.publishing.publish(group[a], by="Olu")


async def test_publishing_straight_from_an_open_group_answers_it_first(world):
    await world.inbox.log.record(channel="teams", asker_id="29:a", asker_name="A", text="Is there parking?",
                             result=declined())
    [view] = await world.inbox.triage.clusters()
    entry = await world.inbox.publishing.publish(view.id, by="Olu", answer="No parking.")
    assert entry.answer == "No parking." and entry.tags[0] == "questions-from-schools"
    assert len(world.notifier.notices) == 1


async def test_published_entries_load_once_per_replica_and_again_when_republished(sqlite_db, clock, world):
    await world.inbox.log.record(channel="teams", asker_id="29:a", asker_name="A", text="Is there parking?",
                             result=declined())
    [view] = await world.inbox.triage.clusters()
    entry = await world.inbox.publishing.publish(view.id, by="Olu", answer="No parking.")

    other = make_inbox(sqlite_db, clock)          # another replica, or this one after a restart
    await other.inbox.publishing.ensure_published_loaded()
    assert other.faq.published == {entry.id: entry}
    await other.inbox.publishing.ensure_published_loaded()
    assert await other.inbox.publishing.sync_published() == 0 and other.faq.calls == 1


async def test_cli_answer_accepts_a_short_query_id_and_rejects_unknown_ones(world):
    query_id = await world.inbox.log.record(channel="teams", asker_id="29:a", asker_name="A", text="Is there parking?",
                                        result=declined())
    outcome = await world.inbox.answers.answer_query(query_id[:8], "No parking.", by="Inclusion team")
    assert outcome.cluster.status == "answered"
    with pytest.raises(InboxError):
        await world.inbox.answers.answer_query("ffffffff", "x", by="Inclusion team")


async def test_csv_export_neutralises_spreadsheet_formulas(world):
    await world.inbox.log.record(channel="teams", asker_id="29:a", asker_name="=HYPERLINK(\"x\")",
                             text="=1+1 is there parking?", result=declined())
    text = await world.inbox.export.export_csv()
    import csv
    import io

    header, row = list(csv.reader(io.StringIO(text)))
    assert header[:4] == ["id", "asked_at_utc", "asked_local", "channel"]
    record = dict(zip(header, row))
    assert record["question"].startswith("'=") and record["asker_name"].startswith("'=")
    assert record["asked_local"] == "Thursday 26 November 2026, 10:00"
    assert record["needs_answer"] == "yes" and record["status"] == "new"


def test_reply_subjects_thread_without_stacking_re():
    assert reply_subject("Laptops") == "Re: Laptops"
    assert reply_subject("Re: Laptops") == "Re: Laptops"
    assert reply_subject("RE:Laptops") == "RE:Laptops"
    assert reply_subject(None) == "Re: your question to the SENCO Forum"
