"""Evaluation storage on SQLite and PostgreSQL: one response per person, claims taken once."""
import asyncio
from datetime import datetime, timedelta, timezone

from integrations.db.evaluations import EvaluationParticipants, EvaluationResponses

NOW = datetime(2025, 3, 21, 9, 0, tzinfo=timezone.utc)


def _answers(**changes):
    values = dict(phase="primary", overall=4, ratings={"tribunal": 5}, most_useful="Tribunal", could_be_better=None,
                  topics=("ehcp",), topics_other=None)
    values.update(changes)
    return values


async def test_one_response_per_person_per_forum_and_edits_replace_it(any_db):
    responses = EvaluationResponses(any_db)
    first, created = await responses.save(forum_id="term4-2025", respondent="29:a", channel="teams", now=NOW,
                                          **_answers())
    assert created and first.edits == 0 and first.ratings == {"tribunal": 5} and first.topics == ("ehcp",)
    later = NOW + timedelta(hours=2)
    second, created = await responses.save(forum_id="term4-2025", respondent="29:a", channel="web", now=later,
                                           **_answers(overall=None, ratings={"continuum": 3}, topics=()))
    assert not created
    assert (second.id, second.edits, second.channel) == (first.id, 1, "web")
    assert second.overall is None and second.ratings == {"continuum": 3} and second.topics == ()
    assert second.created_at == NOW and second.updated_at == later
    await responses.save(forum_id="term5-2025", respondent="29:a", channel="teams", now=NOW, **_answers())
    await responses.save(forum_id="term4-2025", respondent="29:b", channel="teams", now=later, **_answers())
    assert [r.respondent for r in await responses.for_forum("term4-2025")] == ["29:a", "29:b"]
    assert await responses.respondents("term4-2025") == {"29:a", "29:b"}
    assert (await responses.get("term4-2025", "29:zzz")) is None


async def test_simultaneous_first_submissions_leave_one_response(any_db):
    responses = EvaluationResponses(any_db)
    results = await asyncio.gather(*(
        responses.save(forum_id="term4-2025", respondent="29:twice", channel="web", now=NOW,
                       **_answers(overall=n)) for n in (1, 2, 3, 4)))
    assert sum(created for _, created in results) == 1
    [stored] = await responses.for_forum("term4-2025")
    assert stored.edits == 3


async def test_participants_keep_one_row_and_the_strongest_source(any_db):
    participants = EvaluationParticipants(any_db)
    own = await participants.ensure(forum_id="term4-2025", respondent="29:a", channel="teams", source="self", now=NOW)
    listed = await participants.ensure(forum_id="term4-2025", respondent="29:a", channel="teams", source="staff",
                                       now=NOW)
    again = await participants.ensure(forum_id="term4-2025", respondent="29:a", channel="teams", source="subscriber",
                                      now=NOW)
    assert own.id == listed.id == again.id
    assert (own.source, listed.source, again.source) == ("self", "staff", "staff")
    assert len(own.id) == 32 and "29:a" not in own.id
    assert (await participants.get(own.id)).respondent == "29:a"


async def test_an_invitation_and_a_reminder_are_each_claimed_once(any_db):
    participants = EvaluationParticipants(any_db)
    person = await participants.ensure(forum_id="term4-2025", respondent="sam@school.kent.sch.uk",
                                       channel="email", source="staff", now=NOW)
    claims = await asyncio.gather(*(participants.claim_invitation(person.id, NOW) for _ in range(5)))
    assert claims.count(True) == 1
    await participants.release_invitation(person.id)
    assert await participants.claim_invitation(person.id, NOW)
    assert await participants.claim_reminder(person.id, NOW)
    assert not await participants.claim_reminder(person.id, NOW)
    stored = await participants.find("term4-2025", "sam@school.kent.sch.uk")
    assert stored.invited_at == NOW and stored.reminded_at == NOW
