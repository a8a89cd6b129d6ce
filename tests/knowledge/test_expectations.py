"""What a question asks for and what an answer offers, below the engine."""
from knowledge.expectations import (DIRECT_COUNT, answer_kinds, asked_kinds, clauses,
                                    counted_noun, counted_words, duration_subject, money_clauses)
from knowledge.text import Analyzer


def test_clauses_split_at_sentences_and_semicolons_but_not_at_decimal_points():
    assert clauses("Open 9.30am to 12.30pm; Monday to Friday. Call 03000 410816.") == [
        "Open 9.30am to 12.30pm", "Monday to Friday", "Call 03000 410816"]


def test_counts_exclude_dates_times_money_and_numbered_things():
    assert "count" in answer_kinds("The consultation had 496 respondents.")
    assert "count" not in answer_kinds("On Tuesday 6 May 2025, 1pm to 4pm, in Term 5, above £6k.")


def test_counted_words_follow_the_count_and_skip_item_numbers():
    words = counted_words("1 Welcome (5 mins); 7 NPQ for SENCOs (5 mins). It had 496 respondents.")
    assert "respondents" in words and "mins" in words
    assert "NPQ" not in words and "Welcome" not in words


def test_a_short_first_clause_ending_in_a_count_answers_any_count():
    assert DIRECT_COUNT in counted_words("There can be two. Early on, a meeting may be held.")
    assert DIRECT_COUNT not in counted_words("It had 496 respondents.")


def test_the_counted_noun_is_the_word_after_how_many_unless_generic():
    assert counted_noun("how many schools are in each community") == "schools"
    assert counted_noun("how many people answered the consultation") is None


def test_an_offset_is_not_a_length():
    assert "length" in answer_kinds("The NPQ lasts 18 months.")
    assert "length" not in answer_kinds("The bundle arrives approximately 4 weeks prior to the hearing.")
    assert "duration" in answer_kinds("The bundle arrives approximately 4 weeks prior to the hearing.")


def test_how_long_does_x_last_names_x():
    assert duration_subject("how long does a tribunal hearing last?") == "tribunal hearing"
    assert duration_subject("how long do parents have to appeal") is None


def test_money_clauses_are_the_ones_with_an_amount():
    answer = "Agreed claims are paid until August 2025; top-ups above £6k continue; STLS is funded by KCC."
    assert money_clauses(answer) == ["top-ups above £6k continue"]


def test_asks_for_clock_times_counts_and_budgets():
    assert "clock" in asked_kinds("what time does the forum start")
    assert "clock" not in asked_kinds("when does the forum start")
    assert "count" in asked_kinds("how many schools are in a community")
    assert "money" in asked_kinds("what's the budget for stls next year")
    assert "money" not in asked_kinds("what budget pays for stls")


def test_chat_spellings_are_filler():
    assert Analyzer().terms("wat r the webinar dates") == Analyzer().terms("webinar dates")


def test_a_budget_with_several_qualifiers_still_asks_for_an_amount():
    assert "money" in asked_kinds("what's the total STLS budget for next year?")
    assert "money" in asked_kinds("what is the overall early years STLS budget")


def test_how_long_someone_has_to_do_something_asks_for_a_span():
    assert "duration" in asked_kinds("how long does the LA have to issue a final EHCP?")
    assert "duration" in asked_kinds("how long have parents got to lodge an appeal")
    # "have" inside a relative clause is not an allowance: this asks until when.
    assert "duration" not in asked_kinds("how long will top ups that have already been agreed keep getting paid?")
