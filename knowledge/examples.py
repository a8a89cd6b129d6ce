"""Labelled training questions as evidence at answer time.

The blind training questions (and staff confirmations) are labelled with the
entry that answers them, or as out of scope. A new question that reads like a
training question labelled with entry X is good evidence for X, whatever words
the entry's own phrasings use; one that reads like a known near miss is
evidence for declining. Per candidate the decision model gets:

    knn_label   best cosine between the question and a training question labelled with this entry
    knn_ok      the same over training questions this entry's answer also answers (at most 5 such entries)
    knn_gap     the best cosine to any in-scope training question minus knn_label
    knn_oos     best cosine to an out-of-scope training question (same for every candidate)
    knn_vs_oos  knn_label minus knn_oos
    knn_has     1 when the entry has labelled training questions at all

An entry with no training questions (one published from the inbox, or a KB
other than the deck's) gets knn_has = 0 and zeros: training hides a third of
the entries' examples from each training question (`hidden`) so the model
learns to decide without them too.

The vectors (all-MiniLM-L6-v2, the same encoder as retrieval) are written by
`python -m knowledge.train` to knowledge/model/examples.npz with the model.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from knowledge.embed import DIM

EXAMPLES_FILE = Path(__file__).resolve().parent / "model" / "examples.npz"
FEATURES = ("knn_label", "knn_ok", "knn_gap", "knn_oos", "knn_vs_oos", "knn_has")
OK_MAX = 5          # a question more than this many answers answer says little about any one of them
HIDE_GROUPS = 3     # training hides the examples of one in this many entry groups per question


class Examples:
    def __init__(self, vectors: np.ndarray, labels: list[str | None], ok: list[tuple[str, ...]]) -> None:
        self.vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, DIM)
        self.labels = list(labels)
        self.ok = [tuple(o) for o in ok]
        self.in_scope = np.asarray([lab is not None for lab in self.labels], dtype=bool)
        self.by_label: dict[str, np.ndarray] = {}
        self.by_ok: dict[str, np.ndarray] = {}
        for name, source in (("by_label", [((lab,) if lab else ()) for lab in self.labels]),
                             ("by_ok", [o if len(o) <= OK_MAX else () for o in self.ok])):
            table: dict[str, list[int]] = {}
            for i, ids in enumerate(source):
                for eid in ids:
                    table.setdefault(eid, []).append(i)
            setattr(self, name, {k: np.asarray(v, dtype=np.int64) for k, v in table.items()})

    def __len__(self) -> int:
        return len(self.labels)

    def similarities(self, qv: np.ndarray) -> np.ndarray:
        return self.vectors @ qv if len(self) else np.zeros(0, np.float32)

    def features(self, sims: np.ndarray, entry_ids: list[str], usable: np.ndarray | None = None,
                 hidden=None) -> list[dict[str, float]]:
        """Per candidate entry. `usable` masks the examples that may be used
        (training: not the question itself, not the held-out fold); `hidden`
        is a predicate on entry ids whose examples are treated as absent."""
        s = np.asarray(sims, dtype=np.float32)
        if usable is not None:
            s = np.where(usable, s, np.float32(-1.0))
            avail = usable
        else:
            avail = np.ones(len(s), dtype=bool)
        best_in = float(s[self.in_scope & avail].max()) if (self.in_scope & avail).any() else 0.0
        best_oos = float(s[~self.in_scope & avail].max()) if (~self.in_scope & avail).any() else 0.0
        out = []
        for eid in entry_ids:
            idx = self.by_label.get(eid)
            has = idx is not None and bool(avail[idx].any()) and not (hidden is not None and hidden(eid))
            if not has:
                out.append({"knn_label": 0.0, "knn_ok": 0.0, "knn_gap": 0.0, "knn_oos": best_oos,
                            "knn_vs_oos": 0.0, "knn_has": 0.0})
                continue
            lab = float(s[idx].max())
            ok_idx = self.by_ok.get(eid)
            ok = float(s[ok_idx].max()) if ok_idx is not None else -1.0
            out.append({"knn_label": lab, "knn_ok": ok, "knn_gap": best_in - lab, "knn_oos": best_oos,
                        "knn_vs_oos": lab - best_oos, "knn_has": 1.0})
        return out

    def save(self, path: Path = EXAMPLES_FILE) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Labels as one JSON text (numpy's fixed-width strings made the file
        # 14 MB); vectors not compressed: they hardly shrink, and reading them
        # back compressed took 110 ms of the start-up. Same data, same bytes.
        labels = json.dumps({"labels": self.labels, "ok": [list(o) for o in self.ok]},
                            separators=(",", ":")).encode("utf-8")
        with path.open("wb") as fh:
            np.savez(fh, vectors=self.vectors, labels=np.frombuffer(labels, dtype=np.uint8))

    @classmethod
    def load(cls, path: Path | None = None) -> "Examples":
        path = path or EXAMPLES_FILE
        if not path.is_file():
            return cls.empty()
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(z["labels"].tobytes().decode("utf-8"))
            return cls(z["vectors"], meta["labels"], [tuple(o) for o in meta["ok"]])

    @classmethod
    def empty(cls) -> "Examples":
        return cls(np.zeros((0, DIM), np.float32), [], [])


def hidden_for(question_id: str):
    """Training only: the entries whose examples one training question is not
    allowed to see (one entry group in HIDE_GROUPS, chosen by the question), so
    that a third of the rows look like an entry nobody has asked about yet."""
    def group(key: str) -> int:
        return int(hashlib.sha1(key.encode()).hexdigest(), 16) % HIDE_GROUPS
    mine = group("q" + question_id)
    return lambda entry_id: group(entry_id) == mine


_shared: Examples | None = None


def load_examples() -> Examples:
    global _shared
    if _shared is None:
        _shared = Examples.load()
    return _shared
