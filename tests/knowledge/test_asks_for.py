"""Near misses where every topic word matches but the question asks for
something the entry does not say: a clock time, a count of something else, an
amount said of another thing, the length of another thing, a date of another
thing, or whether a subject the entry never mentions may do something."""
import pytest

from .conftest import near_miss
from .test_near_misses import FILLER, NOW, answerer_for, entry

SYNONYMS = {"groups": [
    ["tribunal", "appeal", "sendist"],
    ["fund", "funding", "budget", "pay", "paid"],
    ["top up", "top-up", "e3"],
    ["parent", "parents", "carer", "carers"],
    ["webinar", "webinars"],
    ["QA", "quality assurance"],
    ["chair", "chairs"],
    ["term 5", "summer 1"],
    ["term 6", "summer 2"],
]}

FORUM = entry("next-forum", "When is the next SENCO forum?",
              "The Term 5 forum is on Wednesday 21 May and Thursday 22 May 2025.",
              ["next senco forum date", "term 5 forum", "when is the may forum"])
WEBINARS = entry("webinars", "When are the QA webinars?",
                 "Wednesday 30 April 2025 at 4pm and Tuesday 6 May 2025 at 10am, on Teams.",
                 ["qa webinar dates and times", "when is the webinar", "quality assurance webinars"])


def test_what_time_needs_a_clock_time(tmp_path):
    a = answerer_for(tmp_path, [FORUM, WEBINARS] + FILLER, SYNONYMS)
    assert a.answer("what time is the QA webinar on 30 April", now=NOW).entry.id == "webinars"
    assert a.answer("when is the next senco forum", now=NOW).entry.id == "next-forum"
    assert a.answer("what time does the next senco forum start", now=NOW).outcome == "decline"


CONSULTATION = entry("consultation", "How many people responded to the STLS consultation?",
                     "The STLS consultation had 496 respondents.",
                     ["stls consultation responses", "number of responses to the stls consultation"])
AGENDA = entry("agenda", "What was on the forum agenda?",
               "1 Welcome (5 mins); 2 Communities of Schools, Siobhan Price (15 mins); "
               "3 NPQ for SENCOs (5 mins).",
               ["forum agenda", "forum sessions", "what sessions were at the forum"])


def test_a_count_must_be_of_the_thing_asked_about(tmp_path):
    a = answerer_for(tmp_path, [CONSULTATION, AGENDA] + FILLER, SYNONYMS)
    assert a.answer("how many people answered the stls consultation", now=NOW).outcome == "answer"
    # The agenda's numbers count minutes or number its items, not schools or SENCOs.
    assert a.answer("how many schools were at the forum sessions", now=NOW).outcome == "decline"
    assert a.answer("how many SENCOs came to the forum sessions", now=NOW).outcome == "decline"


TOPUP = entry("topup", "How will top-up funding work after August 2025?",
              "Agreed claims are paid until 31 August 2025; existing EHCP top-ups above £6k "
              "continue until August 2026; school age STLS funding forms part of the "
              "Communities of Schools budget.",
              ["top up funding next year", "what replaces top up claims", "new funding system"])


def test_an_amount_must_be_said_of_the_thing_asked_about(tmp_path):
    a = answerer_for(tmp_path, [TOPUP] + FILLER, SYNONYMS)
    assert a.answer("how much top-up funding is there for an EHCP", now=NOW).outcome == "answer"
    assert a.answer("how much is the STLS budget for 2025-26", now=NOW).outcome == "decline"
    assert a.answer("what's the budget for stls next year", now=NOW).outcome == "decline"


DECISION = entry("decision", "What was the key decision on STLS?",
                 "On 19 February 2025 the Cabinet Member for Education and Skills decided that "
                 "STLS is funded from the high needs block.",
                 ["stls key decision", "what did the cabinet member decide about stls",
                  "who made the stls decision"])
CHAIRS = entry("chairs", "What is happening with Community Chairs?",
               "Community Chairs induction meetings are run with support from Croydon LA; "
               "2 are completed and 1 more is in place.",
               ["community chairs induction", "chairs of the communities of schools"])


@pytest.mark.parametrize("question", [
    "who is the cabinet member for education and skills",
    "who is chairing the communities of schools",
    "who will chair the community of schools",
])
def test_asking_who_needs_a_person_in_the_answer(tmp_path, question):
    a = answerer_for(tmp_path, [DECISION, CHAIRS] + FILLER, SYNONYMS)
    assert a.answer("what did the cabinet member decide about stls", now=NOW).outcome == "answer"
    assert a.answer(question, now=NOW).outcome == "decline"


SOUTH = entry("south", "When and where is the South community induction meeting?",
              "Monday 28 April 2025, 1pm to 4pm, at Discovery Park, Sandwich.",
              ["south induction", "discovery park induction", "south induction venue"])


def test_a_logistics_word_the_entry_never_uses_is_decisive(tmp_path):
    # "parking" and "Discovery Park" share a stem, so only the logistics rule
    # can tell that the entry says nothing about parking.
    a = answerer_for(tmp_path, [SOUTH] + FILLER, SYNONYMS)
    assert a.answer("where is the discovery park induction", now=NOW).outcome == "answer"
    assert near_miss(a, "is there parking at discovery park for the induction", now=NOW)


BUNDLE = entry("bundle-arrives", "When does school get the tribunal bundle?",
               "The school receives the bundle approximately 4 weeks prior to the hearing.",
               ["hearing bundle", "how long before the hearing is the bundle sent",
                "tribunal paperwork arrival"])
AGENDA_TRIBUNAL = entry("agenda-tribunal", "How long was each forum session?",
                        "Tribunal: the role of the school (15 mins); STLS Update (30 mins).",
                        ["how long was the tribunal slot", "session lengths", "how long did each item last"])
NPQ_LENGTH = entry("npq-length", "How long does the NPQ for SENCOs take?",
                   "The NPQ for SENCOs lasts 18 months.", ["npq duration", "how long is the npq"])


def test_how_long_does_x_last_needs_x_and_a_length(tmp_path):
    a = answerer_for(tmp_path, [BUNDLE, AGENDA_TRIBUNAL, NPQ_LENGTH] + FILLER[:2], SYNONYMS)
    assert a.answer("how long does the npq take", now=NOW).entry.id == "npq-length"
    # The agenda slot is the length of a talk about tribunals; "4 weeks prior"
    # says when the bundle comes, not how long a hearing lasts.
    assert a.answer("how long does a tribunal hearing last?", now=NOW).outcome == "decline"


REVIEWS = entry("reviews-webinar", "Is there any training on child centred annual reviews?",
                "Yes. Child centred annual reviews are one of the topics of the QA webinars. "
                "Dates: Wednesday 30 April 2025 at 4pm and Tuesday 6 May 2025 at 10am.",
                ["annual review training", "webinar on annual reviews", "annual reviews cpd"])


def test_a_date_must_be_of_the_thing_asked_about(tmp_path):
    a = answerer_for(tmp_path, [REVIEWS] + FILLER, SYNONYMS)
    assert a.answer("is there training on annual reviews", now=NOW).outcome == "answer"
    # The entry's dates are the webinars', not when an annual review is due.
    assert near_miss(a, "when is an annual review due", now=NOW)


def test_a_dated_entry_label_says_what_its_date_is_of(tmp_path):
    launch = entry("app1", "Where can I find out about App 1?",
                   "The QA webinars include the launch of App 1. "
                   "Dates: Wednesday 30 April 2025 at 4pm and Tuesday 6 May 2025 at 10am.",
                   ["what is app 1", "app 1 launch webinar", "is there a session about app 1"])
    launch["date"] = {"on": "2025-05-06", "label": "The last of the two QA webinars"}
    a = answerer_for(tmp_path, [launch] + FILLER, SYNONYMS)
    best = a.score("when are the app 1 launch webinars")[0]
    assert best.entry_id == "app1" and not best.kinds_missing


def test_asked_when_about_a_term_the_dated_entry_never_mentions(tmp_path):
    a = answerer_for(tmp_path, [WEBINARS] + FILLER, SYNONYMS)
    assert a.answer("when is the QA webinar", now=NOW).outcome == "answer"
    assert near_miss(a, "when is the term 6 QA webinar", now=NOW)


INDUCTION = entry("induction-purpose", "What are the Community Induction Meetings for?",
                  "Their purpose: meet the chairs, establish relationships, share documentation "
                  "and ensure consistency of messaging.",
                  ["purpose of the community induction meetings", "why go to the induction meeting",
                   "can schools attend the community induction meetings"])
PARENT_VERSION = entry("continuum-parents", "Will there be a version of the Continuum for parents?",
                       "Yes. Parents and professionals from outside agencies will have a version "
                       "explaining its key features.",
                       ["continuum for parents", "parent version of the continuum",
                        "will parents have their own continuum"])
NPQ_FORMAT = entry("npq-format", "What does the NPQ for SENCOs involve?",
                   "4 face-to-face sessions, online modules and 4 one-to-one coaching sessions.",
                   ["npq format", "is coaching included in the npq", "what is involved in the npq"])


def test_a_yes_no_question_needs_its_subject_and_object_in_the_entry(tmp_path):
    a = answerer_for(tmp_path, [INDUCTION, PARENT_VERSION, NPQ_FORMAT] + FILLER, SYNONYMS)
    assert a.answer("can schools attend the community induction meetings", now=NOW).outcome == "answer"
    assert a.answer("does the npq include coaching", now=NOW).outcome == "answer"
    assert near_miss(a, "can parents attend the community induction meetings", now=NOW)
    assert near_miss(a, "will the continuum for parents have a helpline", now=NOW)


APPEAL = entry("appeal-window", "How long do parents have to register an appeal?",
               "Parents have 8 weeks from the date a final EHCP is issued to register an appeal.",
               ["appeal time limit", "8 week appeal deadline", "deadline for parents to appeal"])
REFUSE = entry("refuse-witness", "Can a school refuse to be a witness?",
               "A school can refuse, but the LA may then have to concede the appeal.",
               ["what if we refuse to be a witness", "do we have to be a witness"])


def test_what_happens_if_needs_the_condition_in_the_entry(tmp_path):
    a = answerer_for(tmp_path, [APPEAL, REFUSE] + FILLER[:1], SYNONYMS)
    assert a.answer("what happens if we refuse to be a witness", now=NOW).entry.id == "refuse-witness"
    assert near_miss(a, "what happens if a parent misses the 8 week appeal deadline", now=NOW)


def test_how_are_x_chosen_needs_the_verb_in_the_entry(tmp_path):
    a = answerer_for(tmp_path, [CHAIRS] + FILLER, SYNONYMS)
    assert a.answer("chairs of the communities of schools", now=NOW).outcome == "answer"
    assert near_miss(a, "how are the communities of schools chairs chosen", now=NOW)


def test_what_is_x_about_needs_x_in_a_phrasing_not_just_a_keyword(tmp_path):
    training = entry("training", "Can I book STLS training for September?",
                     "No new bookings for Term 1 or beyond, except AET and PINS.",
                     ["stls training bookings", "book stls courses next year"], keywords=["pins", "aet"])
    a = answerer_for(tmp_path, [training] + FILLER, SYNONYMS)
    assert a.answer("can i book pins training", now=NOW).outcome == "answer"
    assert near_miss(a, "what's PINS training about", now=NOW)


def test_one_word_with_an_entry_s_exact_question_form_is_not_a_bare_topic(tmp_path):
    # Every entry is also just "the continuum", so the bare word is ambiguous.
    entries = [entry(f"c{i}", q, a, [alt, "the continuum"]) for i, (q, a, alt) in enumerate([
        ("What is the Continuum?", "A framework and toolkit.", "continuum overview"),
        ("Who is the Continuum for?", "All schools in Kent.", "continuum audience"),
        ("Why was the Continuum developed?", "For consistency.", "continuum reasons"),
        ("When is the Continuum published?", "In May 2025.", "continuum publication"),
        ("Where is the Continuum used?", "In all settings.", "continuum settings"),
        ("How was the Continuum made?", "Through collaboration.", "continuum development"),
        ("Who do I contact about the Continuum?", "Emily Bambridge.", "continuum contact"),
        ("What areas do Continuum case studies cover?", "Eight areas.", "continuum case studies"),
    ])]
    a = answerer_for(tmp_path, entries, SYNONYMS)
    result = a.answer("who is the continuum for", now=NOW)
    assert result.outcome == "answer" and result.entry.id == "c1"
    assert a.answer("continuum", now=NOW).outcome != "answer"


CLAIMS = entry("claims-close", "When does the current top-up claim system close?",
               "The current claim system for top-up funding ceases on 31 March 2025; no further "
               "claims from 1 April.",
               ["top up claims deadline", "can we still submit top up claims", "e3 claims closing"])


@pytest.mark.xfail(reason="a known gap of the learned decision on a two-entry KB: the off-topic long "
                          "question is answered (no near-miss signal fires); see knowledge/README.md", strict=False)
def test_the_story_around_a_long_question_does_not_drown_it(tmp_path):
    a = answerer_for(tmp_path, [CLAIMS] + FILLER, SYNONYMS)
    long = ("our bursar is flapping - is the current top up claim system for e3 closing "
            "and when do claims stop?")
    assert a.answer(long, now=NOW).entry.id == "claims-close"
    assert near_miss(a, "is the top-up claim system closing for nurture groups in academies "
                        "with autism bases and speech therapy?", now=NOW)


AGENDA_NEXT = entry("next-agenda", "What is on the proposed Term 5 agenda?",
                    "Health (TBD), Transition Plans, Update on direction of travel, Phase Transfer Team, EHCP.",
                    ["term 5 agenda", "is the phase transfer team on the next agenda", "next forum topics"])
FINANCE = entry("finance-group", "What is the Finance Information Group?",
                "Finance Information Group meetings were held with The Education People last week.",
                ["finance information group", "finance group meetings", "who met about finance"])


def test_how_do_i_contact_x_needs_contact_details(tmp_path):
    a = answerer_for(tmp_path, [AGENDA_NEXT] + FILLER, SYNONYMS)
    assert a.answer("is the phase transfer team on the next agenda", now=NOW).outcome == "answer"
    assert a.answer("how do I contact the phase transfer team", now=NOW).outcome == "decline"


def test_who_sits_on_asks_for_people(tmp_path):
    a = answerer_for(tmp_path, [FINANCE] + FILLER, SYNONYMS)
    assert a.answer("what is the finance information group", now=NOW).outcome == "answer"
    assert a.answer("who sits on the finance information group", now=NOW).outcome == "decline"


def test_how_are_x_paid_is_a_procedure_too(tmp_path):
    a = answerer_for(tmp_path, [CHAIRS] + FILLER, SYNONYMS)
    assert near_miss(a, "how are the community chairs paid", now=NOW)
