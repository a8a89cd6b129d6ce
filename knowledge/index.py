"""The search index over a KnowledgeBase: built once, immutable afterwards.

Candidate generation is an inverted index with precomputed BM25 weights, so a
query touches only the postings of its own terms (no scan over all entries);
the expensive comparisons (rapidfuzz) run on the few best candidates only.
Two fields per entry: the "question" field (canonical question, alternatives,
keywords, tags) and a lower-weight "answer" field (answer text, session title).
"""
from __future__ import annotations

import heapq
import math
import time
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.expectations import (DIRECT_COUNT, MUST_EXPLAIN, answer_kinds, clauses,
                                    counted_words, dated_clauses, money_clauses)
from knowledge.models import FaqEntry, KnowledgeBase
from knowledge.text import STOPWORDS, Analyzer, Token, family_of, opener, split

K1 = 1.2
B_QUESTION = 0.4      # many alternatives should not count against an entry much
B_ANSWER = 0.75
WEIGHT_QUESTION = 1.0
WEIGHT_ANSWER = 0.35
TYPO_CACHE = 4096
COMMON_DF = 1000      # terms in more entries than this only refine candidates (see candidates())
# Shorter words are too often real words the KB lacks ("pass", "sats", "wide").
MIN_TYPO_LENGTH = 5


@dataclass(frozen=True)
class IndexedEntry:
    entry: FaqEntry
    question_terms: frozenset[str]
    answer_terms: frozenset[str]
    variants: tuple[str, ...]           # question + alternatives as canonical token strings
    phrasings: tuple[str, ...]          # question + alternatives as plain normalised words
    forms: frozenset[tuple[str, str]]   # (question form, canonical tokens) of each phrasing
    answer_kinds: frozenset[str]
    surface: frozenset[str]             # raw words, for MUST_EXPLAIN checks
    families: frozenset[str]            # kinds of specifics mentioned: term, month, year...
    money_terms: frozenset[str] = frozenset()   # terms of the clauses that state an amount
    counted: frozenset[str] = frozenset()       # terms just after a count ("496 respondents")
    dated_terms: frozenset[str] | None = None   # terms of the clauses giving a date (None: no dates)


def _bm25(tf: int, length: int, avg: float, b: float) -> float:
    return tf * (K1 + 1) / (tf + K1 * (1 - b + b * length / avg))


@dataclass(frozen=True)
class _Analysed:
    """The analyser's output for one entry, reusable while glossary and
    synonyms stay the same (so publishing one entry does not re-analyse all)."""
    question_counts: Counter
    answer_counts: Counter
    variants: tuple[str, ...]
    phrasings: tuple[str, ...]
    forms: frozenset[tuple[str, str]]
    words: tuple[str, ...]
    money_terms: frozenset[str]
    counted: frozenset[str]
    dated_terms: frozenset[str] | None


class Index:
    def __init__(self, kb: KnowledgeBase, previous: "Index | None" = None) -> None:
        started = time.perf_counter()
        self.kb = kb
        names = tuple(sorted({e.source.presenter for e in kb.entries if e.source.presenter}))
        reuse = (previous is not None and previous.kb.glossary == kb.glossary
                 and previous.kb.synonyms == kb.synonyms and previous.names == names)
        self.names = names
        self.analyzer = previous.analyzer if reuse else Analyzer(kb.glossary, kb.synonyms, names)
        self._analysed: dict[FaqEntry, _Analysed] = {}
        cache = previous._analysed if reuse else {}
        self.forum_labels = kb.forum_labels
        people = frozenset(e.source.presenter.lower() for e in kb.entries if e.source.presenter)
        docs: list[IndexedEntry] = []
        q_counts: list[Counter] = []
        a_counts: list[Counter] = []
        surface: Counter = Counter()
        for entry in kb.entries:
            done = cache.get(entry) or self._analyse(entry)
            self._analysed[entry] = done
            surface.update(done.words)
            docs.append(IndexedEntry(entry, frozenset(done.question_counts),
                                     frozenset(done.answer_counts), done.variants, done.phrasings,
                                     done.forms,
                                     answer_kinds(entry.answer, people),
                                     frozenset(w for w in done.words if w in MUST_EXPLAIN),
                                     frozenset(f for t in set(done.question_counts) | set(done.answer_counts)
                                               if (f := family_of(t, self.analyzer.families))),
                                     done.money_terms, done.counted, done.dated_terms))
            q_counts.append(done.question_counts)
            a_counts.append(done.answer_counts)
        for term in kb.glossary:
            for form in (term.term, *term.variants, term.expansion or ""):
                surface.update(self.analyzer.surface(form))
        for group in kb.synonyms:
            for word in group:
                surface.update(self.analyzer.surface(word))

        self.docs = tuple(docs)
        self.by_id = {d.entry.id: i for i, d in enumerate(docs)}
        n = len(docs)
        df: Counter = Counter()
        for qc, ac in zip(q_counts, a_counts):
            df.update(set(qc) | set(ac))
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        # An unseen word is rarer than anything indexed: it weighs the most.
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        avg_q = sum(sum(c.values()) for c in q_counts) / max(n, 1) or 1.0
        avg_a = sum(sum(c.values()) for c in a_counts) / max(n, 1) or 1.0
        postings: dict[str, list[tuple[int, float]]] = {}
        for i, (qc, ac) in enumerate(zip(q_counts, a_counts)):
            q_len, a_len = sum(qc.values()), sum(ac.values())
            for term in set(qc) | set(ac):
                w = 0.0
                if term in qc:
                    w += WEIGHT_QUESTION * _bm25(qc[term], q_len, avg_q, B_QUESTION)
                if term in ac:
                    w += WEIGHT_ANSWER * _bm25(ac[term], a_len, avg_a, B_ANSWER)
                postings.setdefault(term, []).append((i, self.idf[term] * w))
        self.postings = postings
        common_df = max(COMMON_DF, n // 20)
        self._common = {t: dict(p) for t, p in postings.items() if len(p) > common_df}

        self.surface_words = frozenset(w for w in surface if w.isalpha()) | STOPWORDS
        self._surface_freq = surface
        by_length: dict[int, list[str]] = {}
        # A long word is never a typo of "these" or "there": repairing it into
        # a stopword would silently drop a content word.
        for word in (w for w in self.surface_words if w not in STOPWORDS or len(w) <= 5):
            by_length.setdefault(len(word), []).append(word)
        self._by_length = {k: sorted(v) for k, v in by_length.items()}
        self._correct = lru_cache(maxsize=TYPO_CACHE)(self._nearest_word)
        self.build_seconds = time.perf_counter() - started

    def _analyse(self, entry: FaqEntry) -> _Analysed:
        def terms(words: list[str]) -> list[str]:
            return [t.text for t in self.analyzer.tokens_of(words)]

        # The answer is analysed clause by clause, so that the clauses stating
        # an amount or a date keep their own terms without a second analysis.
        clause_words = {c: split(c) for c in clauses(entry.answer)}
        analysed = {c: terms(w) for c, w in clause_words.items()}

        def clause_terms(clause: str) -> list[str]:
            return analysed[clause]

        q_words = [split(t) for t in (entry.question, *entry.alternatives)]
        x_words = [split(t) for t in (*entry.keywords, *(g.replace("-", " ") for g in entry.tags))]
        a_words = [*clause_words.values(), split(entry.source.session)]
        asked = [terms(w) for w in q_words]
        variants = (" ".join(sorted(ts)) for ts in asked)
        return _Analysed(
            question_counts=Counter(t for ts in asked + [terms(w) for w in x_words] for t in ts),
            answer_counts=Counter(t for ts in [*analysed.values(), terms(a_words[-1])] for t in ts),
            variants=tuple(v for v in variants if v),
            phrasings=tuple(" ".join(w) for w in q_words if w),
            forms=frozenset((form, " ".join(sorted(ts))) for w, ts in zip(q_words, asked)
                            if (form := opener(w)) and ts),
            words=tuple(w for ws in q_words + x_words + a_words for w in ws),
            money_terms=frozenset(t for c in money_clauses(entry.answer) for t in clause_terms(c)),
            counted=self._counted(entry.answer, terms),
            dated_terms=self._dated_terms(entry, q_words, terms, clause_terms))

    @staticmethod
    def _counted(answer: str, terms) -> frozenset[str]:
        words = counted_words(answer)
        direct = {DIRECT_COUNT} if DIRECT_COUNT in words else set()
        # One analysis for all of them: a phrase never spans two counts anyway.
        return frozenset(terms(split(" ".join(w for w in words if w != DIRECT_COUNT)))) | direct

    @staticmethod
    def _dated_terms(entry: FaqEntry, q_words: list[list[str]], terms,
                     clause_terms) -> frozenset[str] | None:
        """What the entry's dates are dates of: the clauses that give them, the
        label of its date, and its own "when…" phrasings. None when the answer
        gives no date at all."""
        dated = dated_clauses(entry.answer)
        if not dated:
            return None
        out = {t for c in dated for t in clause_terms(c)}
        texts = [split(entry.date.label)] if entry.date is not None else []
        texts.extend(w for w in q_words if opener(w) == "when")
        return frozenset(out.union(t for w in texts for t in terms(w)))

    # -- typo repair -------------------------------------------------------
    def correct(self, word: str) -> str | None:
        """The vocabulary word a misspelt query word most likely meant, if any."""
        if len(word) < MIN_TYPO_LENGTH or not word.isalpha() or word in self.surface_words:
            return None
        if self.analyzer.terms(word) and all(t in self.idf for t in self.analyzer.terms(word)):
            return None     # an unseen inflection of a known word ("teacher"), not a typo
        return self._correct(word)

    def _nearest_word(self, word: str) -> str | None:
        max_edits = 1 if len(word) < 9 else 2
        pool: list[str] = []
        for length in range(len(word) - max_edits, len(word) + max_edits + 1):
            pool.extend(self._by_length.get(length, ()))
        if not pool:
            return None
        found = process.extract(word, pool, scorer=OSA.distance,
                                score_cutoff=max_edits, limit=8)
        if not found:
            return None
        best = min(d for _, d, _ in found)
        # Among equally close words prefer one sharing the first letter, then
        # the more common one: typos rarely hit the first letter.
        ties = [w for w, d, _ in found if d == best]
        return max(ties, key=lambda w: (w[0] == word[0], self._surface_freq.get(w, 0), w))

    # -- retrieval ---------------------------------------------------------
    def query_tokens(self, question: str) -> list[Token]:
        seen: dict[str, Token] = {}
        for tok in self.analyzer.tokens(question, correct=self.correct,
                                         vocabulary=self.surface_words):
            if tok.text not in seen or seen[tok.text].corrected and not tok.corrected:
                seen[tok.text] = tok
        return list(seen.values())

    def weight(self, term: str) -> float:
        return self.idf.get(term, self.unknown_idf)

    def candidates(self, terms: Iterable[str], limit: int) -> list[tuple[int, float]]:
        """The `limit` best entries by BM25."""
        scores = self.scores(terms)
        if len(scores) <= limit:
            return sorted(scores.items(), key=lambda kv: -kv[1])
        return heapq.nlargest(limit, scores.items(), key=lambda kv: kv[1])

    def scores(self, terms: Iterable[str]) -> dict[int, float]:
        """BM25 scores of the entries sharing a term with the query. Rarer terms
        go first; a very common term (in thousands of entries) then only adds to
        entries already found, looked up in its own map, instead of walking its
        whole posting list: an entry with nothing but common words in common
        cannot win anyway."""
        scores: dict[int, float] = {}
        for term in sorted(set(terms), key=lambda t: len(self.postings.get(t, ()))):
            common = self._common.get(term)
            if common is not None and scores:
                for doc in scores:
                    w = common.get(doc)
                    if w:
                        scores[doc] += w
                continue
            for doc, w in self.postings.get(term, ()):
                scores[doc] = scores.get(doc, 0.0) + w
        return scores

    def ideal_score(self, terms: Iterable[str]) -> float:
        """An upper bound of the BM25 score for these terms, to scale to 0..1."""
        return sum(self.weight(t) * (K1 + 1) * (WEIGHT_QUESTION + WEIGHT_ANSWER) for t in terms)
