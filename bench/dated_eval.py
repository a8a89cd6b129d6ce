"""Scores the dated-question detector (knowledge/dated.py) on questions written blind.

bench/dated_blind.jsonl (copied from /work/blind/dated.jsonl) holds ~250 dated questions written by
someone who never saw the detector, each labelled with the kind of answer it needs. A fixed half,
chosen by a hash of the id, is the hold-out: never read while tuning, reported as the honest figure.
The FAQ check sets (bench/*_check.jsonl, the shared dev set when present) are questions the FAQ
engine should keep; the share the detector claims is printed as `faq_claimed` (some of them are
legitimately dated, e.g. "when do NPQ applications close", which the live service hands back to
the FAQ engine when the catalogue has nothing newer).

    python bench/dated_eval.py [--show-dev-misses]
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.dated import catalogue_names, detect_dated  # noqa: E402
from knowledge.deadlines import load_deadlines  # noqa: E402
from knowledge.events import load_events  # noqa: E402

BLIND = ROOT / "bench" / "dated_blind.jsonl"
FAQ_SETS = [ROOT / "bench" / "holdout_check.jsonl", ROOT / "bench" / "blind_check.jsonl",
            Path("/work/shared/eval/dev.jsonl")]


def is_holdout(item_id: str) -> bool:
    return hashlib.sha256(item_id.encode()).digest()[0] % 2 == 1


def seed_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(every catalogue name, the names of events), as the live service passes them."""
    events = load_events().events
    deadlines = load_deadlines().deadlines
    return (catalogue_names([e.title for e in events] + [d.title for d in deadlines],
                            [e.venue for e in events], [e.area for e in events]),
            catalogue_names([e.title for e in events], [e.venue for e in events], [e.area for e in events]))


def score(rows, names):
    right = 0
    by_kind = collections.Counter()
    by_kind_right = collections.Counter()
    misses = []
    for row in rows:
        found = detect_dated(row["text"], *names)
        got = found.kind if found else None
        by_kind[row["kind"]] += 1
        if got == row["kind"]:
            right += 1
            by_kind_right[row["kind"]] += 1
        else:
            misses.append((row["id"], row["kind"], got, row["text"]))
    return right, by_kind, by_kind_right, misses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show-dev-misses", action="store_true", help="print the dev half's misses (never the hold-out's)")
    args = parser.parse_args()
    names = seed_names()
    rows = [json.loads(line) for line in BLIND.read_text(encoding="utf-8").splitlines() if line.strip()]
    for split in ("dev", "holdout"):
        part = [r for r in rows if is_holdout(r["id"]) == (split == "holdout")]
        right, by_kind, by_kind_right, misses = score(part, names)
        claimed = sum(1 for r in part if detect_dated(r["text"], *names))
        kinds = " ".join(f"{k}={by_kind_right[k]}/{by_kind[k]}" for k in sorted(by_kind))
        print(f"dated_eval {split:8s} items={len(part)} kind_right={right / len(part):.3f} "
              f"claimed={claimed / len(part):.3f} {kinds}")
        if split == "dev" and args.show_dev_misses:
            for miss in misses:
                print("  miss", *miss)
    faq = []
    for path in FAQ_SETS:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    faq.append(json.loads(line)["question"])
    claimed = [q for q in faq if detect_dated(q, *names)]
    print(f"dated_eval faq_sets questions={len(faq)} faq_claimed={len(claimed) / max(1, len(faq)):.3f}")


if __name__ == "__main__":
    main()
