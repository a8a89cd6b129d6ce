"""Score the redactor on the labelled corpus: personal data removed, forum facts kept, latency.

    .venv/bin/python bench/redaction_eval.py                 # dev share and hold-out
    .venv/bin/python bench/redaction_eval.py --split dev     # while tuning: never look at the hold-out
    .venv/bin/python bench/redaction_eval.py --misses        # print what was missed / over-redacted

Corpus: tests/privacy/redaction_corpus.jsonl, one item a line:
{"id", "category", "text", "pii": [substrings that must go], "keep": [substrings that must stay]}.

A quarter of the items (chosen by a hash of the id, so the split never
depends on file order) is the hold-out: tune on the dev share only and read
the hold-out at the end, or its figure stops being an estimate for unseen
wording.

`--engine module:factory` scores another redactor (a zero-argument factory
returning an object with `redact(str) -> str`); bench/redaction_candidates.py
uses it for Presidio and the gazetteer candidates.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "privacy" / "redaction_corpus.jsonl"
HOLDOUT_SHARE = 4  # one item in four


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
        f"{name:8s} items={s['items']:4d}  personal data removed (recall) {s['recall']:.3f} "
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
    ap.add_argument("--split", choices=("dev", "holdout", "all", "both"), default="both")
    ap.add_argument("--engine", help="module:factory of another redactor")
    ap.add_argument("--categories", action="store_true", help="break figures down by category")
    ap.add_argument("--misses", action="store_true", help="print every miss and every lost fact")
    ap.add_argument("--rounds", type=int, default=3, help="timing rounds over the corpus")
    ap.add_argument("--json", action="store_true", help="machine-readable figures")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    engine = load_engine(args.engine)
    redact = engine if callable(engine) and not hasattr(engine, "redact") else engine.redact
    items = load(args.corpus)
    splits = ("dev", "holdout") if args.split == "both" else (args.split,)
    results = {}
    for which in splits:
        s = score(split(items, which), redact, args.rounds)
        results[which] = s
        if not args.json:
            report(which, s, args.categories)
            if args.misses:
                for kind, item_id, phrase, out in s["misses"]:
                    print(f"    {kind:6s} {item_id}: {phrase!r}\n           -> {out}")
    if args.json:
        print(json.dumps({k: {x: y for x, y in v.items() if x != "misses"} for k, v in results.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
