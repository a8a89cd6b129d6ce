"""Score the redactor on the labelled corpus: personal data removed, forum facts kept, latency.

    .venv/bin/python bench/redaction_eval.py                 # all four shares (see below)
    .venv/bin/python bench/redaction_eval.py --split dev new-dev   # while tuning: never the hold-outs
    .venv/bin/python bench/redaction_eval.py --split new-dev --misses  # what was missed / over-redacted

Corpus: tests/privacy/redaction_corpus.jsonl, one item a line:
{"id", "category", "text", "pii": [substrings that must go], "keep": [substrings that must stay]}.

A quarter of the items (chosen by a hash of the id, so the split never
depends on file order) is the hold-out: tune on the dev share only and read
the hold-out at the end, or its figure stops being an estimate for unseen
wording.

A third blind corpus, tests/privacy/redaction_blind3.jsonl (written by someone who never saw the
code), is scored whole as "blind3" and never tuned on; its one first-contact run is kept in
bench/redaction_blind3_first_contact.txt (`--split blind3`, or `--first-contact` to print that file).

A fourth, tests/privacy/redaction_blind4.jsonl (copied unchanged from the file it arrived as), was scored
once with `--extra` before it was copied; its first contact is bench/redaction_blind4_first_contact.txt
(`--split blind4` scores the copy).

A second blind corpus, tests/privacy/redaction_blind2.jsonl (420 items, written
by someone who never saw the code), is split in halves, stratified by category
with a fixed seed (`blind2_split`): "new-dev" is tuned on, "new-holdout" is
locked and scored once at the end of a change.  Its first-contact figure (the
redactor before any tuning on it, scored on all 420 items) is kept in
bench/redaction_blind2_first_contact.txt.

`--extra PATH [PATH ...]` scores further files of the same format (a new blind corpus) whole, each under
its file name, with per-category recall and kept: `--extra /path/blind4.jsonl --split` scores it alone.

`--engine module:factory` scores another redactor (a zero-argument factory
returning an object with `redact(str) -> str`); bench/redaction_candidates.py
uses it for Presidio and the gazetteer candidates.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "privacy" / "redaction_corpus.jsonl"
HOLDOUT_SHARE = 4  # one item in four
BLIND2 = ROOT / "tests" / "privacy" / "redaction_blind2.jsonl"
BLIND2_SEED = 20261205
BLIND3 = ROOT / "tests" / "privacy" / "redaction_blind3.jsonl"
BLIND4 = ROOT / "tests" / "privacy" / "redaction_blind4.jsonl"
SPLITS = ("dev", "holdout", "new-dev", "new-holdout")


def load(path: Path = CORPUS) -> list[dict]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            items.append(json.loads(line))
    return items


def is_holdout(item_id: str) -> bool:
    return int(hashlib.sha1(item_id.encode()).hexdigest(), 16) % HOLDOUT_SHARE == 0


def split(items: list[dict], which: str) -> list[dict]:
    if which == "all":
        return items
    want = which == "holdout"
    return [it for it in items if is_holdout(it["id"]) == want]


def blind2_split(items: list[dict], seed: int = BLIND2_SEED) -> tuple[list[dict], list[dict]]:
    """(dev half, locked hold-out half) of the second blind corpus: within each
    category the ids are sorted, shuffled with a fixed seed, and the first half
    (rounded up) is dev.  Depends on neither file order nor the code."""
    by_cat: dict[str, list[dict]] = defaultdict(list)
    for it in items:
        by_cat[it.get("category", "?")].append(it)
    dev_ids: set[str] = set()
    for cat in sorted(by_cat):
        group = sorted(by_cat[cat], key=lambda it: it["id"])
        random.Random(f"{seed}:{cat}").shuffle(group)
        dev_ids.update(it["id"] for it in group[: (len(group) + 1) // 2])
    dev = [it for it in items if it["id"] in dev_ids]
    hold = [it for it in items if it["id"] not in dev_ids]
    return dev, hold


def share(name: str, corpus: Path = CORPUS, blind2: Path = BLIND2, blind3: Path = BLIND3) -> list[dict]:
    """One named share: "dev"/"holdout" of the first corpus, "new-dev"/"new-holdout" of blind2,
    "new-all" for its first contact, "blind3" for the whole third blind corpus (not tuned on)."""
    if name == "blind3":
        return load(blind3)
    if name == "blind4":
        return load(BLIND4)
    if name in ("dev", "holdout", "all"):
        return split(load(corpus), name)
    items = load(blind2)
    if name == "new-all":
        return items
    dev, hold = blind2_split(items)
    return dev if name == "new-dev" else hold


def _present(needle: str, haystack: str) -> bool:
    # Word-bounded where the needle starts/ends with a word character, so
    # that a removed "Tom" is not "found" inside "Tomorrow".
    left = r"(?<!\w)" if needle[:1].isalnum() else ""
    right = r"(?!\w)" if needle[-1:].isalnum() else ""
    return re.search(left + re.escape(needle) + right, haystack) is not None


def score(items: list[dict], redact, rounds: int = 3) -> dict:
    pii_total = pii_removed = keep_total = keep_kept = 0
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    misses: list[tuple[str, str, str, str]] = []
    times: list[float] = []
    for item in items:
        redact(item["text"])  # warm caches so the first call does not count as a message
    for r in range(rounds):
        for item in items:
            t0 = time.perf_counter()
            out = redact(item["text"])
            times.append(time.perf_counter() - t0)
            if r:
                continue
            cat = by_cat[item.get("category", "?")]
            # A name that must go can also be part of a phrase that must stay
            # ("Ruth" the pupil, "Ruth Gately" the presenter): look for it
            # only outside the kept phrases.
            masked = out
            for k in sorted(item.get("keep", []), key=len, reverse=True):
                masked = masked.replace(k, "\0")
            for p in item.get("pii", []):
                pii_total += 1
                cat[1] += 1
                if not _present(p, masked):
                    pii_removed += 1
                    cat[0] += 1
                else:
                    misses.append(("missed", item["id"], p, out))
            for k in item.get("keep", []):
                keep_total += 1
                cat[3] += 1
                if _present(k, out):
                    keep_kept += 1
                    cat[2] += 1
                else:
                    misses.append(("lost", item["id"], k, out))
    times.sort()
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))] if times else 0.0
    return {
        "items": len(items),
        "pii": pii_total,
        "recall": pii_removed / pii_total if pii_total else 1.0,
        "keep": keep_total,
        "kept": keep_kept / keep_total if keep_total else 1.0,
        "p50_ms": 1000 * statistics.median(times) if times else 0.0,
        "p99_ms": 1000 * p99,
        "by_category": dict(by_cat),
        "misses": misses,
    }


def default_engine():
    from bot.privacy.redaction import Redactor

    return Redactor.default()


def load_engine(spec: str | None):
    if not spec:
        return default_engine()
    module, _, factory = spec.partition(":")
    return getattr(importlib.import_module(module), factory)()


def report(name: str, s: dict, show_categories: bool) -> None:
    print(
        f"{name:11s} items={s['items']:4d}  personal data removed (recall) {s['recall']:.3f} "
        f"[{s['pii']} items]  forum facts kept {s['kept']:.3f} [{s['keep']} items]  "
        f"latency p50 {s['p50_ms']:.2f} ms  p99 {s['p99_ms']:.2f} ms"
    )
    if show_categories:
        for cat, (rm, tot, kp, ktot) in sorted(s["by_category"].items()):
            rec = f"{rm / tot:.3f}" if tot else "  -  "
            kep = f"{kp / ktot:.3f}" if ktot else "  -  "
            print(f"    {cat:28s} recall {rec} ({rm}/{tot})  kept {kep} ({kp}/{ktot})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--blind2", type=Path, default=BLIND2)
    ap.add_argument("--blind3", type=Path, default=BLIND3)
    ap.add_argument("--first-contact", action="store_true",
                    help="print the recorded first-contact scores of the blind corpora and exit")
    ap.add_argument("--split", nargs="*", choices=(*SPLITS, "all", "new-all", "blind3", "blind4"), default=None,
                    help="shares to score (default: old dev, old hold-out, new dev, new locked hold-out; "
                         "none when --extra is given)")
    ap.add_argument("--extra", nargs="+", type=Path, default=[],
                    help="further corpus files (same format) to score whole, e.g. a fresh blind set")
    ap.add_argument("--engine", help="module:factory of another redactor")
    ap.add_argument("--categories", action="store_true", help="break figures down by category")
    ap.add_argument("--misses", action="store_true", help="print every miss and every lost fact")
    ap.add_argument("--rounds", type=int, default=3, help="timing rounds over the corpus")
    ap.add_argument("--json", action="store_true", help="machine-readable figures")
    args = ap.parse_args(argv)
    if args.first_contact:
        for name in ("redaction_blind2_first_contact.txt", "redaction_blind2_holdout.txt",
                     "redaction_blind3_first_contact.txt", "redaction_blind4_first_contact.txt"):
            path = ROOT / "bench" / name
            if path.exists():
                print(f"== {path.relative_to(ROOT)}")
                print(path.read_text(encoding="utf-8"))
        return 0

    sys.path.insert(0, str(ROOT))
    engine = load_engine(args.engine)
    redact = engine if callable(engine) and not hasattr(engine, "redact") else engine.redact
    results = {}
    shares = args.split if args.split is not None else ([] if args.extra else list(SPLITS))
    jobs = [(which, lambda w=which: share(w, args.corpus, args.blind2, args.blind3)) for which in shares]
    jobs += [(path.name, lambda p=path: load(p)) for path in args.extra]
    for which, items in jobs:
        s = score(items(), redact, args.rounds)
        results[which] = s
        if not args.json:
            report(which, s, args.categories or which not in shares)
            if args.misses:
                for kind, item_id, phrase, out in s["misses"]:
                    print(f"    {kind:6s} {item_id}: {phrase!r}\n           -> {out}")
    if args.json:
        print(json.dumps({k: {x: y for x, y in v.items() if x != "misses"} for k, v in results.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
