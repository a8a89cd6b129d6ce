"""Intent classifier benchmark: accuracy on phrasings it never trained on, and how long it takes.

    .venv/bin/python bench/intent_eval.py

Prints, for the kept candidate (TF-IDF + logistic regression) and the rapidfuzz nearest neighbour:
  * own held-back: trained on the rest of phrasings.yaml and the blind file's training half, scored on the
    held-back fifth of our own phrasings;
  * blind hold-out: trained on all our phrasings and the blind training half, scored on the blind half that
    nothing was ever tuned on;
  * "routed": the same, counting only where the message goes (the five small-talk labels are one
    destination) and sending anything under the router's confidence threshold to the answerer;
  * fit time, and per-message latency (median and 95th percentile).
The first-contact figure is not recomputed: it was measured once (knowledge/intents/FIRST_CONTACT.md).
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.router import CLASSIFIER_CONFIDENCE  # noqa: E402
from knowledge.intents.classifier import (  # noqa: E402
    SMALL_TALK, NearestNeighbourClassifier, TfidfClassifier, blind_examples, own_phrasings, split_blind, split_own,
)


def destination(label: str) -> str:
    return "small talk" if label in SMALL_TALK else label


def scores(classifier, examples, threshold: float) -> tuple[float, float]:
    exact = routed = 0
    for example in examples:
        prediction = classifier.predict(example.text)
        exact += prediction.label == example.label
        went = destination(prediction.label) if prediction.confidence >= threshold else "question"
        routed += went == destination(example.label)
    return exact / len(examples), routed / len(examples)


def latency_ms(classifier, texts) -> tuple[float, float]:
    timings = []
    for text in texts:
        started = time.perf_counter()
        classifier.predict(text)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))]


def main() -> None:
    own = own_phrasings()
    own_train, own_held = split_own(own)
    blind_train, blind_held = split_blind(blind_examples())
    print(f"own phrasings {len(own)} (held back {len(own_held)}); blind {len(blind_train) + len(blind_held)} "
          f"(training half {len(blind_train)}, hold-out {len(blind_held)}); "
          f"router confidence threshold {CLASSIFIER_CONFIDENCE}")
    for name, make, threshold in (("tfidf+logreg", TfidfClassifier, CLASSIFIER_CONFIDENCE),
                                  ("rapidfuzz-nn", NearestNeighbourClassifier, 0.0)):
        held_model = make().fit(own_train + blind_train)
        own_exact, own_routed = scores(held_model, own_held, threshold)
        started = time.perf_counter()
        full_model = make().fit(own + blind_train)
        fit_seconds = time.perf_counter() - started
        blind_exact, blind_routed = scores(full_model, blind_held, threshold)
        median, p95 = latency_ms(full_model, [e.text for e in blind_held] * 3)
        print(f"{name:13} own held-back {own_exact:.3f} (routed {own_routed:.3f}) | "
              f"blind hold-out {blind_exact:.3f} (routed {blind_routed:.3f}) | "
              f"fit {fit_seconds:.2f}s | latency median {median:.2f} ms, p95 {p95:.2f} ms")


if __name__ == "__main__":
    main()
