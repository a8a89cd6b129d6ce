"""Intent classifier benchmark: accuracy on phrasings it never trained on, and how long it takes.

    .venv/bin/python bench/intent_eval.py                 # own held-back, old blind hold-out, latency
    .venv/bin/python bench/intent_eval.py --extra FILE    # first contact with a new blind file, scored once:
                                                          # exact and routed accuracy, per intent, latency

blind2's hold-out was scored once (17:08 UTC, d93e351, FIRST_CONTACT.md) and is spent: all of blind2 now trains.

Prints, for the kept candidate (the mean of two TF-IDF + logistic regression models, one also reading cue
families: AveragedClassifier), the single TF-IDF + logistic regression model it replaced, and the rapidfuzz
nearest neighbour:
  * own held-back: trained on the training pool (the rest of our phrasings, the old blind file's training half
    and all of blind2: training_pool()), scored on the held-back fifth of our own phrasings (split_own);
  * old blind hold-out: trained on everything the product trains on (training_examples()), scored on the
    old blind file's half that nothing was tuned on. Utterances whose text
    also appears, word for word, in the training data are counted and scored separately too;
  * "routed": the same, counting only where the message goes (the five small-talk labels are one
    destination) and sending anything under the router's confidence thresholds (bot.router.acts_on) to the
    answerer; "stolen" is
    the share of real questions routed anywhere but the answerer;
  * fit time, and per-message latency (median and 99th percentile over single-message calls).
First-contact figures are not recomputed: each was measured once (knowledge/intents/FIRST_CONTACT.md).
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.router import CLASSIFIER_CONFIDENCE, INTERROGATIVE_CONFIDENCE, acts_on  # noqa: E402
from knowledge.intents.classifier import (  # noqa: E402
    BLIND2, SMALL_TALK, AveragedClassifier, NearestNeighbourClassifier, TfidfClassifier, blind_examples, normalise,
    own_phrasings, split_blind, split_own, training_examples, training_pool,
)


def destination(label: str) -> str:
    return "small talk" if label in SMALL_TALK else label


def scores(classifier, examples, threshold: float) -> str:
    exact = routed = stolen = 0
    for example in examples:
        prediction = classifier.predict(example.text)
        exact += prediction.label == example.label
        went = destination(prediction.label) if acts_on(example.text, prediction, threshold,
                                                        max(threshold, INTERROGATIVE_CONFIDENCE) if threshold else 0.0) \
            else "question"
        routed += went == destination(example.label)
        stolen += example.label == "question" and went != "question"
    questions = sum(e.label == "question" for e in examples)
    return (f"{exact / len(examples):.3f} (routed {routed / len(examples):.3f}, "
            f"stolen {stolen}/{questions} questions)")


FAQ_SETS = ("paraphrases.jsonl", "holdout_check.jsonl", "fresh_check.jsonl", "blind_check.jsonl")


def faq_questions() -> list[str]:
    """Every question of the answerer's own benchmark sets: each must reach the answerer, not a command."""
    import json

    here = Path(__file__).resolve().parent
    return [json.loads(line)["question"] for name in FAQ_SETS
            for line in (here / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def stolen_faq(classifier, threshold: float) -> list[tuple[str, str]]:
    out = []
    for text in faq_questions():
        prediction = classifier.predict(text)
        if acts_on(text, prediction, threshold, max(threshold, INTERROGATIVE_CONFIDENCE) if threshold else 0.0):
            out.append((text, prediction.label))
    return out


def unseen(examples, training) -> list:
    seen = {normalise(e.text) for e in training}
    return [e for e in examples if normalise(e.text) not in seen]


def latency_ms(classifier, texts) -> tuple[float, float]:
    timings = []
    for text in texts:
        started = time.perf_counter()
        classifier.predict(text)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(0.99 * (len(timings) - 1))]


def per_intent(classifier, examples) -> str:
    right: dict[str, list[int]] = {}
    for example in examples:
        tally = right.setdefault(example.label, [0, 0])
        tally[0] += classifier.predict(example.text).label == example.label
        tally[1] += 1
    return ", ".join(f"{label} {r}/{n}" for label, (r, n) in sorted(right.items()))


def load_extra(path: Path):
    """A blind file of {"id", "intent", "text"} lines; its intents must be the classifier's labels."""
    from knowledge.intents.classifier import LABELS

    examples = blind_examples(path)
    unknown = {e.label for e in examples} - set(LABELS)
    if unknown:
        raise SystemExit(f"{path}: unknown intents {sorted(unknown)}")
    return examples


def score_extra(path: Path) -> None:
    """First contact with a new blind file: the product's classifier (trained on everything it trains on) scored
    once on every utterance of the file. Nothing is trained on the file."""
    examples = load_extra(path)
    model = AveragedClassifier()
    started = time.perf_counter()
    model.fit(training_examples())
    fit_seconds = time.perf_counter() - started
    fresh = unseen(examples, training_examples())
    print(f"{path.name}: {len(examples)} utterances, {len({e.label for e in examples})} intents; "
          f"averaged (kept) classifier as the product runs it")
    print(f"{path.name}: exact/routed {scores(model, examples, CLASSIFIER_CONFIDENCE)}")
    print(f"{path.name}: the {len(fresh)} not word for word in training: "
          f"{scores(model, fresh, CLASSIFIER_CONFIDENCE)}")
    print(f"{path.name}: per intent (exact) {per_intent(model, examples)}")
    median, p99 = latency_ms(model, [e.text for e in examples] * 2)
    print(f"{path.name}: fit {fit_seconds:.2f}s | latency per message median {median:.2f} ms, p99 {p99:.2f} ms")


def main() -> None:
    if "--extra" in sys.argv:
        # --extra FILE: score a new blind file once (first contact) and nothing else.
        score_extra(Path(sys.argv[sys.argv.index("--extra") + 1]))
        return
    own = own_phrasings()
    own_train, own_held = split_own(own)
    blind_train, blind_held = split_blind(blind_examples())
    blind2 = blind_examples(BLIND2)
    full = training_examples()
    print(f"own phrasings {len(own)} (held back {len(own_held)}); old blind hold-out {len(blind_held)}; "
          f"blind2 {len(blind2)} (its hold-out spent, so all of it trains); "
          f"router confidence threshold {CLASSIFIER_CONFIDENCE} ({INTERROGATIVE_CONFIDENCE} for a message worded as a "
          f"question)")
    for name, make, threshold in (("averaged (kept)", AveragedClassifier, CLASSIFIER_CONFIDENCE),
                                  ("tfidf+logreg", TfidfClassifier, CLASSIFIER_CONFIDENCE),
                                  ("rapidfuzz-nn", NearestNeighbourClassifier, 0.0)):
        held_model = make().fit(training_pool())
        print(f"{name}: own held-back {scores(held_model, own_held, threshold)}")
        started = time.perf_counter()
        full_model = make().fit(full)
        fit_seconds = time.perf_counter() - started
        fresh = unseen(blind_held, full)
        print(f"{name}: old blind hold-out {scores(full_model, blind_held, threshold)}; "
              f"the {len(fresh)} not word for word in training: {scores(full_model, fresh, threshold)}")
        taken = stolen_faq(full_model, threshold)
        print(f"{name}: FAQ benchmark questions ({len(faq_questions())}) the classifier would send elsewhere: "
              f"{len(taken)}" + (" — " + "; ".join(f"{t!r}->{label}" for t, label in taken[:8]) if taken else ""))
        median, p99 = latency_ms(full_model, [e.text for e in blind_held + own_held] * 2)
        print(f"{name}: fit {fit_seconds:.2f}s | latency per message median {median:.2f} ms, p99 {p99:.2f} ms")


if __name__ == "__main__":
    main()
