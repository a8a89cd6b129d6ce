"""The FAQ answerer: question in, one of answer / suggest / decline out.

Glossary questions ("what does STLS stand for?") are answered from the glossary
(glossary.py). Otherwise candidates come from two retrievers — BM25 over the
analysed words (index.py) and sentence embeddings of every phrasing and answer
(semantic.py, embed.py) — and each candidate gets ~50 features: lexical
coverage, closeness and BM25, embedding similarities, both ranks, agreement,
and the near-miss signals of expectations.py (the question asks for a kind of
fact the answer lacks, a logistics word it never uses…), which are no longer
hand-set penalties. A model trained on blind questions (decision.py,
knowledge/train.py) turns them into the probability that the candidate's answer
holds what was asked; thresholds on that probability pick the outcome.
knowledge/README.md walks through it.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import logging
import math
import threading
import time
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from knowledge.decision import _batch, cap_missing, load_model
from knowledge.embed import Encoder, EncoderUnavailable
from knowledge.examples import Examples, load_examples
from knowledge.glossary import glossary_answer
from knowledge.semantic import SemanticIndex

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

log = logging.getLogger(__name__)

EMBED_CANDIDATES = 12        # the embedding side adds its best this many to BM25's
RRF_K = 10                   # reciprocal-rank fusion constant
EXACT_PHRASING = 0.99        # confidence when the question is one of an entry's phrasings
BARE_TOPIC_MATCH = 0.3       # a one-word question's best own probability that earns suggestions
RELATIVE = ("lexical", "coverage", "a_sim")   # features also given relative to the best candidate
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
    # The model's own, chosen by cross-validation (knowledge/train.py); app.yaml repeats them.
    answer: float = 0.60
    suggest: float = 0.59
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
    features: dict = dataclasses.field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class _State:
    """One index generation: words (BM25) and meaning (embeddings) together."""
    index: Index
    semantic: SemanticIndex | None
    build_seconds: float


def time_aware_text(entry: FaqEntry, now: dt.datetime | None) -> str:
    if entry.date is None or now is None:
        return entry.answer
    if london_today(now) > entry.date.last_day:
        # The entry's own text was written before the date, in the future tense; saying it is what the
        # forum said keeps the two sentences from contradicting each other.
        return (f"{entry.date.label} was {entry.date.when()}; it has passed. "
                f"What the forum said: {entry.answer}")
    return entry.answer


INBOX_SESSION = "Inclusion team answer"


def source_line(entry: FaqEntry, forum_labels: dict[str, str] | None = None) -> str:
    """Who said it. An answer the inclusion team published from the inbox is
    theirs, with its date ("Inclusion team answer, 26 November 2026"), not the
    forum's whose code it carries."""
    if entry.source.session.startswith(INBOX_SESSION) or entry.origin == "inbox":
        return entry.source.session
    return entry.source.line(forum_labels)


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
    entity_terms: frozenset[str] = frozenset()   # glossary terms the question names
    unknown_share: float = 0.0     # share of its words the KB never uses
    corrected_share: float = 0.0   # share of its words repaired as typos

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
                   money_subject, time_subject, counted, lasting,
                   frozenset(t for t in terms if t in analyzer.entities),
                   sum(t not in index.idf for t in terms) / len(terms),
                   sum(bool(t.corrected) for t in tokens) / len(tokens))

    def features(self, doc: IndexedEntry, bm25: float) -> dict[str, float]:
        """The lexical features of one candidate and its near-miss signals.
        The signals are no longer subtracted by hand: the decision model
        (knowledge/decision.py) weighs them, learned from blind questions."""
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
        lexical = W_COVERAGE * coverage + W_CLOSENESS * closeness + W_BM25 * bm25_norm

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
        dated = "time" in self.asked and doc.dated_terms is not None
        entities = [t for t in self.terms if t in self.entity_terms]
        return {
            "coverage": coverage, "closeness": closeness, "bm25": bm25_norm, "lexical": lexical,
            "form_match": float(self.form in doc.forms),
            "miss_fact": float(bool(missing - {"time", "date of another thing"})),
            "miss_time": float("time" in missing),
            "miss_other_date": float("date of another thing" in missing),
            "miss_must": float(bool(self.must - doc.surface)),
            "miss_focus": float(not all(explains(f) for f in self.focus)),
            "miss_defined": float(bool(self.defined)
                                  and not any(self.defined <= set(v.split()) for v in doc.variants)),
            "conflict": float(any(not explains(t) and (f in doc.families or dated)
                                  for t, f in self.specifics)),
            "miss_person": float("person" in missing),
            "miss_count": float("count" in missing),
            "miss_money": float("money" in missing),
            "miss_clock": float("clock" in missing),
            "miss_duration": float("duration" in missing),
            "miss_place": float(bool({"venue", "address"} & missing)),
            "miss_contact": float(bool({"phone", "email", "contact"} & missing)),
            "asks_fact": float(bool(self.asked - {"time"})),
            "asks_time": float("time" in self.asked),
            "glossary_hit": (sum(explains(t) for t in entities) / len(entities)) if entities else 1.0,
            "_missing": missing,
        }


class Answerer:
    def __init__(self, kb: KnowledgeBase, thresholds: Thresholds | None = None,
                 model=None, encoder=None, vector_cache=None, examples: Examples | None = None) -> None:
        """`encoder`: anything with encode(texts, max_tokens) -> unit vectors, or an
        object with `questions` and `entries` encoders (None: the packaged model).
        `vector_cache`: where entry vectors are looked up (default: the
        process's cache, seeded from knowledge/model/vectors.npz).
        `examples`: labelled training questions (default: knowledge/model/examples.npz)."""
        self.thresholds = thresholds or Thresholds()
        self.model = model or load_model()
        self.examples = examples if examples is not None else load_examples()
        self._encoder = encoder
        self._vector_cache = vector_cache
        self._lock = threading.Lock()
        self._state = self._build(kb, None)

    # -- lifecycle ---------------------------------------------------------
    def _build(self, kb: KnowledgeBase, previous: "_State | None") -> "_State":
        started = time.perf_counter()
        index = Index(kb, previous=previous.index if previous else None)
        semantic = None
        try:
            semantic = SemanticIndex(kb.entries, encoder=self._entry_encoder(), cache=self._vector_cache)
        except EncoderUnavailable as exc:
            log.warning("sentence embeddings unavailable, answering on words alone: %s", exc)
        return _State(index, semantic, time.perf_counter() - started)

    def _entry_encoder(self):
        if hasattr(self._encoder, "entries"):
            return self._encoder.entries
        return self._encoder

    def _question_encoder(self):
        enc = self._encoder.questions if hasattr(self._encoder, "questions") else self._encoder
        return enc if enc is not None else Encoder.shared()

    @property
    def _index(self) -> Index:
        return self._state.index

    @property
    def kb(self) -> KnowledgeBase:
        return self._state.index.kb

    @property
    def build_seconds(self) -> float:
        return self._state.build_seconds

    def reload(self, kb: KnowledgeBase) -> None:
        """Swap in a new KB; questions in flight finish on the old index."""
        with self._lock:
            self._state = self._build(kb, self._state)

    def add_entry(self, entry: FaqEntry) -> None:
        """Publish one entry live (replacing one with the same id)."""
        with self._lock:
            self._state = self._build(self._state.index.kb.with_entry(entry), self._state)

    # -- scoring -----------------------------------------------------------
    def score(self, question: str, limit: int = CANDIDATES) -> list[Scored]:
        """All candidates for a question, best first (for answering and tuning)."""
        return self._score(self._state, question, limit)

    def embedding_text(self, question: str) -> str:
        """What the sentence encoder reads for a question (training encodes its questions the same way)."""
        return question[:MAX_QUESTION_CHARS]

    def _score(self, state: "_State", question: str, limit: int = CANDIDATES) -> list[Scored]:
        index, semantic = state.index, state.semantic
        question = question[:MAX_QUESTION_CHARS]
        query = _Query.parse(index, question)
        if query is None:
            return []
        bm25_all = index.scores(query.terms)
        bm25_top = heapq.nlargest(limit, bm25_all.items(), key=lambda kv: (kv[1], -kv[0]))
        bm25_rank = {doc: r for r, (doc, _) in enumerate(bm25_top)}
        docs = set(bm25_rank)
        q_sim = a_sim = None
        emb_rank: dict[int, int] = {}
        example_sims = None
        if semantic is not None and semantic.n:
            qv = self._question_encoder().encode([question])[0]
            if len(self.examples):
                example_sims = self.examples.similarities(qv)
            q_sim, a_sim = semantic.similarities(qv)
            k = min(EMBED_CANDIDATES, semantic.n)
            top = np.argpartition(-q_sim, k - 1)[:k] if k < semantic.n else np.arange(semantic.n)
            top = sorted(top.tolist(), key=lambda d: (-q_sim[d], d))
            emb_rank = {d: r for r, d in enumerate(top)}
            docs.update(top)
            sims = sorted(q_sim[top].tolist(), reverse=True)
            best_sim = sims[0]
            margin = sims[0] - sims[1] if len(sims) > 1 else sims[0]
        else:
            best_sim = margin = 0.0
        bm25_best = bm25_top[0][0] if bm25_top else None
        emb_best = next(iter(emb_rank), None) if emb_rank else None
        agree = float(bm25_best is not None and bm25_best == emb_best)
        n_words = len(query.tokens)
        out = []
        for doc_no in docs:
            f = query.features(index.docs[doc_no], bm25_all.get(doc_no, 0.0))
            missing = f.pop("_missing")
            qs = float(q_sim[doc_no]) if q_sim is not None else 0.0
            br = bm25_rank.get(doc_no)
            er = emb_rank.get(doc_no)
            f.update({
                "q_sim": qs, "a_sim": float(a_sim[doc_no]) if a_sim is not None else 0.0,
                "q_sim_gap": best_sim - qs, "q_sim_margin": margin,
                "bm25_rr": 1.0 / (1 + br) if br is not None else 0.0,
                "emb_rr": 1.0 / (1 + er) if er is not None else 0.0,
                "rrf": RRF_K / (RRF_K + (br if br is not None else limit))
                       + RRF_K / (RRF_K + (er if er is not None else EMBED_CANDIDATES)),
                "top_both": float(br == 0 and er == 0), "agree": agree,
                "unknown_share": query.unknown_share, "corrected_share": query.corrected_share,
                "log_words": math.log(n_words), "one_word": float(n_words == 1),
            })
            f["lex_x_sim"] = f["lexical"] * qs
            f["cov_x_qsim"] = f["coverage"] * max(qs, 0.0)
            out.append((doc_no, f, missing))
        if not out:   # an empty knowledge base, or nothing in it shares a word with the question
            return []
        ids = [index.docs[doc_no].entry.id for doc_no, _, _ in out]
        if example_sims is not None:
            for (_, f, _), knn in zip(out, self.examples.features(example_sims, ids)):
                f.update(knn)
        # How each candidate compares with the best of the others: a pointwise
        # model needs to know whether something else matches better.
        best = {k: max(f[k] for _, f, _ in out) for k in RELATIVE}
        for doc_no, f, missing in out:
            for k in RELATIVE:
                f[k + "_gap"] = best[k] - f[k]
                f["best_" + k] = best[k]
        probabilities = _batch(self.model)([f for _, f, _ in out])
        scored = []
        for (doc_no, f, missing), p in zip(out, probabilities):
            p = cap_missing(p, f)
            # One of the entry's own phrasings, word for word (a one-concept
            # question only with the phrasing's form): that entry is meant.
            if query.plain in index.docs[doc_no].phrasings and (n_words >= 2 or f["form_match"]):
                p = max(p, EXACT_PHRASING)
            scored.append(Scored(doc_no, index.docs[doc_no].entry.id, p, p, f["lexical"], f["coverage"],
                                 f["closeness"], f["bm25"], frozenset(missing), f))
        out = scored
        out.sort(key=lambda s: (-s.confidence, s.doc))
        # "who is the continuum for" is one word and a question form that one
        # entry has exactly: that is not a bare topic.
        if n_words == 1 and len(out) > 1 and query.form not in index.docs[out[0].doc].forms:
            out = self._share_ambiguity(out)
        return out

    @staticmethod
    def _share_ambiguity(ranked: list[Scored]) -> list[Scored]:
        """A one-word question ("npq", "tribunal") names a topic, not a fact:
        when several entries match it about equally, none of them is likely to
        be the one meant, so the confidence is shared among them (a softmax
        over the lexical scores) and the asker gets "Did you mean…?" instead."""
        top = max(s.raw for s in ranked)
        weights = [math.exp((s.raw - top) / AMBIGUITY_TEMPERATURE) for s in ranked]
        total = sum(weights)
        return [dataclasses.replace(s, confidence=s.match * w / total)
                for s, w in zip(ranked, weights)]

    # -- answering ---------------------------------------------------------
    def answer(self, question: str, now: dt.datetime | None = None) -> AnswerResult:
        state = self._state          # one snapshot: a reload meanwhile must not mix indexes
        index = state.index
        glossary = glossary_answer(index.kb, question)
        if glossary is not None:
            return glossary
        ranked = self._score(state, question)
        if not ranked:
            return AnswerResult(question=question, outcome="decline", confidence=0.0)
        best = ranked[0]
        t = self.thresholds
        if best.confidence >= t.answer:
            entry = index.docs[best.doc].entry
            return AnswerResult(
                question=question, outcome="answer", confidence=best.confidence, entry=entry,
                answer_text=time_aware_text(entry, now),
                source_line=source_line(entry, index.forum_labels),
                related=self._related(index, entry))
        # A bare topic ("npq") names no fact: it gets "Did you mean…?" with the
        # topic's entries when one of them matches it well on its own.
        bare = len(question.split()) <= 2 and best.features.get("one_word") and best.match >= BARE_TOPIC_MATCH
        if best.confidence >= t.suggest or bare:
            floor = BARE_TOPIC_MATCH / 2 if bare else t.suggest
            suggestions = tuple(
                Suggestion(index.docs[s.doc].entry.id, index.docs[s.doc].entry.question,
                           s.confidence)
                for s in ranked[: t.max_suggestions] if (s.match if bare else s.confidence) >= floor)
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
