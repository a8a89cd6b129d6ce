"""The learned answer/decline decision: a logistic regression over each
candidate's features, giving the probability that the candidate's answer holds
what was asked.

The model is a JSON file (knowledge/model/decision.json) written by
`python -m knowledge.train`: feature names, the standardisation (mean, scale),
coefficients, intercept and the thresholds chosen by cross-validation. Scoring
is a dot product in plain Python/numpy, so the running bot never imports
scikit-learn (start-up stays fast).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from knowledge.examples import FEATURES as EXAMPLE_FEATURES

MODEL_FILE = Path(__file__).resolve().parent / "model" / "decision.json"

# The features, in the order the model file lists them. engine.Candidate
# computes them; knowledge/README.md says what each means.
FEATURES = (
    "coverage", "closeness", "bm25", "lexical",          # lexical match (0..1)
    "q_sim", "a_sim", "q_sim_gap", "q_sim_margin",       # embeddings
    "bm25_rr", "emb_rr", "rrf", "top_both", "agree",     # ranks and agreement
    "form_match",
    "miss_fact", "miss_time", "miss_other_date", "miss_must", "miss_focus", "miss_defined", "conflict",
    "miss_person", "miss_count", "miss_money", "miss_clock", "miss_duration", "miss_place", "miss_contact",
    "asks_fact", "asks_time",
    "unknown_share", "corrected_share", "log_words", "one_word", "glossary_hit",
    "lex_x_sim", "cov_x_qsim",
    "lexical_gap", "coverage_gap", "a_sim_gap", "best_lexical", "best_coverage", "best_a_sim",
) + EXAMPLE_FEATURES                                      # nearest labelled training questions (examples.py)


# The answer lacks the kind of fact asked for — a person, a contact detail, a
# place, a clock time, a length of time: on the blind training data these
# signals fire on a right answer almost never (48 of 3,748 right candidates,
# against 1,822 wrong ones), so they cap the probability below any answer or
# suggest threshold whatever the trees say. The trees learn them too, but from
# few rows, and an entry without example questions (a new one, another KB)
# leans on them; counts, amounts and dates stay with the trees (their
# detectors miss often).
CAPPED_MISSING = ("miss_person", "miss_contact", "miss_place", "miss_clock", "miss_duration")
MISSING_CAP = 0.5


def cap_missing(p: float, values: dict[str, float]) -> float:
    return min(p, MISSING_CAP) if any(values.get(k) for k in CAPPED_MISSING) else p


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class DecisionModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    answer_threshold: float = 0.5
    suggest_threshold: float = 0.3
    meta: dict | None = None

    def probability(self, values: dict[str, float]) -> float:
        z = self.intercept
        for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef):
            z += c * (values.get(name, 0.0) - m) / s
        return sigmoid(z)

    def to_json(self) -> dict:
        return {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "coef": list(self.coef), "intercept": self.intercept,
                "answer_threshold": self.answer_threshold, "suggest_threshold": self.suggest_threshold,
                "meta": self.meta or {}}

    @classmethod
    def from_json(cls, data: dict) -> "DecisionModel":
        return cls(tuple(data["features"]), tuple(data["mean"]), tuple(data["scale"]),
                   tuple(data["coef"]), float(data["intercept"]),
                   float(data.get("answer_threshold", 0.5)), float(data.get("suggest_threshold", 0.3)),
                   data.get("meta") or {})


# Until a model is trained: a hand-set stand-in (lexical match and embedding
# similarity, both counted), so the engine runs on a fresh checkout.
FALLBACK = DecisionModel(
    features=("lexical", "q_sim", "miss_fact", "miss_must"),
    mean=(0.0, 0.0, 0.0, 0.0), scale=(1.0, 1.0, 1.0, 1.0),
    coef=(9.0, 6.0, -4.0, -4.0), intercept=-9.0)


class TreeModel:
    """Gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier,
    exported node by node): all trees walk all candidates at once in numpy,
    well under a millisecond for a question's ~30 candidates."""

    def __init__(self, data: dict) -> None:
        import numpy as np
        self.features = tuple(data["features"])
        self.answer_threshold = float(data.get("answer_threshold", 0.5))
        self.suggest_threshold = float(data.get("suggest_threshold", 0.3))
        self.meta = data.get("meta") or {}
        self.baseline = float(data["baseline"])
        self._data = data
        trees = data["trees"]
        offsets, feat, thr, left, right, leaf, value = [], [], [], [], [], [], []
        base = 0
        for tree in trees:
            offsets.append(base)
            feat.extend(tree["feature"])
            thr.extend(tree["threshold"])
            left.extend(base + v for v in tree["left"])
            right.extend(base + v for v in tree["right"])
            leaf.extend(tree["leaf"])
            value.extend(tree["value"])
            base += len(tree["feature"])
        self._roots = np.asarray(offsets, dtype=np.int64)
        self._feat = np.asarray(feat, dtype=np.int64)
        self._thr = np.asarray(thr, dtype=np.float64)
        self._left = np.asarray(left, dtype=np.int64)
        self._right = np.asarray(right, dtype=np.int64)
        self._leaf = np.asarray(leaf, dtype=bool)
        self._value = np.asarray(value, dtype=np.float64)
        self._depth = int(data.get("max_depth", 32))

    def raw(self, X):
        import numpy as np
        X = np.asarray(X, dtype=np.float64)
        nodes = np.repeat(self._roots[:, None], len(X), axis=1)       # trees x rows
        rows = np.arange(len(X))[None, :]
        for _ in range(self._depth):
            leaf = self._leaf[nodes]
            if leaf.all():
                break
            go_left = X[rows, self._feat[nodes]] <= self._thr[nodes]
            nodes = np.where(leaf, nodes, np.where(go_left, self._left[nodes], self._right[nodes]))
        return self._value[nodes].sum(axis=0) + self.baseline

    def probabilities(self, rows: list[dict]) -> list[float]:
        import numpy as np
        if not rows:
            return []
        X = [[r.get(f, 0.0) for f in self.features] for r in rows]
        return (1 / (1 + np.exp(-self.raw(X)))).tolist()

    def probability(self, values: dict) -> float:
        return self.probabilities([values])[0]

    def to_json(self) -> dict:
        return self._data


def _batch(model):
    """probabilities(rows) for either kind of model."""
    if hasattr(model, "probabilities"):
        return model.probabilities
    return lambda rows: [model.probability(r) for r in rows]


def load_model(path: Path | None = None):
    path = path or MODEL_FILE
    if not path.is_file():
        return FALLBACK
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("kind") == "trees":
        return TreeModel(data)
    return DecisionModel.from_json(data)
