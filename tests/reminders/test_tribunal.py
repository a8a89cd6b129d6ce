"""Tribunal tracking: British dates, the deck's milestones, reminder instants across BST, safe references."""
import datetime as dt
from pathlib import Path

import pytest

from bot.privacy.redaction import Redactor
from bot.reminders.tribunal import (
    DateProblem,
    ReferenceProblem,
    case_reminders,
    clean_reference,
    milestones,
    parse_british_date,
)
from integrations.db.reminders import TribunalCase

TODAY = dt.date(2025, 3, 3)
UTC = dt.timezone.utc


@pytest.mark.parametrize("text, expected", [
    ("6 May 2025", dt.date(2025, 5, 6)),
    ("06/05/2025", dt.date(2025, 5, 6)),
    ("6/5/25", dt.date(2025, 5, 6)),
    ("6.5.2025", dt.date(2025, 5, 6)),
    ("6th May 2025", dt.date(2025, 5, 6)),
    ("Tuesday 6 May 2025", dt.date(2025, 5, 6)),
    ("6 of May, 2025", dt.date(2025, 5, 6)),
    ("May 6, 2025", dt.date(2025, 5, 6)),
    ("6 Sept 2025", dt.date(2025, 9, 6)),
    ("2025-05-06", dt.date(2025, 5, 6)),
    ("29/02/2024", dt.date(2024, 2, 29)),
    ("6 May", dt.date(2025, 5, 6)),        # no year: the next one
    ("1 Jan", dt.date(2026, 1, 1)),
    ("tomorrow", dt.date(2025, 3, 4)),
])
def test_british_dates_are_read_day_first(text, expected):
    assert parse_british_date(text, today=TODAY) == expected


def test_without_a_year_a_past_date_can_be_preferred():
    assert parse_british_date("1 Dec", today=TODAY, prefer="past") == dt.date(2024, 12, 1)


@pytest.mark.parametrize("text, says", [
    ("31/02/2025", "31 February 2025 doesn't exist: February 2025 has 28 days"),
    ("29 February 2025", "February 2025 has 28 days"),
    ("31 April 2025", "April 2025 has 30 days"),
    ("06/13/2025", "There is no month 13"),
    ("next week sometime", "couldn't read"),
    ("6 Maytember 2025", "couldn't read"),
    ("6/5/1925", "typing slip"),
    ("", "Please type a date"),
])
def test_a_date_that_does_not_exist_gets_a_clear_message(text, says):
    with pytest.raises(DateProblem) as caught:
        parse_british_date(text, today=TODAY)
    assert says in str(caught.value)


def test_milestones_follow_the_deck_s_timeline():
    found = milestones(dt.date(2025, 2, 6), dt.date(2025, 6, 4))
    assert [(m.key, m.on, m.approximate) for m in found] == [
        ("appeal-window-closes", dt.date(2025, 4, 3), False),   # 8 weeks after the final EHCP
        ("bundle", dt.date(2025, 5, 7), True),                 # about 4 weeks before the hearing
        ("pre-hearing-meeting", dt.date(2025, 5, 28), True),   # about 1 week before
        ("hearing", dt.date(2025, 6, 4), False),
    ]
    assert milestones(None, None) == []
    assert [m.key for m in milestones(dt.date(2025, 2, 6), None)] == ["appeal-window-closes"]


from tests.support.deck import DECK  # noqa: E402


def test_each_milestone_says_what_to_do_in_the_deck_s_words():
    # The deck text lives outside the repository; where it is present, every quote must be verbatim.
    deck = DECK.read_text(encoding="utf-8") if DECK.exists() else None
    for m in milestones(dt.date(2025, 2, 6), dt.date(2025, 6, 4)):
        assert m.what_to_do and m.quote
        if deck is not None:
            assert m.quote in deck, m.key
    bundle = milestones(None, dt.date(2025, 6, 4))[0]
    assert "provision maps" in bundle.what_to_do and "attendance" in bundle.what_to_do
    assert "facts, not opinions" in bundle.what_to_do


def case(**changes) -> TribunalCase:
    now = dt.datetime(2025, 3, 1, tzinfo=UTC)
    values = dict(id="c1", user_id="u1", reference="Case A", final_ehcp_issued=None,
                  hearing_on=dt.date(2025, 4, 2), status="open", created_at=now, updated_at=now)
    values.update(changes)
    return TribunalCase(**values)


def test_reminders_fall_at_9_london_on_either_side_of_the_clocks_going_forward():
    # Hearing Wednesday 2 April 2025; BST starts Sunday 30 March at 01:00.
    notices = case_reminders(case(), lead_days=(7, 1), send_time=dt.time(9, 0),
                             now=dt.datetime(2025, 2, 1, tzinfo=UTC), late_after=dt.timedelta(minutes=15))
    by_key = {n.idempotency_key.split(":", 2)[2]: n for n in notices}
    assert by_key["bundle:2025-03-05:7d"].not_before == dt.datetime(2025, 2, 26, 9, 0, tzinfo=UTC)
    assert by_key["pre-hearing-meeting:2025-03-26:1d"].not_before == dt.datetime(2025, 3, 25, 9, 0, tzinfo=UTC)
    assert by_key["hearing:2025-04-02:7d"].not_before == dt.datetime(2025, 3, 26, 9, 0, tzinfo=UTC)   # GMT
    assert by_key["hearing:2025-04-02:1d"].not_before == dt.datetime(2025, 4, 1, 8, 0, tzinfo=UTC)    # BST
    # A reminder is worth sending until the milestone's day is over in London.
    assert by_key["hearing:2025-04-02:1d"].meta["expires_at"] == dt.datetime(2025, 4, 2, 23, 0, tzinfo=UTC)
    assert all(n.meta["category"] == "tribunal" and n.meta["source"] == "tribunal-case:c1" for n in notices)


def test_reminders_across_the_clocks_going_back():
    notices = case_reminders(case(hearing_on=dt.date(2025, 10, 30)), lead_days=(7, 1), send_time=dt.time(9, 0),
                             now=dt.datetime(2025, 9, 1, tzinfo=UTC), late_after=dt.timedelta(minutes=15))
    hearing = {n.idempotency_key.rsplit(":", 1)[1]: n.not_before for n in notices if ":hearing:" in n.idempotency_key}
    # BST ends Sunday 26 October 2025: 23 October is BST, 29 October is GMT.
    assert hearing == {"7d": dt.datetime(2025, 10, 23, 8, 0, tzinfo=UTC), "1d": dt.datetime(2025, 10, 29, 9, 0, tzinfo=UTC)}


def test_reminders_already_in_the_past_when_a_case_is_added_are_not_planned():
    notices = case_reminders(case(), lead_days=(7, 1), send_time=dt.time(9, 0),
                             now=dt.datetime(2025, 3, 28, 12, tzinfo=UTC), late_after=dt.timedelta(minutes=15))
    assert [n.idempotency_key for n in notices] == ["tribunal:c1:hearing:2025-04-02:1d"]
    (only,) = notices
    assert only.text.startswith('Tribunal case "Case A": tribunal hearing Wednesday 2 April 2025')
    assert "factual" in only.text
    assert "You should purely be presenting facts" in only.card["body"][4]["text"]


@pytest.fixture(scope="module")
def redactor():
    return Redactor.default()


@pytest.mark.parametrize("typed, kept", [
    ("Case A", "Case A"),
    ("Y6 appeal 2025", "Y6 appeal 2025"),
    ("KCC-2025-014", "KCC-2025-014"),
    ("appeal for my pupil Tom Smith", "appeal for my pupil [name]"),
    ("Case B UPN A123456789012", "Case B UPN [pupil-id]"),
])
def test_references_keep_labels_and_lose_what_identifies_a_child(redactor, typed, kept):
    assert clean_reference(typed, redactor).text == kept
    assert clean_reference(typed, redactor).redacted == (typed != kept)


@pytest.mark.parametrize("typed", ["Leo Jones", "Jamie", "Tom Smith appeal", "A123456789012", "", "x" * 61])
def test_references_that_read_like_a_child_s_name_are_refused(redactor, typed):
    with pytest.raises(ReferenceProblem):
        clean_reference(typed, redactor)


@pytest.mark.parametrize("text, says", [
    ("Monday 3 March 2025", "3 March 2025 is a Monday"),        # agrees: read as typed
    ("monday 5 march 2025", "5 March 2025 is a Wednesday, not a Monday"),
    ("Tue 6 May", "6 May 2025 is a Tuesday"),
    ("Fri, 06/05/2025", "6 May 2025 is a Tuesday, not a Friday"),
    ("thurs 2025-05-06", "6 May 2025 is a Tuesday, not a Thursday"),
])
def test_a_weekday_typed_with_a_date_must_agree_with_it(text, says):
    try:
        day = parse_british_date(text, today=TODAY)
    except DateProblem as problem:
        assert "not a" in says and says in str(problem), str(problem)
    else:
        assert "not a" not in says and says.startswith(f"{day.day} {day:%B %Y} is a {day:%A}"), (text, day)
