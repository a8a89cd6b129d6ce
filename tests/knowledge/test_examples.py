"""Labelled training questions as answer-time evidence (knowledge/examples.py),
and the benchmark's blind scoring of an arbitrary question file."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from knowledge import training
from knowledge.embed import DIM
from knowledge.examples import EXAMPLES_FILE, Examples, hidden_for

REPO = Path(__file__).resolve().parents[2]


def unit(*values):
    v = np.zeros(DIM, np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


@pytest.fixture
def examples():
    # Two questions about entry "a", one about "b", one out of scope.
    vectors = np.stack([unit(1, 0, 0), unit(1, 1, 0), unit(0, 1, 0), unit(0, 0, 1)])
    return Examples(vectors, ["a", "a", "b", None], [("a",), ("a", "c"), ("b",), ()])


def test_a_question_like_an_example_is_evidence_for_its_entry(examples):
    sims = examples.similarities(unit(1, 0.1, 0))
    a, b, new = examples.features(sims, ["a", "b", "new-entry"])
    assert a["knn_has"] == b["knn_has"] == 1.0
    assert a["knn_label"] == pytest.approx(float(sims[0]))
    assert a["knn_label"] > b["knn_label"]
    assert a["knn_gap"] == pytest.approx(0.0) and b["knn_gap"] > 0
    assert a["knn_oos"] == pytest.approx(float(sims[3]))
    assert a["knn_ok"] == pytest.approx(float(max(sims[0], sims[1])))
    # "c" answers the second question's facts too, but labels none: it counts as an entry without examples.
    assert examples.features(sims, ["c"])[0]["knn_has"] == 0.0
    # An entry nobody has asked about yet gets the neutral values the model was trained with.
    assert new == {"knn_label": 0.0, "knn_ok": 0.0, "knn_gap": 0.0, "knn_oos": a["knn_oos"],
                   "knn_vs_oos": 0.0, "knn_has": 0.0}


def test_training_masks_the_question_itself_and_hidden_entries(examples):
    sims = examples.similarities(unit(1, 0, 0))
    usable = np.array([False, True, True, True])       # the question is example 0
    (a,) = examples.features(sims, ["a"], usable)
    assert a["knn_label"] == pytest.approx(float(sims[1])) and a["knn_label"] < 0.99
    (a,) = examples.features(sims, ["a"], usable, hidden=lambda eid: eid == "a")
    assert a["knn_has"] == 0.0
    # Hiding is by entry group, fixed per question: reproducible, about a third of the entries.
    ids = [f"entry-{i}" for i in range(300)]
    hidden = hidden_for("A-0001")
    share = sum(map(hidden, ids)) / len(ids)
    assert 0.25 < share < 0.42 and [hidden(e) for e in ids] == [hidden_for("A-0001")(e) for e in ids]


def test_examples_round_trip_through_the_file(tmp_path, examples):
    path = tmp_path / "examples.npz"
    examples.save(path)
    again = Examples.load(path)
    assert again.labels == examples.labels and again.ok == examples.ok
    assert np.array_equal(again.vectors, examples.vectors)
    assert len(Examples.load(tmp_path / "absent.npz")) == 0


def test_shipped_examples_are_the_labelled_training_questions():
    shipped = Examples.load(EXAMPLES_FILE)
    train_val = {i["id"] for part in ("train", "validation") for i in training.items_in(part)}
    test_ids = set(training.split()["test"])
    assert 0 < len(shipped) <= len(train_val)
    assert not test_ids & train_val
    labels = {row["entry"] for row in training.labels().values() if row["entry"]}
    assert {lab for lab in shipped.labels if lab} <= labels
    assert np.allclose(np.linalg.norm(shipped.vectors, axis=1), 1.0, atol=1e-4)


@pytest.mark.timeout(300)
def test_faq_eval_scores_an_extra_file_without_printing_its_questions(tmp_path):
    items = [
        {"id": "X-1", "kind": "faq", "style": "plain", "question": "When do NPQ for SENCOs applications close?",
         "expect": [["6 April", "6th April"]]},
        {"id": "X-2", "kind": "faq", "style": "typo", "question": "wen is the zebra crossing festival",
         "expect": [["zebra"]]},
        {"id": "X-3", "kind": "out_of_scope", "style": "off_topic",
         "question": "What is the capital of Mongolia?", "expect": []},
    ]
    path = tmp_path / "faq_X.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    out = subprocess.run([sys.executable, str(REPO / "bench" / "faq_eval.py"), "--extra", str(path),
                          "--no-latency"], capture_output=True, text=True, check=True, cwd=REPO).stdout
    assert "extra faq_X.jsonl: in-scope answered with every expected fact 1/2" in out
    assert "out-of-scope declined 1/1" in out
    assert "faq          typo                0/1" in out
    assert "out_of_scope off_topic           1/1" in out
    for item in items:
        assert item["question"] not in out
