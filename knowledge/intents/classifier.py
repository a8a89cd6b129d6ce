"""A small intent classifier: what kind of message is this (a command, small talk, junk, or a question)?

Trained at start-up, deterministically and in a few seconds, from plain phrasings (``phrasings.yaml``,
``phrasings_more.yaml`` and ``phrasings_boundaries.yaml``, written for the product, plus the training halves of
``blind_intents.jsonl`` and ``blind2_intents.jsonl``), so a new way of saying "stop the reminders" is one line of
data rather than another regular expression. There is no model file: the committed data and this module are the
whole model. Measured by ``bench/intent_eval.py``: the mean of two TF-IDF + logistic regression models, one also
reading cue families (``AveragedClassifier``, kept: see the README for the figures), the single TF-IDF model, and
a rapidfuzz nearest neighbour over the same phrasings.

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
# Written later, in the same spirit (read with phrasings.yaml; a phrasing in both counts once).
MORE_PHRASINGS = HERE / "phrasings_more.yaml"
# A third batch, for the boundaries cross-validation on training data showed confused most.
BOUNDARY_PHRASINGS = HERE / "phrasings_boundaries.yaml"
BLIND = HERE / "blind_intents.jsonl"
# A second blind set (714 utterances), split once by ``split_blind2``: half trained, half was a locked hold-out,
# scored once (FIRST_CONTACT.md). That hold-out is spent, so the whole file now trains.
BLIND2 = HERE / "blind2_intents.jsonl"
BLIND2_SEED = 20261205

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


def own_phrasings(*paths: Path) -> list[Example]:
    """Our own phrasings, from phrasings.yaml, phrasings_more.yaml and phrasings_boundaries.yaml unless told
    otherwise; a text that appears twice (after normalising) is kept once, under its first label."""
    examples, seen = [], set()
    for path in paths or (PHRASINGS, MORE_PHRASINGS, BOUNDARY_PHRASINGS):
        # BaseLoader keeps "yes", "no" and "on" as the words people type, not booleans.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        unknown = set(data) - set(LABELS)
        if unknown:
            raise ValueError(f"{path.name}: unknown intent labels {sorted(unknown)}")
        for label, texts in data.items():
            for text in texts or []:
                key = normalise(str(text))
                if key not in seen:
                    seen.add(key)
                    examples.append(Example(str(text), label))
    return examples


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


def split_blind2(examples: list[Example], seed: int = BLIND2_SEED) -> tuple[list[Example], list[Example]]:
    """(training half, locked hold-out half), stratified by intent: each intent's utterances, in id order,
    are shuffled with a fixed seed and the first half (rounded down) trains. Deterministic for a given file."""
    import random

    by_label: dict[str, list[Example]] = {}
    for example in sorted(examples, key=lambda e: e.id):
        by_label.setdefault(example.label, []).append(example)
    train, held = [], []
    for label in sorted(by_label):
        group = by_label[label]
        random.Random(f"{seed}:{label}").shuffle(group)
        half = len(group) // 2
        train.extend(group[:half])
        held.extend(group[half:])
    return train, held


_NEGATORS = frozenset("no not don't dont never stop cannot can't cant won't wont without nor unsubscribe "
                      "off un".split())
_TOKENS = re.compile(r"\b\w[\w']*\b|[^\w\s]")


def mark_negation(text: str, reach: int = 3) -> str:
    """The words just after a negator carry a "not_" prefix, so "don't send me reminders" does not look like
    "send me reminders" to the word features (the plain words stay too)."""
    out, left = [], 0
    for token in _TOKENS.findall(text):
        if token in _NEGATORS:
            out.append(token)
            left = reach
        elif left and token[0].isalnum():
            out.append("not_" + token)
            left -= 1
        else:
            out.append(token)
            left = 0 if not token[0].isalnum() else left
    return " ".join(out)


# Word families that decide the confusable boundaries (what is acted on, and whether it is started or
# stopped), so a rare synonym ("nuke my data", "mute the nudges") shares a feature with the common word.
_CUES = {
    "cue_remove": "delete deleted deleting remove removed erase erased wipe wiped destroy trash nuke bin scrub purge "
                  "forget clear shred dleete delet deleet",
    "cue_stop": "stop pause mute silence unsubscribe disable halt end quit enough snooze opt-out turn_off switch_off "
                "no_more opt_out",
    "cue_start": "start restart enable resume subscribe resubscribe re-subscribe unmute activate turn_on switch_on "
                 "opt_in re-enable",
    "cue_remind": "reminder reminders remind reminding notification notifications notify alert alerts nudge nudges "
                  "ping pings messages emails updates remiders reminders' notifs",
    "cue_booking": "booking bookings booked place places seat seats spot spots registration registered reservation "
                   "reserved signed",
    "cue_event": "webinar webinars forum induction meeting meetings event events session sessions course training",
    "cue_data": "data details information info records record personal stored history account gdpr privacy",
    "cue_dialog": "form dialog dialogue conversation process this that",
    "cue_tribunal": "tribunal tribunals hearing hearings appeal appeals case sendist deadline deadlines",
    "cue_evaluate": "evaluation evaluate feedback survey questionnaire rate rating opinion comments review",
    "cue_mine": "my me i i've i'm mine",
    "cue_cancel": "cancel cancelling canceling cancle cxl withdraw drop unregister un-register deregister",
}
_CUE_OF = {word: cue for cue, words in _CUES.items() for word in words.split()}
_CUE_PHRASES = (("turn off", "turn_off"), ("switch off", "switch_off"), ("turn on", "turn_on"),
                ("switch on", "switch_on"), ("no more", "no_more"), ("opt out", "opt_out"), ("opt in", "opt_in"),
                ("get rid", "delete"))


def cue_words(text: str) -> str:
    """The message as a sequence of its cue families only ("please delete my data" -> "cue_remove cue_mine
    cue_data"), read by the word n-grams of one more feature block (the words themselves stay in the others)."""
    for phrase, joined in _CUE_PHRASES:
        text = text.replace(phrase, joined)
    return " ".join(_CUE_OF[t] for t in _TOKENS.findall(text) if t in _CUE_OF)


_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {ch: row[max(0, i - 1):i] + row[i + 1:i + 2] for row in _KEYBOARD_ROWS for i, ch in enumerate(row)}


def typo_variants(example: Example, count: int = 1) -> list[Example]:
    """Misspelt copies of a training phrasing (a dropped, doubled, swapped or neighbouring-key letter), chosen by
    a generator seeded with the phrasing itself, so the same data always gives the same copies."""
    import random

    text = example.text
    positions = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(positions) < 4:
        return []
    rng = random.Random("typo:" + text)
    out = []
    for _ in range(count):
        i = rng.choice(positions)
        kind = rng.randrange(4)
        ch = text[i]
        if kind == 0:
            typo = text[:i] + text[i + 1:]
        elif kind == 1:
            typo = text[:i] + ch + text[i:]
        elif kind == 2 and i + 1 < len(text):
            typo = text[:i] + text[i + 1] + ch + text[i + 2:]
        else:
            typo = text[:i] + (rng.choice(_NEIGHBOURS.get(ch.lower(), ch)) or ch) + text[i + 1:]
        if typo != text:
            out.append(Example(typo, example.label, example.id))
    return out


class TfidfClassifier:
    """Character n-grams catch misspellings, emoji and markup; word n-grams catch phrasing.

    The defaults are the configuration chosen by cross-validation on the training data only
    (``bench/intent_tune.py``; README, "Intent classifier")."""

    def __init__(self, c: float = 30.0, *, char_range: tuple[int, int] = (2, 5), word_range: tuple[int, int] = (1, 2),
                 char_analyzer: str = "char_wb", class_weight: str | None = None, typos: int = 0,
                 negation: bool = True, question_weight: int = 2, multinomial: bool = False, cues: bool = False):
        self._c = c
        self._char_range = char_range
        self._word_range = word_range
        self._char_analyzer = char_analyzer
        self._class_weight = class_weight
        self._typos = typos
        self._negation = negation
        # Each "question" example counts this many times: a question sent to a command costs more than a
        # command sent to the answerer (which still answers or logs it).
        self._question_weight = question_weight
        self._multinomial = multinomial
        self._cues = cues
        self._features = None
        self._classes: list[str] = []

    def _make_features(self):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_union

        parts = [
            TfidfVectorizer(analyzer=self._char_analyzer, ngram_range=self._char_range, sublinear_tf=True, min_df=1,
                            dtype=np.float32),
            TfidfVectorizer(analyzer="word", ngram_range=self._word_range, sublinear_tf=True, dtype=np.float32,
                            token_pattern=r"(?u)\b\w[\w']*\b|[^\w\s]"),
        ]
        if self._negation:
            parts.append(TfidfVectorizer(analyzer="word", preprocessor=mark_negation, token_pattern=r"not_\S+",
                                         sublinear_tf=True, dtype=np.float32))
        if self._cues:
            parts.append(TfidfVectorizer(analyzer="word", preprocessor=cue_words, token_pattern=r"\S+",
                                         ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32))
        return make_union(*parts)

    def fit(self, examples: list[Example]) -> "TfidfClassifier":
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from threadpoolctl import threadpool_limits

        if self._typos:
            examples = list(examples) + [t for e in examples for t in typo_variants(e, self._typos)]
        if self._question_weight > 1:
            examples = list(examples) + [e for e in examples if e.label == "question"] * (self._question_weight - 1)
        features = self._make_features()
        if self._multinomial:
            model = LogisticRegression(C=self._c, solver="lbfgs", max_iter=2000, class_weight=self._class_weight)
        else:
            model = OneVsRestClassifier(LogisticRegression(C=self._c, solver="liblinear",
                                                           class_weight=self._class_weight))
        # One-vs-rest liblinear fits in a fraction of a second; the multinomial solvers took seconds and
        # many times longer again when their thread pools fought over a busy machine's cores.
        with threadpool_limits(1):
            matrix = features.fit_transform([normalise(e.text) for e in examples])
            model.fit(matrix, [e.label for e in examples])
        self._features = features
        self._classes = [str(c) for c in model.classes_]
        # Scoring with the stacked weights directly: sklearn's per-call checks over seventeen estimators
        # cost tens of milliseconds a message, the arithmetic well under one.
        if self._multinomial:
            self._weights, self._bias = model.coef_.T.copy(), model.intercept_.copy()
        else:
            self._weights = np.vstack([e.coef_.ravel() for e in model.estimators_]).T
            self._bias = np.array([e.intercept_[0] for e in model.estimators_])
        return self

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """One row per text: each one-vs-rest score as a probability, normalised over the labels so that
        confidence means the same for every label (as sklearn's predict_proba does for one-vs-rest)."""
        scores = np.asarray(self._transform([normalise(t) for t in texts]) @ self._weights) + self._bias
        if self._multinomial:
            scores = np.exp(scores - scores.max(axis=1, keepdims=True))
            return scores / scores.sum(axis=1, keepdims=True)
        probabilities = 1.0 / (1.0 + np.exp(-scores))
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def _transform(self, texts: list[str]):
        """The union's features, stacked here: FeatureUnion.transform goes through joblib on every call, which
        cost about a quarter of a message's classification; the matrix is the same."""
        from scipy.sparse import hstack

        return hstack([part.transform(texts) for _, part in self._features.transformer_list]).tocsr()

    @property
    def classes(self) -> list[str]:
        return list(self._classes)

    def predict(self, text: str) -> Prediction:
        probabilities = self.probabilities([text])[0]
        best = int(probabilities.argmax())
        return Prediction(self._classes[best], float(probabilities[best]))


class AveragedClassifier:
    """The mean of two TF-IDF + logistic regression models' label probabilities: the plain one, and one that also
    reads the cue families (``cue_words``). Either alone is worse by cross-validation on the training data
    (README, "Intent classifier"); the average is the kept classifier. Both fits are deterministic."""

    def __init__(self, **params):
        self._members = (TfidfClassifier(**params), TfidfClassifier(**params, cues=True))

    def fit(self, examples: list[Example]) -> "AveragedClassifier":
        for member in self._members:
            member.fit(examples)
        if len({tuple(m.classes) for m in self._members}) != 1:
            raise ValueError("members disagree on the labels")
        return self

    @property
    def classes(self) -> list[str]:
        return self._members[0].classes

    def probabilities(self, texts: list[str]) -> np.ndarray:
        return sum(member.probabilities(texts) for member in self._members) / len(self._members)

    def predict(self, text: str) -> Prediction:
        probabilities = self.probabilities([text])[0]
        best = int(probabilities.argmax())
        return Prediction(self.classes[best], float(probabilities[best]))


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
    """Everything the product trains on: all our phrasings, the old blind file's training half and the whole of
    blind2 (its hold-out was scored once and is spent)."""
    return own_phrasings() + split_blind(blind_examples())[0] + blind_examples(BLIND2)


def training_pool() -> list[Example]:
    """What a model measured on our held-back phrasings or cross-validated may see: the training examples
    without the held-back fifth of our own phrasings (the old blind hold-out is never in it)."""
    return split_own(own_phrasings())[0] + split_blind(blind_examples())[0] + blind_examples(BLIND2)


_NO_LETTERS = re.compile(r"^[\W\d_]*$")
_INTERROGATIVE = re.compile(r"^(how|what|what's|whats|when|where|who|whom|which|why|is|are|was|were|do|does|did|can|"
                            r"could|should|would|will|may|am)\b|\?\s*$", re.IGNORECASE)


def looks_interrogative(text: str) -> bool:
    """Starts like a question or ends with a question mark. Commands are sometimes put this way ("can you cancel
    my place?"), so this only raises the confidence the router needs before acting on a command label."""
    return bool(_INTERROGATIVE.search(normalise(text)))


@lru_cache(maxsize=1)
def default_classifier() -> "AveragedClassifier":
    return AveragedClassifier().fit(training_examples())


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
