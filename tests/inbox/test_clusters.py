"""Grouping similar questions: pure functions, then through the service."""
from __future__ import annotations

from datetime import timedelta

from bot.inbox.clusters import Candidate, best_cluster, distinct_wordings, normalise, strip_tags
from tests.inbox.conftest import declined


def test_normalising_drops_tags_punctuation_function_words_and_plurals():
    assert normalise("Can my pupil [name] get LAPTOPS from the council?!") == "pupil laptop council"
    assert normalise("[name] [phone]") == ""


def test_best_cluster_matches_rewordings_but_not_other_topics():
    groups = [
        Candidate("laptops", (normalise("Can pupils with dyslexia get a laptop from the council?"),)),
        Candidate("parking", (normalise("Is there parking at the venue?"),)),
    ]
    assert best_cluster("can my pupil [name] borrow a laptop from the council for dyslexia", groups, 80)[0] == "laptops"
    assert best_cluster("Where can we park for the forum venue? is there parking", groups, 80)[0] == "parking"
    assert best_cluster("When is the NPQ application deadline?", groups, 80) is None
    assert best_cluster("", groups, 80) is None


def test_distinct_wordings_skip_near_identical_repeats():
    texts = ["Is there parking?", "is there parking", "Where do we park at the venue?"]
    assert distinct_wordings(texts, 5) == ["Is there parking?", "Where do we park at the venue?"]
    assert strip_tags("Can [name]'s mum come?") == "Can 's mum come?"


async def test_seven_askers_of_one_question_make_one_group_asked_7_times(world, clock):
    wordings = [
        "Will the forum slides be shared?",
        "will the slides from the forum be shared with us",
        "Are the forum slides going to be shared?",
        "can the forum slides be shared please",
        "Will you share the slides from the SENCO forum?",
        "slides from forum shared?",
        "Will the forum slides be shared with SENCOs who missed it?",
    ]
    for n, text in enumerate(wordings):
        clock.advance(timedelta(minutes=5))
        await world.inbox.log.record(channel="teams", asker_id=f"29:s{n}", asker_name=f"Senco {n}", text=text,
                                 result=declined(text))
    await world.inbox.log.record(channel="teams", asker_id="29:x", asker_name="X", text="Is there parking at the venue?",
                             result=declined())
    views = await world.inbox.triage.clusters()
    assert [(v.count, v.askers) for v in views] == [(7, 7), (1, 1)]
    assert views[0].question == wordings[0]
    assert views[0].channels == {"teams": 7}


async def test_the_same_person_asking_twice_is_a_duplicate_not_a_second_asker(world):
    for _ in range(2):
        await world.inbox.log.record(channel="teams", asker_id="29:a", asker_name="A", text="Is there parking?",
                                 result=declined())
    [view] = await world.inbox.triage.clusters()
    assert (view.count, view.askers) == (2, 1)
    statuses = sorted(q.status for q in await world.inbox.export.list_queries())
    assert statuses == ["duplicate", "new"]


async def test_answered_questions_are_logged_but_not_put_in_the_inbox(world):
    from knowledge.models import AnswerResult

    answered = AnswerResult(question="q", outcome="answer", confidence=0.9)
    await world.inbox.log.record(channel="console", asker_id="c1", asker_name="", text="What is the NPQ?",
                             result=answered)
    assert await world.inbox.triage.clusters() == []
    assert await world.inbox.export.list_queries() == []
    [logged] = await world.inbox.export.list_queries(include_all=True)
    assert (logged.channel, logged.outcome, logged.needs_answer, logged.cluster_id) == ("console", "answer", False, None)
