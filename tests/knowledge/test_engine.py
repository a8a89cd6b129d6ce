import dataclasses
import datetime as dt

import pytest

from knowledge.engine import Answerer, Thresholds, british_date
from knowledge.models import FaqEntry, Source

from .conftest import london, near_miss

NOW = london(2026, 11, 27)


def test_confident_question_is_answered_with_source_and_related(answerer):
    result = answerer.answer("how long do parents have to appeal?", now=NOW)
    assert result.outcome == "answer"
    assert result.entry.id == "appeal-window"
    assert "8 weeks" in result.answer_text
    assert result.source_line == ("Countywide SENCO Forum, March 2025 — "
                                  "Tribunal – the role of the school, Georgette Williams")
    assert 0.5 <= result.confidence <= 1.0
    assert result.suggestions == ()


def test_related_entries_become_follow_up_suggestions(answerer):
    result = answerer.answer("is the npq free?", now=NOW)
    assert result.entry.id == "npq-funding"
    assert [(s.faq_id, s.question) for s in result.related] == [
        ("npq-deadline", "When do applications for the NPQ for SENCOs close?")]


def test_unrelated_question_is_declined(answerer):
    for question in ("what's the weather like in maidstone tomorrow",
                     "how do I claim pupil premium?", "thanks, that's really helpful!", "", "???"):
        result = answerer.answer(question, now=NOW)
        assert result.outcome == "decline", question
        assert result.entry is None and result.answer_text is None and result.suggestions == ()


def test_near_miss_about_an_unexplained_detail_is_not_answered(answerer):
    # Everything but "parking" matches the North induction entry.
    assert near_miss(answerer, "is there parking at the Inn on the Lake for the induction?", now=NOW)


def test_question_asking_for_a_phone_number_needs_one_in_the_answer(answerer):
    assert answerer.answer("what's the phone number for the qa officer", now=NOW).outcome == "answer"
    result = answerer.answer("what's the phone number for the STLS team?", now=NOW)
    assert result.outcome == "decline"


def test_uncertain_match_offers_up_to_three_suggestions(kb):
    # A vague question matches several NPQ entries without any standing out.
    answerer = Answerer(kb, Thresholds(answer=0.99, suggest=0.05))
    result = answerer.answer("npq", now=NOW)
    assert result.outcome == "suggest"
    assert result.entry is None and result.answer_text is None
    ids = [s.faq_id for s in result.suggestions]
    assert 1 <= len(ids) <= 3 and set(ids) <= {"npq-deadline", "npq-funding"}
    assert all(s.confidence >= 0.05 for s in result.suggestions)
    assert [s.confidence for s in result.suggestions] == sorted(
        (s.confidence for s in result.suggestions), reverse=True)


def test_thresholds_select_the_outcome(kb):
    question = "npq applications close"
    assert Answerer(kb, Thresholds(answer=0.5, suggest=0.4)).answer(question).outcome == "answer"
    assert Answerer(kb, Thresholds(answer=1.0, suggest=0.4)).answer(question).outcome == "suggest"
    assert Answerer(kb, Thresholds(answer=1.0, suggest=1.0)).answer(question).outcome == "decline"
    with pytest.raises(ValueError):
        Thresholds(answer=0.3, suggest=0.6)


def test_passed_date_is_reported_with_british_weekday_date(answerer):
    result = answerer.answer("npq deadline?", now=london(2026, 11, 27))
    assert result.answer_text.startswith(
        "The NPQ for SENCOs application deadline was Sunday 6 April 2025; it has passed. "
        "What the forum said: Applications for the NPQ")


def test_upcoming_and_same_day_dates_are_left_as_they_are(answerer):
    before = answerer.answer("npq deadline?", now=london(2025, 3, 20))
    same_day = answerer.answer("npq deadline?", now=london(2025, 4, 6, 23, 30))
    assert before.answer_text == before.entry.answer
    assert same_day.answer_text == same_day.entry.answer


def test_now_is_read_in_london_time(answerer):
    # 23:30 UTC on 6 April is already 7 April in London (BST).
    utc = dt.datetime(2025, 4, 6, 23, 30, tzinfo=dt.timezone.utc)
    assert "it has passed" in answerer.answer("npq deadline?", now=utc).answer_text
    naive_utc = dt.datetime(2025, 4, 6, 22, 0)     # naive = UTC, 23:00 London, same day
    assert "it has passed" not in answerer.answer("npq deadline?", now=naive_utc).answer_text


def test_without_now_no_date_judgement_is_made(answerer):
    result = answerer.answer("npq deadline?")
    assert result.answer_text == result.entry.answer


def test_british_date():
    assert british_date(dt.date(2025, 4, 6)) == "Sunday 6 April 2025"


def test_typos_are_tolerated(answerer):
    for question, expected in [("npq dedline?", "npq-deadline"),
                               ("can the scool refuse to be a witnes", "witness-refuse"),
                               ("how is stls fundd", "stls-funding")]:
        result = answerer.answer(question, now=NOW)
        assert result.outcome == "answer" and result.entry.id == expected, question


def test_abbreviations_and_expansions_match_each_other(answerer):
    by_expansion = answerer.answer(
        "how will the specialist teaching and learning service be funded", now=NOW)
    assert by_expansion.outcome == "answer" and by_expansion.entry.id == "stls-funding"
    by_abbreviation = answerer.answer("weeks to appeal after a final education health and care plan",
                                      now=NOW)
    assert by_abbreviation.entry.id == "appeal-window"
    by_synonym = answerer.answer("what happens if the school says no to being a witness for KCC",
                                 now=NOW)
    assert by_synonym.outcome == "answer" and by_synonym.entry.id == "witness-refuse"


def test_as_dict_has_exactly_the_agreed_keys(answerer):
    answered = answerer.answer("npq deadline?", now=NOW).as_dict()
    assert set(answered) == {"question", "outcome", "answer", "faq_id", "confidence", "source",
                             "suggestions"}
    assert answered["outcome"] == "answer" and answered["faq_id"] == "npq-deadline"
    assert answered["question"] == "npq deadline?"
    assert isinstance(answered["confidence"], float)
    declined = answerer.answer("weather in maidstone", now=NOW).as_dict()
    assert declined == {"question": "weather in maidstone", "outcome": "decline", "answer": None,
                        "faq_id": None, "confidence": declined["confidence"], "source": None,
                        "suggestions": []}


def test_suggestions_in_as_dict_carry_only_id_and_question(kb):
    result = Answerer(kb, Thresholds(answer=0.99, suggest=0.05)).answer("npq", now=NOW)
    assert result.as_dict()["suggestions"] and all(
        set(s) == {"faq_id", "question"} for s in result.as_dict()["suggestions"])


NEW_ENTRY = FaqEntry(
    id="summer-school",
    question="Is there a summer school for SENCOs?",
    answer="Yes, a summer school runs in August.",
    source=Source(session="Summer school", presenter=None),
    alternatives=("senco summer school", "august training for sencos"),
)


def test_add_entry_publishes_live(answerer):
    assert answerer.answer("senco summer school", now=NOW).outcome == "decline"
    answerer.add_entry(NEW_ENTRY)
    result = answerer.answer("senco summer school", now=NOW)
    assert result.outcome == "answer" and result.entry.id == "summer-school"
    assert result.source_line == "Countywide SENCO Forum, March 2025 — Summer school"
    # the rest of the KB still answers
    assert answerer.answer("npq deadline?", now=NOW).entry.id == "npq-deadline"


def test_add_entry_with_an_existing_id_replaces_it(answerer):
    changed = dataclasses.replace(answerer.kb.by_id()["npq-funding"],
                                  answer="The NPQ for SENCOs costs nothing: the DfE pays.")
    answerer.add_entry(changed)
    assert len([e for e in answerer.kb.entries if e.id == "npq-funding"]) == 1
    assert answerer.answer("is the npq free", now=NOW).answer_text.startswith("The NPQ for SENCOs costs")


def test_reload_swaps_the_whole_kb(answerer, kb):
    smaller = dataclasses.replace(kb, entries=(NEW_ENTRY,))
    answerer.reload(smaller)
    assert answerer.answer("senco summer school", now=NOW).entry.id == "summer-school"
    assert answerer.answer("npq deadline?", now=NOW).outcome == "decline"
    answerer.reload(kb)
    assert answerer.answer("npq deadline?", now=NOW).entry.id == "npq-deadline"


def test_confidence_orders_candidates(answerer):
    ranked = answerer.score("how is stls funded")
    assert ranked and ranked[0].entry_id == "stls-funding"
    assert all(0.0 <= s.confidence <= 1.0 for s in ranked)
    assert [s.confidence for s in ranked] == sorted((s.confidence for s in ranked), reverse=True)
