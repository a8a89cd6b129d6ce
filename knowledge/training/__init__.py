"""Training data for the answer/decline decision and the tools that label, split and load it.

    blind/faq_{A,B,C}.jsonl   questions written blind from the deck (see README.md here)
    labels.jsonl              each in-scope question's knowledge-base entry, with provenance
    split.json                train / validation / test ids (fixed seed; test is locked)
    confirmed.jsonl           staff confirmations "this declined question is entry X" (feedback loop)
    question_vectors.npz      cached embeddings of the questions above (keyed by text hash)
"""
from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
BLIND_DIR = HERE / "blind"
LABELS = HERE / "labels.jsonl"
SPLIT = HERE / "split.json"
CONFIRMED = HERE / "confirmed.jsonl"
QUESTION_VECTORS = HERE / "question_vectors.npz"


def read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def blind_items() -> list[dict]:
    items = []
    for path in sorted(BLIND_DIR.glob("faq_*.jsonl")):
        items.extend(read_jsonl(path))
    return items


def labels() -> dict[str, dict]:
    return {row["id"]: row for row in read_jsonl(LABELS)}


def split() -> dict[str, list[str]]:
    if not SPLIT.is_file():
        return {}
    return json.loads(SPLIT.read_text(encoding="utf-8"))


def items_in(part: str) -> list[dict]:
    """Blind items of one split part ("train", "validation", "test"), with their labels."""
    ids = set(split().get(part, ()))
    lab = labels()
    out = []
    for item in blind_items():
        if item["id"] in ids:
            row = dict(item)
            row["topic"] = lab.get(item["id"], {}).get("entry") or item.get("kind")
            row["entries"] = lab.get(item["id"], {}).get("acceptable", [])
            out.append(row)
    return out
