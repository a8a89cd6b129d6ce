"""Questions about what an abbreviation stands for, answered from the glossary.

"what does STLS stand for?", "whats an EHCP", "meaning of CoS", "NPQ is short
for?" name one glossary term (its term or a variant, any case) and ask for its
expansion. When the glossary has one, the answer says it and credits the
glossary's source (the deck, or the SEND Code of Practice 2015). When the deck
uses the term without spelling it out (`expansion: null`: LIFT, KCC, IASK…),
the question is declined: we do not guess. A question that names no glossary
term is left to the FAQ answerer.
"""
from __future__ import annotations

import re

from knowledge.models import AnswerResult, FaqEntry, GlossaryTerm, KnowledgeBase, Source

_ASK = [
    re.compile(r"^(?:so\s+)?what\s+(?:does|do|did)\s+(?:the\s+)?(?:abbreviation\s+|acronym\s+|letters\s+)?"
               r"(?P<t>.+?)\s+(?:stand|stands)\s+for\b"),
    re.compile(r"^(?:so\s+)?what\s+(?:does|do)\s+(?:the\s+)?(?:abbreviation\s+|acronym\s+)?(?P<t>.+?)\s+"
               r"(?:mean|refer to|stand for)\b"),
    re.compile(r"^(?:so\s+)?what(?:\s+is|s|'s)\s+(?:the\s+)?(?P<t>.+?)\s+(?:short|an abbreviation|an acronym)\s+for\b"),
    re.compile(r"^(?:so\s+)?what(?:\s+is|s|'s)\s+(?:the\s+)?(?:meaning|full form|expansion|long form)\s+"
               r"(?:of\s+)?(?:the\s+)?(?:abbreviation\s+|acronym\s+)?(?P<t>.+?)$"),
    re.compile(r"^(?:the\s+)?(?:meaning|full form|expansion)\s+of\s+(?:the\s+)?(?P<t>.+?)$"),
    re.compile(r"^(?P<t>.+?)\s+(?:stands\s+for|is\s+short\s+for|meaning|abbreviation|acronym)$"),
    re.compile(r"^(?:what|wat|wot)(?:\s+is|s|'s|\s+s)\s+(?:an?\s+)(?P<t>[a-z0-9]{2,6})$"),
]
_FILLER = re.compile(r"^(?:hi|hello|hiya|hey|quick question|sorry|please|pls|can you tell me|"
                     r"could you tell me|do you know)[,!.:\s]+")


def _clean(question: str) -> str:
    q = question.strip().lower().replace("\u2019", "'")
    q = re.sub(r"[?!.]+$", "", q).strip()
    while True:
        shorter = _FILLER.sub("", q)
        if shorter == q:
            return q
        q = shorter


def _forms(term: GlossaryTerm) -> list[str]:
    return [f.lower() for f in (term.term, *term.variants) if f]


def asked_term(kb: KnowledgeBase, question: str) -> GlossaryTerm | None:
    q = _clean(question)
    for pattern in _ASK:
        m = pattern.match(q)
        if not m:
            continue
        name = m.group("t").strip(" '\"").removeprefix("a ").removeprefix("an ").strip()
        for term in kb.glossary:
            if name in _forms(term):
                return term
        return None
    return None


def source_of(term: GlossaryTerm) -> Source:
    if term.source == "deck":
        return Source(session="Abbreviations used in the forum's slides")
    return Source(session="Glossary", forum=term.source)


def glossary_answer(kb: KnowledgeBase, question: str) -> AnswerResult | None:
    term = asked_term(kb, question)
    if term is None:
        return None
    if not term.expansion:
        # Named, but the deck never says what it stands for: an honest "don't know".
        return AnswerResult(question=question, outcome="decline", confidence=0.0)
    slug = re.sub(r"[^a-z0-9]+", "-", term.term.lower()).strip("-")
    text = f"{term.term} stands for {term.expansion}."
    entry = FaqEntry(id=f"glossary-{slug}", question=f"What does {term.term} stand for?",
                     answer=text, source=source_of(term), tags=("glossary",))
    return AnswerResult(question=question, outcome="answer", confidence=1.0, entry=entry,
                        answer_text=text, source_line=entry.source.line(kb.forum_labels))
