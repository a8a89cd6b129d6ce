"""The survey is defined once: what it asks, and what a submission from a card or a form may answer."""
import pytest

from bot.evaluations.messages import EvaluationMessages, card_inputs
from bot.evaluations.survey import Answers, build_survey
from bot.evaluations.service import EvaluationPolicy
from bot.settings import EvaluationSettings
from knowledge.forums import load_forums


@pytest.fixture(scope="module")
def survey():
    catalogue = load_forums()
    forum = catalogue.get("term4-2025")
    return build_survey(forum, catalogue.next_after(forum))


def test_the_survey_asks_what_the_issue_lists(survey):
    names = [q.name for q in survey.questions]
    assert names[:2] == ["phase", "overall"]
    assert [q.item_id for q in survey.rating_questions] == [
        "welcome", "qa-introduction", "continuum", "send-policy-template", "tribunal", "stls-update",
        "communities-of-schools", "npq-for-sencos"]
    assert names[-4:] == ["most_useful", "could_be_better", "topics", "topics_other"]
    assert [c.value for c in survey.question("phase").choices] == ["primary", "secondary"]
    assert [c.value for c in survey.question("overall").choices] == ["1", "2", "3", "4", "5"]
    assert [c.title for c in survey.question("topics").choices] == [
        "Health TBD", "Transition Plans", "Update on direction of travel", "Phase Transfer Team", "EHCP"]
    assert [s["heading"] for s in survey.sections()] == [
        "About you", "The forum overall", "How useful was each session?", "Your comments", "Next time"]


def test_a_card_submit_and_a_form_post_become_the_same_answers(survey):
    card_value = {"action": "evaluation.submit", "forum_id": "term4-2025", "phase": "secondary", "overall": "4",
                  "item__tribunal": "5", "item__welcome": "", "most_useful": "The tribunal countdown",
                  "could_be_better": "", "topics": "ehcp,transition-plans", "topics_other": "Attendance"}
    form_fields = {"phase": ["secondary"], "overall": ["4"], "item__tribunal": ["5"],
                   "most_useful": ["The tribunal countdown"], "could_be_better": [""],
                   "topics": ["ehcp", "transition-plans"], "topics_other": ["Attendance"]}
    from_card, from_form = survey.parse(card_value), survey.parse(form_fields)
    assert from_card.ok and from_form.ok
    assert from_card.answers == from_form.answers == Answers(
        phase="secondary", overall=4, ratings={"tribunal": 5}, most_useful="The tribunal countdown",
        topics=("ehcp", "transition-plans"), topics_other="Attendance")


@pytest.mark.parametrize("field, value, message", [
    ("overall", "9", "1 to 5"),
    ("overall", "0", "1 to 5"),
    ("item__tribunal", "4.5", "1 to 5"),
    ("item__health", "3", "not part of this forum"),          # next forum's item, not this one's
    ("item__proposed-term5-agenda", "3", "not part of this forum"),   # not rated
    ("phase", "nursery", "one of the options"),
    ("topics", "ehcp,knitting", "from the list"),
    ("favourite_colour", "blue", "no such question"),
    ("most_useful", "x" * 2001, "under 2,000"),
])
def test_a_submission_may_only_answer_what_the_survey_offered(survey, field, value, message):
    result = survey.parse({"overall": "3", field: value})
    assert not result.ok
    assert message in result.errors[field]


def test_two_answers_to_a_one_answer_question_are_refused(survey):
    result = survey.parse({"overall": ["3", "5"]})
    assert "one answer" in result.errors["overall"]


def test_partial_answers_are_fine_but_an_empty_submission_is_not(survey):
    assert survey.parse({"item__stls-update": "2"}).answers == Answers(ratings={"stls-update": 2})
    empty = survey.parse({"action": "evaluation.submit", "forum_id": "term4-2025", "overall": "", "topics": ""})
    assert empty.errors == {"form": "Answer at least one question before sending."}


def test_the_card_is_prefilled_with_the_persons_own_answers(survey):
    answers = Answers(phase="primary", overall=5, ratings={"continuum": 4}, topics=("ehcp", "health"))
    inputs = {q["name"]: q for s in card_inputs(survey, answers) for q in s["questions"]}
    assert inputs["phase"]["value"] == "primary"
    assert inputs["overall"]["value"] == "5"
    assert inputs["item__continuum"]["value"] == "4"
    assert inputs["item__tribunal"]["value"] == ""
    assert inputs["topics"]["value"] == "ehcp,health"


def test_the_card_is_adaptive_card_1_5_with_one_input_per_question(survey):
    forum = load_forums().get("term4-2025")
    window = EvaluationPolicy.from_settings(EvaluationSettings()).window(forum)
    card = EvaluationMessages(team_name="Inclusion team", team_mailbox="inclusion@kent.gov.uk").survey_card(
        survey=survey, window=window, answers=None, link="https://bot.example/evaluate/t")
    assert card["version"] == "1.5" and card["type"] == "AdaptiveCard"
    inputs = [e for e in card["body"] if e["type"].startswith("Input.")]
    assert [e["id"] for e in inputs] == [q.name for q in survey.questions]
    assert all(e.get("label") for e in inputs)
    topics = next(e for e in inputs if e["id"] == "topics")
    assert topics["isMultiSelect"] is True
    submit, browser = card["actions"]
    assert submit["data"] == {"action": "evaluation.submit", "forum_id": "term4-2025"}
    assert browser == {"type": "Action.OpenUrl", "title": "Open in a browser", "url": "https://bot.example/evaluate/t"}
