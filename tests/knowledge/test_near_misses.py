"""The engine's near-miss rules, each on a KB built for it."""
import pytest

from knowledge.engine import Answerer
from knowledge.loader import load_knowledge

from .conftest import GLOSSARY, SYNONYMS, london, near_miss, write_kb

NOW = london(2026, 11, 27)


def entry(id_, question, answer, alternatives=(), presenter=None, keywords=()):
    return {"id": id_, "question": question, "answer": answer,
            "alternatives": list(alternatives), "keywords": list(keywords),
            "source": {"session": "Session", "presenter": presenter}}


def answerer_for(tmp_path, entries, synonyms=None):
    return Answerer(load_knowledge(write_kb(tmp_path / "kb", entries=entries,
                                            synonyms=synonyms or SYNONYMS)))


TERMS = [
    entry("lift-term5", "What happens to LIFT in Term 5?",
          "In Term 5 LIFT continues with advice and one off visits.",
          ["lift in term 5", "lift after easter"]),
    entry("lift-term6", "What happens to LIFT in Term 6?",
          "LIFT stops at the end of Term 6 (July 2025).", ["lift in term 6", "last lift meetings"]),
]


def test_a_different_term_is_not_an_answer(tmp_path):
    groups = [["term 3", "spring 1"], ["term 5", "summer 1"], ["term 6", "summer 2"]]
    a = answerer_for(tmp_path, TERMS, {"groups": groups})
    assert a.answer("what happens to lift in summer 2", now=NOW).entry.id == "lift-term6"
    assert a.answer("what happens to lift in term 5", now=NOW).entry.id == "lift-term5"
    assert near_miss(a, "what happens to lift in term 3", now=NOW)


def test_what_is_x_needs_x_to_be_the_subject(tmp_path):
    entries = [entry("training", "Can we book STLS training next year?",
                     "No new bookings for Term 1 or beyond, except AET and PINS.",
                     ["stls training bookings", "book stls courses"])]
    a = answerer_for(tmp_path, entries)
    assert a.answer("what is PINS", now=NOW).outcome == "decline"
    assert a.answer("can we still book AET and PINS training", now=NOW).outcome == "answer"


def test_same_question_form_picks_the_entry_among_equal_topics(tmp_path):
    entries = [
        entry("what", "What is the Continuum?", "A framework and toolkit.", ["continuum overview"]),
        entry("who", "Who is the Continuum for?", "All schools in Kent.", ["continuum audience"]),
        entry("when", "When is the Continuum published?", "In May 2025.", ["continuum publication"]),
    ]
    a = answerer_for(tmp_path, entries)
    assert a.answer("who is the continuum for", now=NOW).entry.id == "who"
    assert a.answer("what is the continuum", now=NOW).entry.id == "what"


def test_a_presenter_name_is_not_split_into_words(tmp_path):
    entries = [entry("siobhan", "Who is Siobhan Price?", "Assistant Director, School Inclusion (KCC).",
                     ["siobhan price role"], presenter="Siobhan Price"),
               entry("cost", "What does the NPQ cost?", "Nothing: it is fully funded.",
                     ["npq price", "npq cost"])]
    synonyms = {"groups": [["cost", "price"]]}
    a = answerer_for(tmp_path, entries, synonyms)
    assert a.answer("who is siobhan price", now=NOW).entry.id == "siobhan"


@pytest.mark.xfail(reason="a known gap of the learned decision on a tiny KB: the contact signal does not "
                          "fire on the top candidate for IASK; see knowledge/README.md", strict=False)
def test_contact_details_must_belong_to_what_was_named(tmp_path):
    entries = [entry("qa-contact", "How do I contact the QA officer?",
                     "Clara Green: 03000 410816, Clara.Green@kent.gov.uk.",
                     ["qa officer phone number", "qa officer email"]),
               entry("iask", "Where can parents get impartial advice?",
                     "Schools can point parents to IASK and IPSEA.", ["impartial advice", "iask"])]
    glossary = dict(GLOSSARY)
    glossary["terms"] = GLOSSARY["terms"] + [
        {"term": "IASK", "expansion": None, "variants": [], "source": "deck"}]
    root = write_kb(tmp_path / "kb", entries=entries, glossary=glossary)
    a = Answerer(load_knowledge(root))
    assert a.answer("qa officer phone number", now=NOW).entry.id == "qa-contact"
    assert near_miss(a, "what is the phone number for IASK?", now=NOW)


@pytest.mark.parametrize("question", [
    "how long do the QA webinars last?",          # no duration in the answer
    "how much does the QA webinar cost?",         # no amount of money
    "is there parking for the QA webinar?",       # "is there X": X never mentioned
    "will the QA webinar be recorded?",           # logistics word never used
])
def test_questions_for_facts_the_entry_lacks_are_declined(tmp_path, question):
    entries = [entry("webinars", "When are the QA webinars?",
                     "Wednesday 30 April 2025 at 4pm and Tuesday 6 May 2025 at 10am, on Teams.",
                     ["qa webinar dates", "when is the webinar", "quality assurance webinars"])]
    synonyms = {"groups": [["QA", "quality assurance"], ["webinar", "webinars"]]}
    a = answerer_for(tmp_path, entries, synonyms)
    assert a.answer("when are the QA webinars?", now=NOW).outcome == "answer"
    assert a.answer(question, now=NOW).outcome == "decline"


FILLER = [
    entry("npq", "When does the NPQ close?", "On Sunday 6 April 2025.", ["npq deadline"]),
    entry("appeal", "How long do parents have to appeal?", "8 weeks from the final EHCP.",
          ["appeal time limit"]),
    entry("bundle", "When does school get the bundle?", "About 4 weeks before the hearing.",
          ["hearing bundle"]),
]


def test_asked_for_a_term_the_entry_does_not_cover(tmp_path):
    groups = [["term 5", "summer 1"], ["term 6", "summer 2"]]
    lift = entry("lift-term5", "Is LIFT still running in Term 5?",
                 "In Term 5 LIFT continues with advice and one off visits.",
                 ["is lift still running", "lift in term 5", "lift after easter"])
    term6 = entry("term6-dates", "When is Term 6?", "Term 6 runs 2 June to 22 July 2025.",
                  ["term 6 dates", "summer 2 dates"])
    a = answerer_for(tmp_path, [lift, term6] + FILLER, {"groups": groups})
    assert a.answer("is lift still running in term 5", now=NOW).entry.id == "lift-term5"
    assert near_miss(a, "is lift still running in term 6", now=NOW)


def test_asked_for_a_phone_number_the_answer_does_not_give(tmp_path):
    entries = [entry("stls-contact", "How do I contact the STLS team?",
                     "E-mail inclusion@kent.gov.uk with your questions.",
                     ["stls phone number", "stls contact", "how to reach stls"])] + FILLER
    a = answerer_for(tmp_path, entries)
    assert a.answer("how do i contact the stls team", now=NOW).outcome == "answer"
    assert a.answer("what's the stls phone number", now=NOW).outcome == "decline"


def test_how_long_someone_has_needs_a_span_in_the_answer(tmp_path):
    entries = [
        entry("la-decisions", "How does the LA make decisions?",
              "The LA considers all relevant evidence when deciding to assess or issue a final EHCP.",
              ["what does the la base decisions on", "how does the la decide to issue an ehcp"]),
        entry("appeal-window", "How long do parents have to appeal?",
              "Parents have 8 weeks from the date a final EHCP is issued to register an appeal.",
              ["appeal deadline for parents", "when must parents appeal by"]),
    ]
    a = answerer_for(tmp_path, entries)
    result = a.answer("how long does the LA have to issue a final EHCP?", now=NOW)
    assert result.outcome != "answer" or result.entry.id != "la-decisions"
    assert a.answer("how long have parents got to appeal?", now=NOW).entry.id == "appeal-window"
