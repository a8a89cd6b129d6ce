"""The deadline catalogue: every shipped item loads with its source, and bad items are named."""
import datetime as dt
import shutil
from pathlib import Path

import pytest

from knowledge.check import check
from knowledge.deadlines import (
    CATEGORIES,
    DEFAULT_DATA_DIR,
    DeadlineError,
    append_deadline,
    deadline_problems,
    load_deadlines,
    parse_deadline,
)


@pytest.fixture
def data_dir(tmp_path) -> Path:
    for name in ("deadlines.yaml", "events.yaml"):
        shutil.copy(DEFAULT_DATA_DIR / name, tmp_path / name)
    return tmp_path


def test_the_issue_s_deadlines_are_in_the_catalogue_with_their_sources():
    catalogue = load_deadlines()
    by_id = catalogue.by_id()
    expected = {
        "topup-claim-system-ceases": ("funding", dt.date(2025, 3, 31)),
        "npq-senco-applications-close": ("training", dt.date(2025, 4, 6)),
        "continuum-published": ("forum", dt.date(2025, 5, 1)),
        "term5-forum": ("forum", dt.date(2025, 5, 21)),
        "lift-ceases": ("funding", dt.date(2025, 7, 31)),
        "agreed-topup-claims-paid-until": ("funding", dt.date(2025, 8, 31)),
        "stls-in-house": ("funding", dt.date(2025, 9, 1)),
        "ehcp-topup-and-notional-funding-end": ("funding", dt.date(2026, 8, 1)),   # "August '26": month only
    }
    for ident, (category, on) in expected.items():
        assert (by_id[ident].category, by_id[ident].on) == (category, on), ident
    assert {d.category for d in catalogue.deadlines} <= set(CATEGORIES)
    assert sum(1 for d in catalogue.deadlines if d.event) == 6  # 4 induction meetings + 2 webinars
    assert all(d.source.session and d.detail for d in catalogue.deadlines)
    assert by_id["term5-forum"].until == dt.date(2025, 5, 22)


def test_dates_read_the_british_way_and_a_month_stays_a_month():
    by_id = load_deadlines().by_id()
    assert by_id["npq-senco-applications-close"].when() == "Sunday 6 April 2025"
    assert by_id["continuum-published"].when() == "May 2025"
    assert by_id["continuum-published"].last_day == dt.date(2025, 5, 31)
    assert by_id["term5-forum"].when() == "Wednesday 21 May 2025 to Thursday 22 May 2025"
    assert by_id["npq-senco-applications-close"].has_passed(dt.date(2025, 4, 7))
    assert not by_id["npq-senco-applications-close"].has_passed(dt.date(2025, 4, 6))


GOOD = {"id": "x-deadline", "category": "funding", "title": "T", "on": "2025-06-01", "detail": "D",
        "source": {"session": "S", "presenter": None}}


@pytest.mark.parametrize("change, message", [
    ({"category": "money"}, "category must be one of"),
    ({"on": "2025-02-30"}, "not a date that exists"),
    ({"on": "31/05/2025"}, "expected an ISO date"),
    ({"id": "Bad Id"}, "kebab-case"),
    ({"title": ""}, "title is required"),
    ({"detail": None}, "detail is required"),
    ({"precision": "month", "on": "2025-06-15"}, "1st of the month"),
    ({"until": "2025-05-01"}, "is before on"),
    ({"source": {"presenter": "X"}}, "source needs a session"),
    ({"colour": "red"}, "unknown field"),
    ({"event": "webinar-2099-01-01"}, "not in events.yaml"),
])
def test_a_bad_item_is_refused_with_a_message_naming_it(change, message):
    item = {**GOOD, **change}
    with pytest.raises(DeadlineError, match=message):
        parse_deadline(item, known_events=frozenset({"webinar-2025-04-30"}))


def test_a_bare_on_key_is_explained():
    item = {k: v for k, v in GOOD.items() if k != "on"}
    item[True] = dt.date(2025, 6, 1)  # what YAML 1.1 makes of an unquoted `on:`
    with pytest.raises(DeadlineError, match='quoted'):
        parse_deadline(item)


def test_kb_check_reports_every_bad_deadline(data_dir):
    path = data_dir / "deadlines.yaml"
    text = path.read_text().replace("category: training", "category: trainings", 1)
    text = text.replace('"on": 2025-07-31', '"on": 2025-07-32', 1)
    path.write_text(text)
    problems = deadline_problems(data_dir)
    assert [where for where, _ in problems] == ["npq-senco-applications-close", "lift-ceases"]
    reported = [str(p) for p in check(data_dir) if p.file == "deadlines.yaml"]
    assert len(reported) == 2 and all(r.startswith("error: deadlines.yaml") for r in reported)


def test_the_shipped_catalogue_passes_kb_check():
    assert deadline_problems() == []
    assert not [p for p in check() if p.file == "deadlines.yaml"]


def test_append_keeps_comments_and_the_new_item_loads(data_dir):
    before = (data_dir / "deadlines.yaml").read_text()
    item = parse_deadline({
        "id": "autumn-send-census", "category": "funding", "title": "Autumn \"census\": check top-ups",
        "on": dt.date(2026, 10, 1), "detail": "Check: every top-up claim is current.",
        "source": {"session": "Staff note", "presenter": None},
    })
    append_deadline(item, data_dir)
    after = (data_dir / "deadlines.yaml").read_text()
    assert after.startswith(before)                      # nothing above was rewritten
    reloaded = load_deadlines(data_dir).by_id()["autumn-send-census"]
    assert reloaded == item


def test_append_refuses_a_duplicate_id_and_leaves_the_file_alone(data_dir):
    before = (data_dir / "deadlines.yaml").read_text()
    duplicate = parse_deadline({**GOOD, "id": "lift-ceases"})
    with pytest.raises(DeadlineError, match="used twice"):
        append_deadline(duplicate, data_dir)
    assert (data_dir / "deadlines.yaml").read_text() == before
