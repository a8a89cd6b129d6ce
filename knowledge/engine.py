"""The FAQ answerer: question in, one of answer / suggest / decline out.

For each candidate entry (from the BM25 inverted index) three features in 0..1:
  coverage  the share of the question's content words the entry explains:
            fully in its question field, partly when only its answer has them
  closeness the best rapidfuzz match against its question and alternatives
  bm25      the candidate's BM25 score scaled by the ideal score for the query
are combined linearly, then marked down for near misses: the question asks for
a kind of fact the answer lacks (a phone number, a duration…), names a body the
entry never mentions, or asks about a detail the entry never uses ("is there
parking…?"). A logistic curve fitted on our question sets turns that into a
confidence, so thresholds read as the chance of being right. knowledge/README.md
walks through it with the numbers.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
import threading
from dataclasses import dataclass

from rapidfuzz import fuzz

from knowledge.expectations import (DIRECT_COUNT, MONEY_ASK_WORDS, MUST_EXPLAIN, TIME_ASK_WORDS,
                                    asked_kinds,
                                    counted_noun, defined_term, duration_subject,
                                    condition_words, existential_focus, polar_foci,
                                    procedure_verb)
from knowledge.text import STOPWORDS
from knowledge.index import Index, IndexedEntry
from knowledge.models import AnswerResult, FaqEntry, KnowledgeBase, Suggestion
from knowledge.text import Token, family_of, opener, split

from knowledge.london import LONDON, british_date, london_today  # noqa: F401 (re-exported)

CANDIDATES = 24              # rapidfuzz runs on this many BM25 candidates, never on all
MAX_QUESTION_CHARS = 4000    # a pasted e-mail is cut here: analysis cost grows with length
W_COVERAGE, W_CLOSENESS, W_BM25 = 0.55, 0.30, 0.15
ANSWER_FIELD_CREDIT = 0.6    # a word only the answer text contains explains less
TYPO_CREDIT = 0.85           # a repaired word is a slightly weaker match
ENTITY_WEIGHT = 1.5          # glossary terms: naming one says what the question is about
KIND_PENALTY = 0.40          # the answer lacks the kind of fact asked for
# Asking "when" of an answer without a date or time is a weaker signal: the
# date may be implied ("it has been published").
KIND_PENALTIES = {"time": 0.12, "date of another thing": 0.25}
CONTACT_KINDS = frozenset({"phone", "email", "person", "contact"})
SPECIFIC_IDF = 2.0           # bodies named in fewer entries than this implies are "specific"
FOCUS_PENALTY = 0.25         # "is there X" / logistics word the entry never mentions /
                             # "what is X" where X is not the entry's subject
MUST_PENALTY = 0.40          # an event-logistics word the entry never uses
CONFLICT_PENALTY = 0.25
LONG_QUESTION = 8            # content words; a message this long carries a story
NARRATIVE_WEIGHT = 1.0       # an unknown word of a long message weighs like a common one…
NARRATIVE_DISCOUNT = 0.5     # …and counts as half a word
# Same question form and the same content as one of the entry's phrasings:
# "who is the continuum for" is the "Who is the Continuum for?" entry, even
# though "what is the continuum" has the same content words.
FORM_BONUS = 0.08      # a term, month or year other than the one asked about
AMBIGUITY_TEMPERATURE = 0.05
# raw -> confidence; refit with `python bench/faq_eval.py --calibrate` after
# changing the features or weights above.
CAL_SLOPE, CAL_MIDPOINT = 18.4, 0.614


@dataclass(frozen=True)
class Thresholds:
    """Confidence needed to answer outright, and to offer "Did you mean…?"."""
    answer: float = 0.5
    suggest: float = 0.4
    max_suggestions: int = 3

    def __post_init__(self) -> None:
        if not 0.0 <= self.suggest <= self.answer <= 1.0:
            raise ValueError("thresholds need 0 <= suggest <= answer <= 1")


@dataclass(frozen=True)
class Scored:
    doc: int              # position in the index that scored it
    entry_id: str
    confidence: float     # probability this is the entry meant (after ambiguity)
    match: float          # how well the entry matches on its own (calibrated raw)
    raw: float
    coverage: float
    closeness: float
    bm25: float
    kinds_missing: frozenset[str]


def time_aware_text(entry: FaqEntry, now: dt.datetime | None) -> str:
    if entry.date is None or now is None:
        return entry.answer
    if london_today(now) > entry.date.last_day:
        # The entry's own text was written before the date, in the future tense; saying it is what the
        # forum said keeps the two sentences from contradicting each other.
        return (f"{entry.date.label} was {entry.date.when()}; it has passed. "
                f"What the forum said: {entry.answer}")
    return entry.answer


def _calibrate(raw: float) -> float:
    return 1.0 / (1.0 + math.exp(-CAL_SLOPE * (raw - CAL_MIDPOINT)))


@dataclass(frozen=True)
class _Query:
    """Everything about a question that does not depend on the candidate."""
    tokens: tuple[Token, ...]
    narrative: frozenset[str]     # unknown words of a long message
    terms: tuple[str, ...]
    weights: dict[str, float]
    ideal: float
    sorted_terms: str             # canonical tokens, for rapidfuzz
    plain: str                    # normalised words, for rapidfuzz
    asked: frozenset[str]         # kinds of fact asked for
    focus: tuple[str, ...]        # what "is there…" / "can parents…" / "will it have a…" asks about
    must: frozenset[str]          # logistics words the entry must use
    named: tuple[str, ...]        # specific bodies/people a contact question names
    defined: frozenset[str]       # what "what is X?" asks to define
    specifics: tuple[tuple[str, str], ...]   # (token, family) like Term 6, May, 2026
    form: tuple[str, str] | None  # ("who", "~continuum") for "who is the continuum for"
    money_subject: frozenset[str]  # what "how much is the STLS budget" asks the amount of
    time_subject: frozenset[str]   # what "when does X happen" asks the date of
    counted: str | None            # what "how many schools…" counts
    lasting: str | None            # the head of what "how long does X last" asks about

    @classmethod
    def parse(cls, index: Index, question: str) -> "_Query | None":
        tokens = tuple(index.query_tokens(question))
        if not tokens:
            return None
        analyzer = index.analyzer
        terms = tuple(t.text for t in tokens)
        weights = {t: index.weight(t) * (ENTITY_WEIGHT if t in analyzer.entities else 1.0)
                   for t in terms}
        # In a long message, words the KB never uses are mostly the story
        # around the question ("panicking", "business manager"): they count
        # as half a word and at the weight of an ordinary one.
        narrative = frozenset()
        if len(tokens) >= LONG_QUESTION:
            narrative = frozenset(t.text for t in tokens if t.text not in index.idf and not t.corrected)
            for t in narrative:
                weights[t] = NARRATIVE_WEIGHT
        asked = asked_kinds(question)
        # "the phone number for IASK": a contact detail answers only when the
        # entry is about the body or person named (bodies in half the entries,
        # like the LA, do not count).
        named = tuple(t for t in terms if asked & CONTACT_KINDS
                      and (t in analyzer.entities or t in analyzer.name_concepts)
                      and index.weight(t) >= SPECIFIC_IDF)
        focus = []
        rest = existential_focus(question)
        for text in (((rest,) if rest else ()) + polar_foci(question, STOPWORDS)
                     + condition_words(question) + tuple(filter(None, [procedure_verb(question)]))):
            focus_tokens = index.analyzer.tokens(text, correct=index.correct,
                                                 vocabulary=index.surface_words)
            if focus_tokens:
                focus.append(focus_tokens[0].text)
        term = defined_term(question)
        defined = frozenset(analyzer.terms(term)) if term else frozenset()
        specifics = tuple((t, f) for t in terms if (f := family_of(t, analyzer.families)))
        words = split(question)
        shape = opener(words)
        form = (shape, " ".join(sorted(set(terms)))) if shape else None
        money_subject = frozenset()
        if "money" in asked:
            money_subject = frozenset(terms) - frozenset(analyzer.terms(MONEY_ASK_WORDS))
        time_subject = frozenset()
        if "time" in asked:
            time_subject = frozenset(terms) - frozenset(analyzer.terms(TIME_ASK_WORDS))
        counted = None
        if "count" in asked and (noun := counted_noun(question)):
            counted = next(iter(analyzer.terms(noun)), None)
        lasting = None
        if subject := duration_subject(question):
            # The last word of a noun phrase is its head: "tribunal hearing".
            lasting = next(reversed(analyzer.terms(subject)), None)
        return cls(tokens, narrative, terms, weights, index.ideal_score(terms), " ".join(sorted(terms)),
                   " ".join(words), asked, tuple(focus),
                   frozenset(MUST_EXPLAIN.intersection(words)), named, defined, specifics, form,
                   money_subject, time_subject, counted, lasting)

    def score(self, doc: IndexedEntry, doc_no: int, bm25: float) -> Scored:
        explained = counted = 0.0
        for tok in self.tokens:
            credit = 1.0 if tok.text in doc.question_terms else (
                ANSWER_FIELD_CREDIT if tok.text in doc.answer_terms else 0.0)
            credit *= TYPO_CREDIT if tok.corrected else 1.0
            explained += self.weights[tok.text] * credit
            counted += credit
        # Half IDF-weighted, half by count: one rare word matched must not
        # excuse the topic words left unexplained.
        words = len(self.tokens) - NARRATIVE_DISCOUNT * len(self.narrative)
        coverage = 0.5 * explained / sum(self.weights.values()) + 0.5 * counted / words
        # Canonical tokens see through synonyms; the plain wording keeps what
        # stopwords drop ("who is ... for" asks for an audience).
        closeness = max(max((fuzz.token_sort_ratio(self.sorted_terms, v) for v in doc.variants),
                            default=0.0),
                        max((fuzz.ratio(self.plain, p) for p in doc.phrasings), default=0.0)) / 100.0
        bm25_norm = min(bm25 / self.ideal, 1.0) if self.ideal else 0.0
        raw = W_COVERAGE * coverage + W_CLOSENESS * closeness + W_BM25 * bm25_norm
        if self.form in doc.forms:
            raw += FORM_BONUS

        def explains(term: str) -> bool:
            return term in doc.question_terms or term in doc.answer_terms

        missing = self.asked - doc.answer_kinds
        # The amount or count must be said of what was asked about, not of
        # something else the same answer mentions.
        if self.money_subject and not self.money_subject & doc.money_terms:
            missing |= {"money"}
        if (self.time_subject and doc.dated_terms is not None
                and not self.time_subject & doc.dated_terms):
            missing |= {"date of another thing"}
        if self.counted and not {self.counted, DIRECT_COUNT} & doc.counted:
            missing |= {"count"}
        if self.lasting and not (explains(self.lasting) and "length" in doc.answer_kinds):
            missing |= {"duration"}
        if not all(explains(n) for n in self.named):
            missing |= self.asked & CONTACT_KINDS
        if missing:
            raw -= max(KIND_PENALTIES.get(k, KIND_PENALTY) for k in missing)
        if self.must - doc.surface:
            # Parking, lunch, recordings: the forum never covers them, so an
            # entry that does not use the word cannot be the answer.
            raw -= MUST_PENALTY
        elif (not all(explains(f) for f in self.focus)
                or (self.defined and not any(self.defined <= set(v.split()) for v in doc.variants))):
            raw -= FOCUS_PENALTY
        # Asked about Term 6, the entry talks of another term (or month, year).
        # Asked when, naming a term, month or year the entry never mentions
        # while it gives dates of its own ("when is the term 6 webinar?" vs
        # webinars on 30 April and 6 May).
        dated = "time" in self.asked and doc.dated_terms is not None
        if any(not explains(t) and (f in doc.families or dated) for t, f in self.specifics):
            raw -= CONFLICT_PENALTY
        confidence = _calibrate(raw)
        return Scored(doc_no, doc.entry.id, confidence, confidence, raw, coverage, closeness,
                      bm25_norm, frozenset(missing))


class Answerer:
    def __init__(self, kb: KnowledgeBase, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        self._lock = threading.Lock()
        self._index = Index(kb)

    # -- lifecycle ---------------------------------------------------------
    @property
    def kb(self) -> KnowledgeBase:
        return self._index.kb

    @property
    def build_seconds(self) -> float:
        return self._index.build_seconds

    def reload(self, kb: KnowledgeBase) -> None:
        """Swap in a new KB; questions in flight finish on the old index."""
        with self._lock:
            self._index = Index(kb, previous=self._index)

    def add_entry(self, entry: FaqEntry) -> None:
        """Publish one entry live (replacing one with the same id)."""
        with self._lock:
            self._index = Index(self._index.kb.with_entry(entry), previous=self._index)

    # -- scoring -----------------------------------------------------------
    def score(self, question: str, limit: int = CANDIDATES) -> list[Scored]:
        """All candidates for a question, best first (for answering and tuning)."""
        return self._score(self._index, question, limit)

    def _score(self, index: Index, question: str, limit: int = CANDIDATES) -> list[Scored]:
        query = _Query.parse(index, question[:MAX_QUESTION_CHARS])
        if query is None:
            return []
        out = [query.score(index.docs[doc_no], doc_no, bm25)
               for doc_no, bm25 in index.candidates(query.terms, limit)]
        out.sort(key=lambda s: (-s.raw, s.doc))
        # "who is the continuum for" is one word and a question form that one
        # entry has exactly: that is not a bare topic.
        if len(query.tokens) == 1 and len(out) > 1 and query.form not in index.docs[out[0].doc].forms:
            out = self._share_ambiguity(out)
        return out

    @staticmethod
    def _share_ambiguity(ranked: list[Scored]) -> list[Scored]:
        """A one-word question ("npq", "tribunal") names a topic, not a fact:
        when several entries match it about equally, none of them is likely to
        be the one meant, so the confidence is shared among them (a softmax
        over the raw scores) and the asker gets "Did you mean…?" instead."""
        top = ranked[0].raw
        weights = [math.exp((s.raw - top) / AMBIGUITY_TEMPERATURE) for s in ranked]
        total = sum(weights)
        return [dataclasses.replace(s, confidence=s.match * w / total)
                for s, w in zip(ranked, weights)]

    # -- answering ---------------------------------------------------------
    def answer(self, question: str, now: dt.datetime | None = None) -> AnswerResult:
        index = self._index          # one snapshot: a reload meanwhile must not mix indexes
        ranked = self._score(index, question)
        if not ranked:
            return AnswerResult(question=question, outcome="decline", confidence=0.0)
        best = ranked[0]
        t = self.thresholds
        if best.confidence >= t.answer:
            entry = index.docs[best.doc].entry
            return AnswerResult(
                question=question, outcome="answer", confidence=best.confidence, entry=entry,
                answer_text=time_aware_text(entry, now),
                source_line=entry.source.line(index.forum_labels),
                related=self._related(index, entry))
        if best.match >= t.suggest:
            suggestions = tuple(
                Suggestion(index.docs[s.doc].entry.id, index.docs[s.doc].entry.question,
                           s.confidence)
                for s in ranked[: t.max_suggestions] if s.match >= t.suggest)
            return AnswerResult(question=question, outcome="suggest",
                                confidence=best.confidence, suggestions=suggestions)
        return AnswerResult(question=question, outcome="decline", confidence=best.confidence)

    @staticmethod
    def _related(index: Index, entry: FaqEntry) -> tuple[Suggestion, ...]:
        out = []
        for rid in entry.related:
            pos = index.by_id.get(rid)
            if pos is not None and rid != entry.id:
                out.append(Suggestion(rid, index.docs[pos].entry.question))
        return tuple(out)
