"""due(rows, now): the one decision about what to send, tested at fixed instants."""
import datetime as dt
from dataclasses import dataclass
from typing import Optional

from bot.reminders.delivery import Verdict, due, verdict

UTC = dt.timezone.utc
NOW = dt.datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
LATE_AFTER = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Row:
    name: str
    not_before: dt.datetime
    expires_at: Optional[dt.datetime] = None


def at(minutes: float) -> dt.datetime:
    return NOW + dt.timedelta(minutes=minutes)


def test_each_row_gets_one_verdict():
    rows = [
        Row("future", at(1)),
        Row("exactly-now", at(0)),
        Row("a-little-late", at(-15)),
        Row("late", at(-16), at(60)),
        Row("late-no-deadline", at(-600)),
        Row("missed", at(-60), at(-1)),
        Row("expires-now", at(-5), at(0)),
    ]
    plan = due(rows, NOW, late_after=LATE_AFTER)
    assert [r.name for r in plan.on_time] == ["exactly-now", "a-little-late"]
    assert [r.name for r in plan.late] == ["late", "late-no-deadline"]
    assert [r.name for r in plan.missed] == ["missed", "expires-now"]
    assert [r.name for r in plan.waiting] == ["future"]
    assert [r.name for r in plan.to_send] == ["exactly-now", "a-little-late", "late", "late-no-deadline"]


def test_a_row_whose_deadline_passed_is_missed_even_if_it_was_never_due_before():
    assert verdict(Row("r", at(-1), at(-0.5)), NOW, LATE_AFTER) is Verdict.MISSED


def test_the_same_row_moves_from_waiting_to_send_to_late_to_missed_as_the_clock_moves():
    row = Row("r", at(0), at(120))
    seen = [verdict(row, at(m), LATE_AFTER) for m in (-1, 0, 10, 30, 119, 120)]
    assert seen == [Verdict.WAIT, Verdict.SEND, Verdict.SEND, Verdict.LATE, Verdict.LATE, Verdict.MISSED]


def test_due_is_pure():
    rows = (Row("a", at(-1)), Row("b", at(5)))
    first, second = due(rows, NOW), due(rows, NOW)
    assert first == second and rows == (Row("a", at(-1)), Row("b", at(5)))
