import datetime as dt

from knowledge.deck_import.dates import DateContext, find_dates, find_times, term_spans

CONTEXT = DateContext(year=2025, forum_day=dt.date(2025, 3, 19),
                      terms=term_spans(["Term 5 (22 April – 23 May) Term 6 (2 Jun – 22 July)"], 2025))


def one(text):
    found = find_dates(text, CONTEXT)
    assert len(found) == 1, found
    return found[0]


def test_weekday_and_ordinal_against_the_decks_year():
    mention = one("Tuesday 6th May at 10am")
    assert (mention.on, mention.precision, mention.flags) == (dt.date(2025, 5, 6), "day", ())
    assert [t for t, *_ in find_times("Tuesday 6th May at 10am")] == [dt.time(10, 0)]


def test_a_weekday_that_does_not_fit_is_flagged_not_trusted():
    mention = one("Thursday 6th May")
    assert mention.on == dt.date(2025, 5, 6)
    assert "Tuesday" in mention.flags[0]


def test_week_commencing():
    assert (one("w/c 12 May").on, one("w/c 12 May").precision, one("w/c 12 May").flags) == (
        dt.date(2025, 5, 12), "week", ())
    assert one("w/c 13 May").flags          # 13 May 2025 is a Tuesday, not the start of a week


def test_terms_use_the_decks_own_term_dates_and_are_flagged():
    mention = one("Mapping will start in Term 5")
    assert (mention.on, mention.precision) == (dt.date(2025, 4, 22), "term")
    assert mention.flags
    unknown = one("No new bookings for Term 1")
    assert unknown.on is None and unknown.flags


def test_summer_term_and_month_only_are_kept_as_given_and_flagged():
    summer = one("claims due to be renewed for the Summer Term")
    assert (summer.on, summer.text, summer.precision) == (None, "Summer Term", "term") and summer.flags
    month = one("to be published May 2025")
    assert (month.on, month.precision, month.text) == (dt.date(2025, 5, 1), "month", "May 2025") and month.flags


def test_two_digit_years_and_abbreviated_months():
    assert one("paid until 31st August 25").on == dt.date(2025, 8, 31)
    assert one("continue until 31st Aug 26.").on == dt.date(2026, 8, 31)
    assert one("finalised on 1st Sept 2025").on == dt.date(2025, 9, 1)
    assert one("as at 31st Dec 24)").on == dt.date(2024, 12, 31)


def test_a_time_right_after_a_date_is_not_read_as_its_year():
    assert one("Tuesday 6th May 10am").on == dt.date(2025, 5, 6)
    times = [t for t, *_ in find_times("Monday 28th April 1pm -4pm")]
    assert times == [dt.time(13), dt.time(16)]
    assert [t for t, *_ in find_times("12pm and 12.30am")] == [dt.time(12), dt.time(0, 30)]


def test_month_day_order():
    found = find_dates("Proposed Term 5 Agenda: May 21st & May 22nd 1. Health TBD", CONTEXT)
    assert [d.on for d in found if d.precision == "day"] == [dt.date(2025, 5, 21), dt.date(2025, 5, 22)]
