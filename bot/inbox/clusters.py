"""Grouping similar open questions so staff answer each one once ("asked 7 times").

Questions are compared after redaction, with the redaction tags, punctuation and
small function words removed and plurals folded, using rapidfuzz's
token_set_ratio: it ignores word order and extra words, which suits the same
question asked at different lengths ("laptops for dyslexia?" vs "can the council
lend a laptop to a pupil with dyslexia").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from rapidfuzz import fuzz

_TAG = re.compile(r"\[[a-z-]+\]")
_WORD = re.compile(r"[a-z0-9£]+(?:'[a-z]+)?")
# Words that carry no topic: two questions sharing only these are not alike.
_STOPWORDS = frozenset(
    """
    a an and are as at be been but by can could do does did for from get got had has have he her his how i if
    in is it its just me my of on or our please she so that the their them there they this to us was we were
    what when where which who why will with would you your hi hello thanks thank dear regards any anyone know
    """.split()
)


def normalise(text: str) -> str:
    """The comparable form of a redacted question: lower case content words, plurals folded."""
    lowered = _TAG.sub(" ", text.lower())
    words = []
    for word in _WORD.findall(lowered):
        word = word.split("'")[0]
        if word in _STOPWORDS or len(word) < 2:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.append(word)
    return " ".join(words)


def similarity(a: str, b: str) -> float:
    """0..100 between two normalised questions; empty text is like nothing."""
    if not a or not b:
        return 0.0
    return float(fuzz.token_set_ratio(a, b))


@dataclass(frozen=True)
class Candidate:
    cluster_id: str
    texts: tuple[str, ...]   # normalised wordings already in the cluster


def best_cluster(text: str, candidates: Iterable[Candidate], threshold: float) -> Optional[tuple[str, float]]:
    """The cluster whose closest wording is most like `text`, if at or above the threshold."""
    query = normalise(text)
    best: Optional[tuple[str, float]] = None
    for candidate in candidates:
        score = max((similarity(query, other) for other in candidate.texts), default=0.0)
        if score >= threshold and (best is None or score > best[1]):
            best = (candidate.cluster_id, score)
    return best


def near_identical(a: str, b: str) -> bool:
    """The same wording give or take case, punctuation and small words (not merely overlapping)."""
    return fuzz.ratio(normalise(a), normalise(b)) >= 95


def distinct_wordings(texts: Sequence[str], limit: int) -> list[str]:
    """Different phrasings of one question, first seen first, near-identical ones skipped."""
    kept: list[str] = []
    for text in texts:
        if not normalise(text) or any(near_identical(text, other) for other in kept):
            continue
        kept.append(text)
        if len(kept) >= limit:
            break
    return kept


def strip_tags(text: str) -> str:
    """A redacted wording without its [name]/[phone] tags, for use as an alternative phrasing."""
    return " ".join(_TAG.sub(" ", text).split())
