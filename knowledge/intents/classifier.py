"""A small intent classifier: what kind of message is this (a command, small talk, junk, or a question)?

Trained at start-up, in well under a second, from plain phrasings (``phrasings.yaml`` written for the
product, plus the training half of ``blind_intents.jsonl``), so a new way of saying "stop the reminders"
is one line of data rather than another regular expression. Two candidates were measured by
``bench/intent_eval.py``: TF-IDF over character and word n-grams with logistic regression (kept: see the
README for the figures) and a rapidfuzz nearest neighbour over the same phrasings.

The classifier only says what a message looks like; the router decides what to do with a label and a
confidence, and anything unsure goes to the FAQ answerer as a question.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Protocol

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
PHRASINGS = HERE / "phrasings.yaml"
BLIND = HERE / "blind_intents.jsonl"

LABELS = ("help", "book", "my_bookings", "cancel_booking", "reminders_on", "reminders_off", "tribunal_case",
          "evaluate", "privacy_data", "privacy_delete", "cancel_dialog", "greeting", "thanks", "goodbye",
          "acknowledgement", "junk", "question")
SMALL_TALK = frozenset({"greeting", "thanks", "goodbye", "acknowledgement", "junk"})
# One in five of our own phrasings is held back to measure the classifier on wording it never saw.
HELD_BACK_SHARE = 5


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    id: str = ""


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float


class Classifier(Protocol):
    def fit(self, examples: list[Example]) -> "Classifier": ...

    def predict(self, text: str) -> Prediction: ...


def normalise(text: str) -> str:
    # NFKC folds the odd full-width letters and ligatures people paste from documents; curly quotes
    # become straight so "I'd" and "I’d" are the same word.
    text = unicodedata.normalize("NFKC", text or "").replace("\u2019", "'").replace("\u2018", "'")
    text = " ".join(text.lower().split())
    # A message of thousands of characters says no more about its kind than its first few hundred,
    # and classifying it must stay fast.
    return text[:400]


def _bucket(key: str) -> int:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16)


def own_phrasings(path: Path = PHRASINGS) -> list[Example]:
    # BaseLoader keeps "yes", "no" and "on" as the words people type, not booleans.
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    unknown = set(data) - set(LABELS)
    if unknown:
        raise ValueError(f"{path.name}: unknown intent labels {sorted(unknown)}")
    return [Example(str(text), label) for label, texts in data.items() for text in texts or []]


def split_own(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(training, held back): a fixed share of each phrasing, chosen by a hash of its text."""
    train, held = [], []
    for example in examples:
        (held if _bucket(example.text) % HELD_BACK_SHARE == 0 else train).append(example)
    return train, held


def blind_examples(path: Path = BLIND) -> list[Example]:
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Example(row["text"], row["intent"], str(row["id"])) for row in rows]


def split_blind(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(training half, untouched hold-out half), by a hash of each utterance's id."""
    train, held = [], []
    for example in examples:
        (held if _bucket("blind:" + example.id) % 2 else train).append(example)
    return train, held


class TfidfClassifier:
    """Character n-grams catch misspellings, emoji and markup; word n-grams catch phrasing."""

    def __init__(self, c: float = 10.0):
        self._c = c
        self._features = None
        self._classes: list[str] = []

    def fit(self, examples: list[Example]) -> "TfidfClassifier":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import make_union
        from threadpoolctl import threadpool_limits

        features = make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=1),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                            token_pattern=r"(?u)\b\w[\w']*\b|[^\w\s]"),
        )
        model = OneVsRestClassifier(LogisticRegression(C=self._c, solver="liblinear"))
        # One-vs-rest liblinear fits in a fraction of a second; the multinomial solvers took seconds and
        # many times longer again when their thread pools fought over a busy machine's cores.
        with threadpool_limits(1):
            matrix = features.fit_transform([normalise(e.text) for e in examples])
            model.fit(matrix, [e.label for e in examples])
        self._features = features
        self._classes = [str(c) for c in model.classes_]
        # Scoring with the stacked weights directly: sklearn's per-call checks over seventeen estimators
        # cost tens of milliseconds a message, the arithmetic well under one.
        self._weights = np.vstack([e.coef_.ravel() for e in model.estimators_]).T
        self._bias = np.array([e.intercept_[0] for e in model.estimators_])
        return self

    def predict(self, text: str) -> Prediction:
        scores = np.asarray(self._features.transform([normalise(text)]) @ self._weights).ravel() + self._bias
        # Each one-vs-rest score becomes a probability, normalised over the labels so that confidence
        # means the same for every label (as sklearn's predict_proba does for one-vs-rest).
        probabilities = 1.0 / (1.0 + np.exp(-scores))
        probabilities /= probabilities.sum()
        best = int(probabilities.argmax())
        return Prediction(self._classes[best], float(probabilities[best]))


class NearestNeighbourClassifier:
    """The closest phrasing by rapidfuzz's plain ratio (the best of its scorers on our held-back phrasings;
    WRatio, used at first contact, was worse); its score (0-1) is the confidence."""

    def __init__(self):
        self._texts: list[str] = []
        self._labels: list[str] = []

    def fit(self, examples: list[Example]) -> "NearestNeighbourClassifier":
        self._texts = [normalise(e.text) for e in examples]
        self._labels = [e.label for e in examples]
        return self

    def predict(self, text: str) -> Prediction:
        from rapidfuzz import fuzz, process

        found = process.extractOne(normalise(text), self._texts, scorer=fuzz.ratio)
        if found is None:
            return Prediction("question", 0.0)
        _, score, index = found
        return Prediction(self._labels[index], score / 100.0)


def accuracy(classifier: Classifier, examples: Iterable[Example]) -> float:
    examples = list(examples)
    if not examples:
        return float("nan")
    return sum(classifier.predict(e.text).label == e.label for e in examples) / len(examples)


def training_examples() -> list[Example]:
    """Everything the product trains on: all our phrasings and the blind file's training half."""
    return own_phrasings() + split_blind(blind_examples())[0]


_NO_LETTERS = re.compile(r"^[\W\d_]*$")


@lru_cache(maxsize=1)
def default_classifier() -> TfidfClassifier:
    return TfidfClassifier().fit(training_examples())


def looks_like_nothing(text: str) -> bool:
    """No letter in any script: punctuation, digits, emoji. Never a question or a command."""
    return bool(_NO_LETTERS.match(text or ""))


def is_chatter(text: str, classifier: Classifier | None = None, confidence: float = 0.5) -> bool:
    """True for a message that asks nothing (small talk or junk), so it must never wait for staff."""
    if looks_like_nothing(text):
        return True
    prediction = (classifier or default_classifier()).predict(text)
    return prediction.label in SMALL_TALK and prediction.confidence >= confidence


def asks_something(text: str, classifier: Classifier | None = None) -> bool:
    """True for a message that reads as a question for the knowledge base (not a command or small talk)."""
    if looks_like_nothing(text):
        return False
    prediction = (classifier or default_classifier()).predict(text)
    return prediction.label in ("question", "help") or (text.strip().endswith("?") and prediction.label not in
                                                        SMALL_TALK)
