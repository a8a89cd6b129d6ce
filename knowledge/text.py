"""Text analysis shared by indexing and querying.

One pipeline turns any text into canonical content tokens:
normalise -> split -> (optional typo repair) -> stem -> glossary/synonym
phrases collapsed to one concept token -> stopwords dropped.
Index and query go through the same pipeline, so "education, health and care
plan", "EHC plans" and "EHCPs" all become the one concept token "~ehcp".
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from knowledge.models import GlossaryTerm

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                         "\u2013": "-", "\u2014": "-", "\u00a3": " "})
_TOKEN = re.compile(r"[a-z0-9]+")
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_TERM_SHORT = re.compile(r"\bt([1-6])\b")          # "T4" is how the deck writes "Term 4"
_CONTRACTION = re.compile(r"(\w)'(s|re|ve|ll|d|m|t)\b")
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11",
    "twelve": "12", "eighteen": "18", "twenty": "20", "thirty": "30",
}

# Function words, question words and chat filler: they say nothing about which
# FAQ is meant. Kept deliberately free of domain words.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can cant could did didnt do does doesnt doing dont down
during each few for from further had has have having he her here hers him his how i if in
into is isnt it its itself just me more most my myself no nor not now of off on once only or
other our ours ourselves out over own same she should shouldnt so some such than that thats
the their theirs them themselves then there theres these they this those through to too
under until up very was wasnt we were what whats when whens where wheres which while who
whos whom why will with wont would wouldnt you your yours yourself yourselves
us let lets im ive youre weve theyre hes shes id youd ill re ve ll d m s t
please pls plz thanks thank cheers hi hello hey hiya ok okay yes yeah
r u ur wat wot sorry apologies bother wondering wondered wonder quick whatever exactly since says
actually basically honestly really surely quite still currently anyway
get gets got getting go goes going gone need needs needed want wants wanted know
tell say said like mean means something anything thing things someone anyone
much many whether either else ever sort kind bit lot lots
happen happens happened happening somebody anybody particular main stuff
moment helpful useful great brilliant perfect lovely wonderful amazing appreciated forward
around across along within without towards upon onto via per etc maybe perhaps probably
take takes taking took taken make makes making made
roughly approximately approx already far
""".split())


def normalise(text: str) -> str:
    """Lower-case ASCII-ish text with ordinals, 'T4' and number words made regular."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    text = _CONTRACTION.sub(r"\1\2", text)   # what's -> whats, don't -> dont
    text = text.replace("&", " and ")
    text = _ORDINAL.sub(r"\1", text)
    text = _TERM_SHORT.sub(r"term \1", text)
    return text


def split(text: str) -> list[str]:
    return [_NUMBER_WORDS.get(t, t) for t in _TOKEN.findall(normalise(text))]


# Written as they look after "y"->"i" and a dropped final "e" (see stem()).
_DERIVATIONAL = ("abiliti", "ibiliti", "isation", "ization", "ational", "ivenes",
                 "fulnes", "ousnes", "ation", "ment", "ness", "iti", "ativ", "ator",
                 "ion", "at", "iv", "abl", "ibl", "ful", "ous", "anc", "enc", "ant",
                 "ent", "ism", "ist", "al", "er", "li")
_VOWELS = set("aeiouy")
# Short remainders make false friends ("appeal" -> "app", "parent" -> "par" like "carer" -> "car").
_MIN_REST_DEFAULT = 4
_MIN_REST = {"li": 4, "al": 5}


def _has_vowel(s: str) -> bool:
    return any(c in _VOWELS for c in s)


def _drop_final_e(t: str) -> str:
    while t.endswith("e") and len(t) > 3:
        t = t[:-1]
    return t


# Stems that would land on another common word: "headings" are sections of a
# document, not the head teacher.
_STEM_EXCEPTIONS = {"heading": "heading", "headings": "heading"}


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """A small, predictable suffix stripper (Porter-flavoured, far simpler).

    It only has to send a word and its inflections/derivations to the same key
    ("suitable"/"suitability", "placed"/"placement"); stems are never shown."""
    if len(token) <= 3 or not token.isalpha():
        return token
    if token in _STEM_EXCEPTIONS:
        return _STEM_EXCEPTIONS[token]
    t = token
    if t.endswith("sses"):
        t = t[:-2]
    elif t.endswith("ies") and len(t) > 4:
        t = t[:-3] + "i"
    elif t.endswith("s") and not t.endswith(("ss", "us", "is")):
        t = t[:-1]
    for suffix in ("ingly", "edly", "ing", "ed"):
        if t.endswith(suffix) and len(t) - len(suffix) >= 3 and _has_vowel(t[: -len(suffix)]):
            t = t[: -len(suffix)]
            break
    if t.endswith("y") and len(t) > 3:
        t = t[:-1] + "i"
    t = _drop_final_e(t)
    for _ in range(3):   # "nationally" -> "national" -> "nation" -> "nat" == "national"
        for suffix in _DERIVATIONAL:
            rest = len(t) - len(suffix)
            if t.endswith(suffix) and rest >= _MIN_REST.get(suffix, _MIN_REST_DEFAULT) \
                    and _has_vowel(t[:rest]):
                t = _drop_final_e(t[:rest])
                break
        else:
            break
    if len(t) > 4 and t[-1] == t[-2] and t[-1] not in _VOWELS:
        t = t[:-1]
    return t


_FAMILIES = {
    "term": [f"term {n}" for n in range(1, 7)],
    "month": "january february march april may june july august september october november "
             "december".split(),
    "weekday": "monday tuesday wednesday thursday friday saturday sunday".split(),
}


def family_of(token: str, families: dict[str, str]) -> str | None:
    if token in families:
        return families[token]
    if len(token) == 4 and token.isdigit() and token[:2] in ("19", "20"):
        return "year"
    return None


# Words after which a lower-case "send" is the verb, not the acronym SEND.
_BEFORE_VERB_SEND = frozenset("i we you they to please do should can will would and then who".split())


_PARTICLES = frozenset("up out in on off over".split())


def _join_compounds(words: list[str], vocabulary: frozenset[str]) -> list[str]:
    """"county wide" -> "countywide" when only the joined form is known."""
    out: list[str] = []
    i = 0
    while i < len(words):
        if i + 1 < len(words):
            a, b = words[i], words[i + 1]
            joined = a + b
            # Not when both halves are known words: "can i ask" must not become IASK.
            if joined in vocabulary and a.isalpha() and b.isalpha() and (
                    a not in vocabulary or b not in vocabulary
                    or (b in _PARTICLES and a not in STOPWORDS)):
                out.append(joined)
                i += 2
                continue
        out.append(words[i])
        i += 1
    return out


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[tuple[str, ...], tuple[str, ...]] = {}

    def find(self, x: tuple[str, ...]) -> tuple[str, ...]:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: tuple[str, ...], b: tuple[str, ...]) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra

    def classes(self) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
        out: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for x in list(self.parent):
            out.setdefault(self.find(x), []).append(x)
        return out


@dataclass(frozen=True)
class Token:
    text: str            # canonical token (stem or concept)
    corrected: bool = False   # came from a typo repair


Corrector = Callable[[str], "str | None"]


class Analyzer:
    """The tokenising pipeline configured with the glossary and synonym groups."""

    def __init__(self, glossary: Sequence[GlossaryTerm] = (),
                 synonyms: Sequence[Sequence[str]] = (), names: Iterable[str] = ()) -> None:
        # Acronyms are not English words: "STLS" must not lose its "s" and
        # "SENDIST" must not be cut down to "send".
        self.protected = frozenset(
            w for g in glossary for f in (g.term, *g.variants)
            if len(split(f)) == 1 for w in split(f))
        uf = _UnionFind()
        glossary_keys = []
        for term in glossary:
            forms = [term.term, *term.variants] + ([term.expansion] if term.expansion else [])
            keys = [k for k in (self._key(f) for f in forms) if k]
            glossary_keys.extend(keys[:1])
            for k in keys:
                uf.union(keys[0], k)
        for group in synonyms:
            keys = [k for k in (self._key(w) for w in group) if k]
            for k in keys[1:]:
                uf.union(keys[0], k)
        # People's full names stay whole: "Siobhan Price" is not a price.
        name_keys = []
        for name in names:
            key = self._key(name)
            if len(key) > 1 and key not in uf.parent:
                uf.find(key)
                name_keys.append(key)
        self._phrases: dict[tuple[str, ...], str] = {}
        for members in uf.classes().values():
            canonical = self._canonical(members)
            for m in members:
                self._phrases[m] = canonical
        # Phrase lengths worth trying at a position, keyed by the first stem.
        lengths: dict[str, set[int]] = {}
        for key in self._phrases:
            lengths.setdefault(key[0], set()).add(len(key))
        self._lengths = {k: sorted(v, reverse=True) for k, v in lengths.items()}
        self.concepts = frozenset(self._phrases.values())
        # Named things (programmes, bodies, documents): a question naming one is
        # about it, so leaving it unexplained weighs more.
        self.entities = frozenset(self._phrases[k] for k in glossary_keys)
        # Which "specific" family a token belongs to, so that a question about
        # Term 6 or May is not answered with Term 5 or April.
        self.families: dict[str, str] = {}
        for family, words in _FAMILIES.items():
            for word in words:
                tokens = self.terms(word)
                if len(tokens) == 1:      # "term 3" only when it is one concept
                    self.families.setdefault(tokens[0], family)
        self.name_concepts = frozenset(self._phrases[k] for k in name_keys)

    def _stem(self, word: str) -> str:
        return word if word in self.protected else stem(word)

    def _key(self, text: str) -> tuple[str, ...]:
        return tuple(self._stem(t) for t in split(text))

    @staticmethod
    def _canonical(members: list[tuple[str, ...]]) -> str:
        # "~" cannot come out of split(), so a concept never collides with the
        # stem of an ordinary word ("carer" -> "car" vs "car park").
        singles = sorted((m for m in members if len(m) == 1), key=lambda m: (len(m[0]), m[0]))
        if singles:
            return "~" + singles[0][0]
        return "~" + "_".join(min(members, key=lambda m: (len(m), m)))

    def surface(self, text: str) -> list[str]:
        """Raw words as a user would type them (for the typo vocabulary)."""
        return split(text)

    def tokens(self, text: str, correct: Corrector | None = None,
               vocabulary: frozenset[str] | None = None) -> list[Token]:
        return self.tokens_of(split(text), correct, vocabulary)

    def tokens_of(self, raw: list[str], correct: Corrector | None = None,
                  vocabulary: frozenset[str] | None = None) -> list[Token]:
        """tokens() for text already split(), so indexing splits only once."""
        if vocabulary:
            raw = _join_compounds(raw, vocabulary)
        repaired: list[tuple[str, bool]] = []
        for pos, word in enumerate(raw):
            if word == "send" and pos > 0 and raw[pos - 1] in _BEFORE_VERB_SEND:
                repaired.append(("", False))   # "where do I send..." is not SEND
                continue
            fixed = None
            if correct is not None and word not in STOPWORDS:
                fixed = correct(word)
            repaired.append((fixed, True) if fixed and fixed != word else (word, False))
        stems = [(self._stem(w), c) for w, c in repaired]
        out: list[Token] = []
        i = 0
        while i < len(stems):
            match = None
            for n in self._lengths.get(stems[i][0], ()):
                if n > len(stems) - i:
                    continue
                if n == 1 and repaired[i][0] in STOPWORDS:
                    break        # "helpful" is filler even though "help" is a concept
                key = tuple(s for s, _ in stems[i:i + n])
                concept = self._phrases.get(key)
                if concept is not None:
                    match = (concept, n)
                    break
            if match:
                concept, n = match
                out.append(Token(concept, any(c for _, c in stems[i:i + n])))
                i += n
                continue
            word, corrected = repaired[i]
            if word and word not in STOPWORDS:
                out.append(Token(stems[i][0], corrected))
            i += 1
        return out

    def terms(self, text: str) -> list[str]:
        return [t.text for t in self.tokens(text)]


_OPENERS = {"whats": "what", "whos": "who", "whens": "when", "wheres": "where", "hows": "how"}


def opener(words: Sequence[str]) -> str | None:
    """The question form: "what", "who", "how long"... (None for statements)."""
    if not words:
        return None
    first = _OPENERS.get(words[0], words[0])
    if first not in ("what", "who", "when", "where", "which", "why", "how"):
        return None
    if first == "how" and len(words) > 1:
        return f"how {words[1]}"
    return first
