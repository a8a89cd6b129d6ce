"""Chooses the intent classifier's configuration by cross-validation on training data only.

    .venv/bin/python bench/intent_tune.py [--quick]
    .venv/bin/python bench/intent_tune.py --confusion | --interrogative | --typos | --fixed-items

The pool is everything the product may train on: our phrasings minus their held-back fifth, the old blind
file's training half and blind2's training half. Neither held-back set nor either blind hold-out is read.
Five stratified folds (fixed seed); each configuration is scored on the examples its fit never saw:
  * accuracy (exact label);
  * routed accuracy at each confidence threshold (the five small-talk labels are one destination, anything
    under the threshold goes to the answerer as a question);
  * stolen: the share of real questions sent to a command or to small talk. A misrouted FAQ question is worse
    than an unanswered "hi", so the threshold printed as best is the one with the fewest misroutes when each
    stolen question counts twice.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.intents.classifier import (  # noqa: E402
    BLIND2, SMALL_TALK, AveragedClassifier, TfidfClassifier, blind_examples, own_phrasings, split_blind, split_blind2,
    split_own, training_pool,
)

THRESHOLDS = (0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
FOLDS = 5
SEED = 7


def destination(label: str) -> str:
    return "small talk" if label in SMALL_TALK else label


def pool():
    # blind2's hold-out half joined once it was spent (scored once, FIRST_CONTACT.md).
    return training_pool()


def cross_validate(make, examples) -> dict:
    from sklearn.model_selection import StratifiedKFold

    labels = [e.label for e in examples]
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    predicted: list[str] = [""] * len(examples)
    confidence = np.zeros(len(examples))
    for train_index, test_index in folds.split(np.zeros(len(examples)), labels):
        model = make().fit([examples[i] for i in train_index])
        probabilities = model.probabilities([examples[i].text for i in test_index])
        for row, i in zip(probabilities, test_index):
            predicted[i] = model.classes[int(row.argmax())]
            confidence[i] = row.max()
    exact = float(np.mean([p == t for p, t in zip(predicted, labels)]))
    result = {"exact": exact}
    questions = [i for i, t in enumerate(labels) if t == "question"]
    for threshold in THRESHOLDS:
        went = [destination(p) if c >= threshold else "question" for p, c in zip(predicted, confidence)]
        routed = float(np.mean([w == destination(t) for w, t in zip(went, labels)]))
        stolen = float(np.mean([went[i] != "question" for i in questions]))
        result[threshold] = (routed, stolen)
    return result


def interrogative_thresholds(examples) -> None:
    """With the kept classifier (AveragedClassifier): the confidence needed before a message worded as a question
    is taken from the answerer (bot.router.INTERROGATIVE_CONFIDENCE); other messages keep the 0.3 threshold."""
    from sklearn.model_selection import StratifiedKFold

    from knowledge.intents.classifier import looks_interrogative

    labels = [e.label for e in examples]
    predicted, confidence = [""] * len(examples), np.zeros(len(examples))
    for train_index, test_index in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(
            np.zeros(len(examples)), labels):
        model = AveragedClassifier().fit([examples[i] for i in train_index])
        for row, i in zip(model.probabilities([examples[i].text for i in test_index]), test_index):
            predicted[i], confidence[i] = model.classes[int(row.argmax())], row.max()
    asking = [looks_interrogative(e.text) for e in examples]
    questions = [i for i, t in enumerate(labels) if t == "question"]
    share = len(questions) / len(examples)
    for needed in (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8):
        went = [destination(p) if c >= (needed if a else 0.3) else "question"
                for p, c, a in zip(predicted, confidence, asking)]
        routed = float(np.mean([w == destination(t) for w, t in zip(went, labels)]))
        stolen = float(np.mean([went[i] != "question" for i in questions]))
        print(f"interrogative threshold {needed}: routed {routed:.4f}, stolen {stolen:.4f}, "
              f"cost {(1 - routed) + stolen * share:.4f}")


def typo_robustness(examples) -> None:
    """Clean and misspelt accuracy, by cross-validation: each validation phrasing is also scored with one letter
    dropped, doubled, swapped or replaced by a neighbouring key (typo_variants, seeded by the text), with and
    without misspelt copies added to the training folds."""
    from sklearn.model_selection import StratifiedKFold

    from knowledge.intents.classifier import typo_variants

    labels = [e.label for e in examples]
    for typos in (0, 1, 2):
        clean = misspelt = total_misspelt = 0
        for train_index, test_index in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(
                np.zeros(len(examples)), labels):
            model = TfidfClassifier(typos=typos).fit([examples[i] for i in train_index])
            held = [examples[i] for i in test_index]
            clean += sum(model.predict(e.text).label == e.label for e in held)
            variants = [v for e in held for v in typo_variants(e, 1)]
            total_misspelt += len(variants)
            misspelt += sum(model.predict(v.text).label == v.label for v in variants)
        print(f"typos={typos}: clean {clean / len(examples):.4f}, misspelt {misspelt / total_misspelt:.4f}", flush=True)


def confusion(examples, make=None) -> None:
    """With ``make`` (the kept AveragedClassifier from the command line): cross-validated accuracy and the label
    pairs confused most often, on the training pool only. Used to decide which boundaries need more of our own
    phrasings; it prints counts, not the validation items themselves."""
    from collections import Counter

    from sklearn.model_selection import StratifiedKFold

    labels = [e.label for e in examples]
    pairs, right = Counter(), 0
    for train_index, test_index in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(
            np.zeros(len(examples)), labels):
        model = (make or TfidfClassifier)().fit([examples[i] for i in train_index])
        for row, i in zip(model.probabilities([examples[i].text for i in test_index]), test_index):
            predicted = model.classes[int(row.argmax())]
            right += predicted == labels[i]
            if predicted != labels[i]:
                pairs[(labels[i], predicted)] += 1
    print(f"pool {len(examples)}: CV exact {right / len(examples):.4f}; most confused (true -> predicted):")
    for (true, predicted), count in pairs.most_common(25):
        print(f"  {count:3d}  {true} -> {predicted}")


def fixed_items() -> None:
    """Whether phrasings_boundaries.yaml helps on items it did not add: 5-fold CV over the earlier pool (the training
    part of phrasings.yaml and phrasings_more.yaml, and both blind training halves); the boundary phrasings (their
    training part) join the training folds only. Also printed for the blind-written items alone."""
    from sklearn.model_selection import StratifiedKFold

    from knowledge.intents.classifier import MORE_PHRASINGS, PHRASINGS, normalise

    earlier_own = split_own(own_phrasings(PHRASINGS, MORE_PHRASINGS))[0]
    earlier = earlier_own + split_blind(blind_examples())[0] + split_blind2(blind_examples(BLIND2))[0]
    known = {normalise(e.text) for e in own_phrasings(PHRASINGS, MORE_PHRASINGS)}
    boundary = [e for e in split_own(own_phrasings())[0] if normalise(e.text) not in known]
    labels = [e.label for e in earlier]
    by_others = np.arange(len(earlier)) >= len(earlier_own)
    for name, make in (("single", TfidfClassifier), ("averaged", AveragedClassifier)):
        for extra_name, extra in (("without", []), ("with", boundary)):
            right = np.zeros(len(earlier), bool)
            for train_index, test_index in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(
                    np.zeros(len(earlier)), labels):
                model = make().fit([earlier[i] for i in train_index] + extra)
                for row, i in zip(model.probabilities([earlier[i].text for i in test_index]), test_index):
                    right[i] = model.classes[int(row.argmax())] == labels[i]
            print(f"{name}, {extra_name} the {len(boundary)} boundary phrasings: fixed items ({len(earlier)}) "
                  f"{right.mean():.4f}, written by others ({by_others.sum()}) {right[by_others].mean():.4f}",
                  flush=True)


def main() -> None:
    if "--fixed-items" in sys.argv:
        fixed_items()
        return
    examples = pool()
    if "--confusion" in sys.argv:
        confusion(examples, AveragedClassifier)
        return
    if "--typos" in sys.argv:
        typo_robustness(examples)
        return
    if "--interrogative" in sys.argv:
        interrogative_thresholds(examples)
        return
    print(f"pool {len(examples)} examples, {FOLDS} folds, seed {SEED}")
    quick = "--quick" in sys.argv
    plain = dict(negation=False, question_weight=1)
    grid = [
        dict(char_range=(1, 4), word_range=(1, 2), c=10.0, **plain),  # the configuration before this tuning
        dict(char_range=(2, 5), word_range=(1, 2), c=10.0, **plain),
        dict(char_range=(1, 5), word_range=(1, 3), c=10.0, **plain),
        dict(char_range=(2, 5), word_range=(1, 2), c=10.0, char_analyzer="char", **plain),
    ]
    grid += [dict(char_range=(2, 5), c=c, negation=True, question_weight=1) for c in (10.0, 30.0, 100.0)]
    grid += [dict(char_range=(2, 5), c=30.0, negation=True, typos=t, question_weight=w) for t in (0, 1) for w in (2, 3)]
    grid += [dict(c=c, multinomial=True) for c in (10.0, 30.0, 100.0)]
    if not quick:
        grid += [dict(char_range=(2, 5), c=c, negation=True, question_weight=1, class_weight="balanced")
                 for c in (10.0, 30.0)]
        grid += [dict(char_range=(1, 5), c=30.0, negation=True, question_weight=2)]
    if '--last' in sys.argv:
        grid = grid[-3:]
    for params in grid:
        started = time.perf_counter()
        result = cross_validate(lambda: TfidfClassifier(**params), examples)
        share = sum(e.label == "question" for e in examples) / len(examples)
        best = min(THRESHOLDS, key=lambda t: (1 - result[t][0]) + result[t][1] * share)
        cells = " ".join(f"{t}:{result[t][0]:.3f}/{result[t][1]:.3f}" for t in THRESHOLDS)
        print(f"{params} exact {result['exact']:.4f} | routed/stolen {cells} | best threshold {best} "
              f"| {time.perf_counter() - started:.0f}s", flush=True)


if __name__ == "__main__":
    main()
