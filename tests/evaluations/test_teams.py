"""In Teams: "evaluate" opens the card, its button stores the answers, staff read the results."""
from datetime import datetime, timezone

from tests.evaluations.conftest import FORUM, senco, staff

FULL = {"action": "evaluation.submit", "forum_id": FORUM, "phase": "primary", "overall": "4",
        "item__tribunal": "5", "item__stls-update": "3", "most_useful": "The tribunal countdown",
        "could_be_better": "", "topics": "ehcp,transition-plans", "topics_other": ""}


def card_inputs(reply) -> dict:
    return {e["id"]: e.get("value") for e in reply.card["body"] if e["type"].startswith("Input.")}


async def test_evaluate_opens_the_survey_card_and_its_button_stores_the_answers(assistant, evaluations):
    sam = senco(assistant)
    [card] = await sam.says("evaluate")
    assert card.card["version"] == "1.5"
    assert "Evaluation: Countywide SENCO Forum, March 2025" in card.text
    assert "until the end of Thursday 10 April 2025" in card.text
    assert set(card_inputs(card)) >= {"phase", "overall", "item__tribunal", "topics", "topics_other"}
    assert all(value in ("", None) for value in card_inputs(card).values())

    [reply] = await sam.presses(FULL)
    assert "Thank you" in reply.text and "saved" in reply.text
    stored = await evaluations.answers_of(FORUM, "29:senco-1")
    assert (stored.phase, stored.overall, dict(stored.ratings)) == ("primary", 4, {"tribunal": 5, "stls-update": 3})
    assert stored.topics == ("ehcp", "transition-plans")


async def test_answering_again_edits_the_one_response_and_the_card_shows_your_answers(assistant, evaluations):
    sam = senco(assistant)
    await sam.presses(FULL)
    [card] = await sam.says("change my evaluation")
    inputs = card_inputs(card)
    assert (inputs["overall"], inputs["item__tribunal"], inputs["topics"]) == ("4", "5", "ehcp,transition-plans")
    assert "You answered this before" in card.text
    await sam.presses(dict(FULL, overall="2", item__tribunal=""))
    [response] = await evaluations._responses.for_forum(FORUM)
    assert (response.overall, response.ratings, response.edits) == (2, {"stls-update": 3}, 1)


async def test_a_bad_submission_is_refused_and_the_card_comes_back_with_what_is_wrong(assistant, evaluations):
    sam = senco(assistant)
    [card] = await sam.presses(dict(FULL, overall="9", item__bogus="3"))
    assert "Choose a rating from 1 to 5." in card.text
    assert "That agenda item is not part of this forum's evaluation." in card.text
    assert await evaluations.answers_of(FORUM, "29:senco-1") is None


async def test_free_text_is_redacted_before_it_is_stored(assistant, evaluations):
    await senco(assistant).presses(dict(FULL, could_be_better="More time please, ring me on 07700 900123"))
    stored = await evaluations.answers_of(FORUM, "29:senco-1")
    assert "07700" not in stored.could_be_better and "[phone]" in stored.could_be_better


async def test_after_the_closing_date_evaluate_says_it_has_closed_and_a_late_submit_is_refused(assistant, clock,
                                                                                              evaluations):
    sam = senco(assistant)
    await sam.says("evaluate")
    clock.set(datetime(2025, 4, 11, 9, 0, tzinfo=timezone.utc))
    [reply] = await sam.presses(FULL)
    assert "has closed" in reply.text and "Thursday 10 April 2025" in reply.text
    assert await evaluations.answers_of(FORUM, "29:senco-1") is None
    [reply] = await sam.says("evaluate")
    assert "no forum evaluation open" in reply.text and "closed at the end of Thursday 10 April 2025" in reply.text


async def test_before_the_forum_ends_there_is_nothing_to_evaluate(assistant, clock):
    clock.set(datetime(2025, 3, 19, 9, 0, tzinfo=timezone.utc))
    [reply] = await senco(assistant).says("evaluate")
    assert "no forum evaluation open" in reply.text


async def test_staff_see_the_summary_card_with_a_chart_and_the_redacted_comments_without_names(assistant):
    # Issue 20: comments were readable only in the CLI's spreadsheet; staff now read them in Teams, redacted
    # when stored and never beside who wrote them.
    await senco(assistant, 1).presses(dict(FULL, most_useful="Comment one, ring me on 07700 900123"))
    await senco(assistant, 2).presses(dict(FULL, phase="secondary", overall="2", item__tribunal="3"))
    [card] = await staff(assistant).says("evaluation results term 4")
    assert card.card["version"] == "1.5"
    assert "Evaluation results: Countywide SENCO Forum, March 2025" in card.text
    assert "Responses: 2 of 2 asked (100%)" in card.text
    assert "Overall rating: 3.0 (n=2)" in card.text
    assert "Tribunal – the role of the school (Georgette Williams): 4.0 (n=2)" in card.text
    assert "Primary (1)" in card.text and "Secondary (1)" in card.text
    assert "Comments (2, newest first)" in card.text
    assert "Most useful: Comment one, ring me on [phone]" in card.text
    assert "07700" not in str(card.card) and "Sam Senco" not in str(card.card)
    [image] = [e for e in card.card["body"] if e["type"] == "Image"]
    assert image["url"].startswith("http://bot.test/evaluations/chart/") and image["altText"]


async def test_non_staff_cannot_see_results_nor_anyone_elses_answers(assistant, evaluations):
    await senco(assistant, 1).presses(dict(FULL, most_useful="Sam's private view"))
    other = senco(assistant, 2)
    [reply] = await other.says("evaluation results")
    assert reply.text == "Sorry, only the inclusion team can see evaluation results."
    [card] = await other.says("evaluate")
    assert all(value in ("", None) for value in card_inputs(card).values())
    assert "Sam's private view" not in str(card.card)
    # Pressing a forged button cannot reach the results either: only the submit action exists.
    [reply] = await other.presses({"action": "evaluation.results", "forum_id": FORUM})
    assert "Sam's private view" not in reply.text
    help_card = (await other.says("help"))[0]
    assert "evaluate" in help_card.text and "evaluation results" not in help_card.text
    staff_help = (await staff(assistant).says("help"))[0]
    assert "evaluation results" in staff_help.text


async def test_evaluate_words_route_here_but_questions_about_the_evaluation_stay_with_the_faq(assistant):
    router = assistant.bot.router
    # Asking for the form, or about a forum's evaluation, goes to the evaluation: it knows whether one is
    # open, and the FAQ does not.
    for text in ("evaluate", "Evaluate the forum", "fill in the evaluation", "I want to rate the forum",
                 "change my evaluation", "where is the evaluation form", "term 4 forum evaluation"):
        assert router.best(text, is_staff=False).name == "evaluation.open", text
    for text in ("when is the next forum", "how should we evaluate our SEN provision?"):
        intent = router.best(text, is_staff=False)
        assert intent is None or not intent.name.startswith("evaluation"), text


async def test_a_first_attempt_refused_for_errors_is_not_called_answering_before(assistant, evaluations):
    sam = senco(assistant)
    [card] = await sam.presses(dict(FULL, overall="9"))
    assert "Choose a rating from 1 to 5." in card.text
    assert "You answered this before" not in card.text
    await sam.presses(FULL)
    [card] = await sam.presses(dict(FULL, overall="9"))
    assert "You answered this before" in card.text


async def test_asking_whether_the_evaluation_is_open_agrees_with_the_window(assistant, clock):
    """Issue 20, point 6, tried in the terminal: after the evaluation closed, "is the evaluation still open?" was
    answered from the FAQ with "Please complete the Term 4 SENCO Forum Evaluation"."""
    sam = senco(assistant)
    for question in ("is the evaluation still open?", "when does the forum evaluation close?",
                     "where's the link for the evaluation"):
        replies = await sam.says(question)
        assert "Yes: the evaluation of the Countywide SENCO Forum, March 2025 is open until the end of Thursday " \
               "10 April 2025" in replies[0].text, question
        assert replies[-1].card and "Send my answers" in [t for t, _ in replies[-1].choices], question
    clock.set(datetime(2025, 5, 1, 9, 0, tzinfo=timezone.utc))
    for question in ("is the evaluation still open?", "can I still do the forum evaluation?",
                     "what's the deadline for filling in the term 4 forum evaluation?"):
        [reply] = await sam.says(question)
        assert "no forum evaluation open" in reply.text and "closed at the end of Thursday 10 April 2025" \
            in reply.text, question
        assert "Please complete" not in reply.text
    router = assistant.bot.router
    for question in ("how should we evaluate our SEN provision?", "when do the evaluation results come out?",
                     "what did the evaluation of the LIFT pilot find?"):
        intent = router.best(question, is_staff=False)
        assert intent is None or not intent.name.startswith("evaluation.open"), question
