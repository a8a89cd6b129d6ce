"""The sentence-embedding side of retrieval: one unit vector per phrasing
(question, alternatives) and one per answer of every entry; a question is
compared with all of them by one matrix product.

Per entry: `q_sim`, the best cosine over its phrasings, and `a_sim`, the
cosine with its answer. Above PREFILTER_ENTRIES entries a first pass compares
the question with each entry's mean phrasing vector and only the best
PREFILTER_KEEP entries get the exact per-phrasing comparison (a flat two-stage
search: no index structure to build or keep in step).

Vectors come from a VectorCache keyed by each text's hash: the committed cache
(knowledge/model/vectors.npz, built by `python -m knowledge.train --vectors`)
holds the deck's texts, so start-up encodes nothing; an entry published later
is encoded when the index is rebuilt (about 10 ms per text).
"""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from knowledge.embed import DIM, Encoder, EncoderUnavailable, VectorCache
from knowledge.models import FaqEntry

MODEL_DIR = Path(__file__).resolve().parent / "model"
COMMITTED_VECTORS = MODEL_DIR / "vectors.npz"
PREFILTER_ENTRIES = 2000
PREFILTER_KEEP = 200

_cache_lock = threading.Lock()
_shared_cache: VectorCache | None = None


def shared_cache() -> VectorCache:
    """The process's cache: starts from the committed file and is never
    written back to it (several processes and tests share the checkout)."""
    global _shared_cache
    with _cache_lock:
        if _shared_cache is None:
            _shared_cache = VectorCache(COMMITTED_VECTORS)
            _shared_cache.path = None
        return _shared_cache


def entry_texts(entry: FaqEntry) -> tuple[list[str], str]:
    phrasings = [entry.question, *entry.alternatives]
    return phrasings, entry.answer


class SemanticIndex:
    def __init__(self, entries: tuple[FaqEntry, ...], encoder=None, cache: VectorCache | None = None) -> None:
        self.encoder = encoder
        cache = cache or shared_cache()
        owners: list[int] = []
        texts: list[str] = []
        answers: list[str] = []
        for i, entry in enumerate(entries):
            phrasings, answer = entry_texts(entry)
            for p in phrasings:
                texts.append(p)
                owners.append(i)
            answers.append(answer)
        enc = encoder if encoder is not None else _lazy_encoder()
        self.phrasings = cache.vectors(texts, enc) if texts else np.zeros((0, DIM), np.float32)
        self.answers = cache.vectors(answers, enc) if answers else np.zeros((0, DIM), np.float32)
        self.owners = np.asarray(owners, dtype=np.int64)
        n = len(entries)
        self.n = n
        # Phrasings are stored entry by entry: reduceat gives each entry's best.
        self.starts = np.searchsorted(self.owners, np.arange(n)) if n else np.zeros(0, np.int64)
        counts = np.bincount(self.owners, minlength=n) if n else np.zeros(0, np.int64)
        self.has_phrasing = counts > 0
        if n > PREFILTER_ENTRIES:
            sums = np.zeros((n, DIM), np.float32)
            np.add.at(sums, self.owners, self.phrasings)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            self.centroids = sums / np.maximum(norms, 1e-9)
            self._ranges = [(int(s), int(s + c)) for s, c in zip(self.starts, counts)]
        else:
            self.centroids = None

    def similarities(self, qv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(q_sim, a_sim) for every entry; entries skipped by the prefilter get -1."""
        a_sim = self.answers @ qv if self.n else np.zeros(0, np.float32)
        if self.centroids is None:
            q_sim = np.full(self.n, -1.0, np.float32)
            if len(self.phrasings):
                sims = self.phrasings @ qv
                valid = self.has_phrasing
                q_sim[valid] = np.maximum.reduceat(sims, self.starts[valid])
            return q_sim, a_sim
        coarse = self.centroids @ qv
        keep = np.argpartition(-coarse, PREFILTER_KEEP)[:PREFILTER_KEEP]
        q_sim = np.full(self.n, -1.0, np.float32)
        for doc in keep:
            lo, hi = self._ranges[doc]
            if hi > lo:
                q_sim[doc] = float((self.phrasings[lo:hi] @ qv).max())
        return q_sim, a_sim


_encoder_lock = threading.Lock()


class _LazyEncoder:
    """Loads the model only when a text is missing from the cache."""

    def encode(self, texts, max_tokens):
        return Encoder.shared().encode(texts, max_tokens)


def _lazy_encoder():
    return _LazyEncoder()


__all__ = ["SemanticIndex", "EncoderUnavailable", "shared_cache", "COMMITTED_VECTORS"]
