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

MODEL_FILE = Path(__file__).resolve().parent / "model" / "decision.json"

# The features, in the order the model file lists them. engine.Candidate
# computes them; knowledge/README.md says what each means.
FEATURES = (
    "coverage", "closeness", "bm25", "lexical",          # lexical match (0..1)
    "q_sim", "a_sim", "q_sim_gap", "q_sim_margin",       # embeddings
    "bm25_rr", "emb_rr", "rrf", "top_both", "agree",     # ranks and agreement
    "form_match",
    "miss_fact", "miss_time", "miss_other_date", "miss_must", "miss_focus", "miss_defined", "conflict",
    "asks_fact", "asks_time",
    "unknown_share", "corrected_share", "log_words", "one_word", "glossary_hit",
    "lex_x_sim", "cov_x_qsim",
)


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


def load_model(path: Path | None = None) -> DecisionModel:
    path = path or MODEL_FILE
    if not path.is_file():
        return FALLBACK
    return DecisionModel.from_json(json.loads(path.read_text(encoding="utf-8")))
