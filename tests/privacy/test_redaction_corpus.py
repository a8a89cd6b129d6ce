"""The labelled corpus (team messages + the blind set) held to the issue's targets.

Only the dev share is asserted here; the hold-out is for bench/redaction_eval.py
at the end of a change, so tuning against a failing test cannot leak into it.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import redaction_eval  # noqa: E402

from bot.privacy.redaction import Redactor  # noqa: E402

ITEMS = redaction_eval.load()


def test_corpus_is_large_and_labelled():
    assert len(ITEMS) >= 300
    assert len({i["id"] for i in ITEMS}) == len(ITEMS)
    for item in ITEMS:
        for phrase in item["pii"] + item["keep"]:
            assert phrase in item["text"], (item["id"], phrase)


def test_holdout_is_a_stable_quarter():
    holdout = redaction_eval.split(ITEMS, "holdout")
    assert 0.18 < len(holdout) / len(ITEMS) < 0.32
    assert redaction_eval.is_holdout("red-0001") == redaction_eval.is_holdout("red-0001")


@pytest.fixture(scope="module")
def dev_score():
    return redaction_eval.score(redaction_eval.split(ITEMS, "dev"), Redactor.default().redact, rounds=1)


def test_dev_recall_meets_target(dev_score):
    assert dev_score["recall"] >= 0.98, [m for m in dev_score["misses"] if m[0] == "missed"]


def test_dev_forum_facts_kept(dev_score):
    assert dev_score["kept"] >= 0.99, [m for m in dev_score["misses"] if m[0] == "lost"]


def test_scorer_counts_a_leak_and_a_loss():
    item = {"id": "x", "text": "Ava in Year 4", "pii": ["Ava"], "keep": ["Year 4"]}
    leaky = redaction_eval.score([item], lambda t: t.replace("Year 4", "[x]"), rounds=1)
    assert leaky["recall"] == 0.0 and leaky["kept"] == 0.0


# -- the second blind corpus: its dev half only (the other half is a locked hold-out) ---------------

BLIND2 = redaction_eval.load(redaction_eval.BLIND2)


def test_blind2_split_is_stratified_stable_and_disjoint():
    dev, hold = redaction_eval.blind2_split(BLIND2)
    assert len(dev) + len(hold) == len(BLIND2) == 420
    assert not {i["id"] for i in dev} & {i["id"] for i in hold}
    for cat in {i["category"] for i in BLIND2}:
        d = sum(i["category"] == cat for i in dev)
        h = sum(i["category"] == cat for i in hold)
        assert d - h in (0, 1), cat
    # Independent of file order.
    again, _ = redaction_eval.blind2_split(list(reversed(BLIND2)))
    assert {i["id"] for i in again} == {i["id"] for i in dev}


@pytest.fixture(scope="module")
def blind2_dev_score():
    dev, _ = redaction_eval.blind2_split(BLIND2)
    return redaction_eval.score(dev, Redactor.default().redact, rounds=1)


def test_blind2_dev_recall_meets_target(blind2_dev_score):
    assert blind2_dev_score["recall"] >= 0.98, [m for m in blind2_dev_score["misses"] if m[0] == "missed"]


def test_blind2_dev_forum_facts_kept(blind2_dev_score):
    assert blind2_dev_score["kept"] >= 0.99, [m for m in blind2_dev_score["misses"] if m[0] == "lost"]


def test_blind3_is_kept_whole_and_its_first_contact_recorded():
    # The third blind corpus is the honest estimate: scored once, never tuned on, so no target is
    # asserted here; only that the file is the one scored and the record names it.
    import hashlib

    path = redaction_eval.BLIND3
    assert hashlib.sha256(path.read_bytes()).hexdigest() == \
        "8528ff1e7162a3e44d3fcfd8fbf5e30049f94aaf2d5cd1cf942ccdf92163e6ca"
    items = redaction_eval.share("blind3")
    assert len(items) == 320 and all({"id", "text", "pii", "keep"} <= set(it) for it in items)
    record = (redaction_eval.ROOT / "bench" / "redaction_blind3_first_contact.txt").read_text()
    assert "scored ONCE" in record and "0.942" in record


def test_extra_file_is_scored_whole_with_categories(tmp_path, capsys):
    extra = tmp_path / "fresh.jsonl"
    extra.write_text(
        '{"id": "x1", "category": "first_name", "text": "Jayden in Year 4 has an EHCP", "pii": ["Jayden"], "keep": ["EHCP"]}\n'
        '{"id": "x2", "category": "keep_only", "text": "Summer term dates are out", "pii": [], "keep": ["Summer term"]}\n',
        encoding="utf-8",
    )
    assert redaction_eval.main(["--extra", str(extra), "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert "fresh.jsonl items=   2" in out and "(recall) 1.000 [1 items]" in out and "kept 1.000 [2 items]" in out
    assert "first_name" in out and "keep_only" in out
    assert "dev " not in out  # only the extra file unless shares are asked for too
