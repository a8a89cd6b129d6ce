"""What kind of fact a question asks for, and whether an answer contains one.

A retrieval score alone cannot tell "when are the QA webinars?" (answerable)
from "what time do the QA webinars finish?" (the deck never says): both match the
webinar FAQ on every content word. Checking the expected kind of fact against
the answer text catches these near misses generically: phone numbers, e-mail
addresses, amounts of money, durations, venues and dates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from knowledge.text import normalise

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|"
           "november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"

# (kind, pattern on the normalised question)
_ASKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("phone", re.compile(r"\b(phone|telephone|tel|mobile)\b|\bnumber (to|i can) (call|ring)\b"
                         r"|\bcontact number\b|\bwhat number\b")),
    # Contact details of some kind: an e-mail address or a phone number.
    ("contact", re.compile(r"\bhow (do|can|should|could) (i|we) (contact|get hold of|reach|get in touch with)\b"
                           r"|\bcontact details\b")),
    ("email", re.compile(r"\b(e-?mail address|which e-?mail|what e-?mail|who (do|should|can) (i|we) e-?mail"
                         r"|where (do|should|can) (i|we) (send|e-?mail)|e-?mail who|e-?mail (for|of) (the|a|an)"
                         r"|(what|whats|which) is (the|their|his|her) e-?mail)\b")),
    ("money", re.compile(r"\bhow much (money|funding|will|is|are|does|do|should|would|can|per)\b"
                         r"|\bworth\b|\bhow much\b(?! (time|notice|coaching|training))|\b(the|what) price\b"
                         r"|\bwhat (is|are) the (rate|rates|amount|amounts)\b"
                         # "what's the STLS budget", not "what budget pays for STLS"
                         r"|\b(whats|what (is|are|will be|would be)) (the |their |its )?(\w+ ){0,4}"
                         r"(budget|cost|costs|price|fee|fees)\b(?! (pays|funds|comes))"
                         r"|\bwhat (does|do|will|would) .{1,60}\bcost\b|\bcosts? per\b")),
    ("duration", re.compile(r"\bhow long\b.*\b(last|lasts|run for|runs for|take|takes)\b\s*\??$"
                            r"|\bhow many (hours|minutes|mins)\b|\bduration\b"
                            # a span someone is allowed: "how long do parents have to appeal?"
                            r"|\bhow long (do|does|did|will|would|have|has|is|are) (?:(?!that |which |who )[a-z0-9' -]){1,40}? (have|has|got|given)( got)? (to|for|before|until|in which)\b|\bhow long is (each|a|the) (session|webinar|meeting)\b")),
    ("person", re.compile(r"\bwho(s| is| are)( the| our| my| your)?( \w+){0,3} (chair|chairperson|lead|contact|"
                          r"officer|manager|head|adviser|advisor|champion|presenter|person|commissioner|"
                          r"director|coordinator|co-ordinator|link|named|teacher|specialist|worker|"
                          r"caseworker|psychologist|ep|senco|member|judge|clerk|mediator|minister|"
                          r"governor|trustee)s?\b"
                          r"|\bwho(s| is| are| will be) (chairing|leading|heading|managing|presenting)\b"
                          r"|\bwho (will|would|is going to|shall) (chair|lead|head|manage|present|coordinate)\b"
                          r"|\bwho (sits|sit|is|are) on\b|\bwho are the members\b"
                          r"|\bwho (do|should|can|could) (i|we) (contact|speak to|talk to|ring|call|phone)\b"
                          r"|\bwho (chairs|leads|manages|coordinates|co-ordinates|is in charge of)\b"
                          r"|\bname of (the|our|my)\b")),
    # A clock time, not just a day: "what time does the forum start?"
    ("clock", re.compile(r"\bwhat time(s)?\b(?! (of year|frame|scale|line))"
                         r"|\b(start|starting|finish|finishing|end|ending) times?\b|\bhow early\b")),
    # A number of things: "how many schools are in each community?"
    ("count", re.compile(r"\bhow many\b|\bnumber of (people|schools|places|pupils|children|staff)\b")),
    ("time", re.compile(r"^(when|whens|what date|which date|what time|what day)\b"
                        r"|\b(when|what date|what time) (is|are|was|were|do|does|did|will|can|should|must)\b")),
    ("address", re.compile(r"(?<!e-mail )(?<!email )\b(postal address|postcode|post code|address (of|for))\b")),
    ("venue", re.compile(r"\b(where|wheres)\b.*\b(held|hosted|taking place|take place|located|venue)\b"
                         r"|\bvenue\b|\bin person or online\b|\bonline or in person\b")),
)

_PHONE = re.compile(r"\b0\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_MONEY = re.compile(r"£\s?\d|\b\d+(\.\d+)?\s?(k|pounds)\b|\bfully funded\b|\bfree\b|\bno cost\b",
                    re.IGNORECASE)
_DURATION = re.compile(r"\b\d+(\.\d+)?\s*(-|to)?\s*\d*\s*(minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b"
                       r"|\b(an?|one|two|three|four|half an?) (hour|day|morning|afternoon)\b"
                       r"|\b\d{1,2}([.:]\d{2})?\s*(am|pm)?\s*(-|to|until)\s*\d{1,2}([.:]\d{2})?\s*(am|pm)\b",
                       re.IGNORECASE)
# "4 weeks prior to the hearing" says when, not how long something lasts.
_OFFSET_AFTER = re.compile(r"\s*(\(|,)?\s*(approx\.?|approximately|about|around)?\s*"
                           r"(before|prior|after|ahead|beforehand|earlier|later|from)\b", re.IGNORECASE)


def _has_length(answer: str) -> bool:
    return any(not _OFFSET_AFTER.match(answer, m.end()) for m in _DURATION.finditer(answer))


_TIME = re.compile(rf"\b({_MONTHS}|{_DAYS})\b|\b(19|20)\d\d\b|\bterms? \d|\bt\d\b|\d\s*(am|pm)\b"
                   r"|\b\d{1,2}[.:]\d{2}\b|\b(weeks?|months?|days?|years?|annual(ly)?|termly|daily|weekly)\b"
                   r"|\b(now|soon|until|from|after|before|prior|once|already|currently|tbc|tbd)\b",
                   re.IGNORECASE)
_HONORIFIC = re.compile(r"\b(Dr|Mrs|Mr|Ms|Miss)\.? [A-Z][a-z]+")
_POSTAL = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b|\b\d+ [A-Z][a-z]+ (Road|Street|Lane|Avenue|Way)\b")
_NOT_A_PLACE = re.compile(rf"^({_MONTHS}|{_DAYS}|term|the|a|an)$", re.IGNORECASE)
_PLACE_WORDS = re.compile(r"\b(online|in person|face[- ]to[- ]face|via teams|on teams|microsoft teams|venue|"
                          r"hotel|park|inn|university|centre|center|hall|room|library|campus)\b",
                          re.IGNORECASE)
_AT_PLACE = re.compile(r"\b(?:at|in)\s+([A-Z][a-zA-Z]+)")


def asked_kinds(question: str) -> frozenset[str]:
    text = normalise(question)
    return frozenset(kind for kind, pattern in _ASKS if pattern.search(text))


def _has_place(answer: str) -> bool:
    if _PLACE_WORDS.search(answer):
        return True
    return any(not _NOT_A_PLACE.match(m.group(1)) for m in _AT_PLACE.finditer(answer))


def _has_person(answer: str, people: frozenset[str]) -> bool:
    if _EMAIL.search(answer) or _PHONE.search(answer) or _HONORIFIC.search(answer):
        return True
    low = answer.lower()
    return any(name in low for name in people)


_CLOCK = re.compile(r"\b\d{1,2}([.:]\d{2})?\s*(am|pm)\b|\b\d{1,2}[.:]\d{2}\b|\b(noon|midday)\b",
                    re.IGNORECASE)
# Numbers that are not counts of anything: dates, years, clock times, money,
# phone numbers and numbered things ("Term 5", "section 41", "Year 6").
_NOT_A_COUNT = (
    _EMAIL, _PHONE, _CLOCK,
    re.compile(rf"\b\d{{1,2}}(st|nd|rd|th)? ({_MONTHS})\b|\b({_MONTHS}) \d{{1,2}}\b", re.IGNORECASE),
    re.compile(r"\b(19|20)\d\d(-\d\d)?\b|'\d\d\b", re.IGNORECASE),
    re.compile(r"£\s?\d[\d,.]*k?", re.IGNORECASE),
    re.compile(r"\b(terms?|t|years?|sections?|app|element|item|ks|key stage)\s?\d+(\.\d+)?"
               r"((\s?(,|&|and|-|to)\s?)\d+(\.\d+)?)*\b", re.IGNORECASE),
)
_COUNT = re.compile(r"\b\d+\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                    r"dozen|twenty|thirty|forty|fifty|hundred|hundreds|none)\b", re.IGNORECASE)


_ANY_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                         r"dozen|twenty|thirty|forty|fifty|hundred|hundreds|none)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _CountSite:
    clause: int                 # which clause of the answer
    after: tuple[str, ...]      # the words that follow the count
    labels_item: bool           # followed by a capitalised word: "7 NPQ for SENCOs"
    ends_short_clause: bool     # "There can be two."


@lru_cache(maxsize=1024)
def _count_sites(answer: str) -> tuple[_CountSite, ...]:
    """Every count in the answer, once per answer (kinds and counted words
    both need them while the index is built)."""
    if not _ANY_NUMBER.search(answer):
        return ()
    for pattern in _NOT_A_COUNT:     # blanked, not removed: clause ends stay
        answer = pattern.sub(lambda m: "." if m.group().endswith(".") else " ", answer)
    sites = []
    for n, clause in enumerate(clauses(answer)):
        words = _WORD.findall(clause)
        for i, word in enumerate(words):
            if _COUNT.fullmatch(word):
                sites.append(_CountSite(n, tuple(words[i + 1:i + 4]),
                                        i + 1 < len(words) and words[i + 1][:1].isupper(),
                                        len(words) <= 6 and i == len(words) - 1))
    return tuple(sites)


def _has_count(answer: str) -> bool:
    return bool(_count_sites(answer))


_PRESENT = {
    "contact": lambda a: bool(_EMAIL.search(a) or _PHONE.search(a)),
    "clock": lambda a: bool(_CLOCK.search(a)),
    "count": _has_count,
    "phone": lambda a: bool(_PHONE.search(a)),
    "email": lambda a: bool(_EMAIL.search(a)),
    "money": lambda a: bool(_MONEY.search(a)),
    "duration": lambda a: bool(_DURATION.search(a)),
    "venue": _has_place,
    "address": lambda a: bool(_POSTAL.search(a)),
    "time": lambda a: bool(_TIME.search(a)),
}


def answer_kinds(answer: str, people: frozenset[str] = frozenset()) -> frozenset[str]:
    """Kinds of fact the answer offers; `people` are lower-case names known to
    the KB (the presenters), since a name is the usual answer to "who is..."."""
    kinds = {kind for kind, present in _PRESENT.items() if present(answer)}
    if "duration" in kinds and _has_length(answer):     # a length is a kind of duration
        kinds.add("length")
    if _has_person(answer, people):
        kinds.add("person")
    return frozenset(kinds)


# Clause ends: sentence punctuation and semicolons, but not the dot in "9.30".
_CLAUSE_END = re.compile(r"(?<!\d)[.;!?](?!\d)|[.;!?](?=\s|$)|\n")


def clauses(answer: str) -> list[str]:
    return list(_clauses(answer))


@lru_cache(maxsize=1024)
def _clauses(answer: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in _CLAUSE_END.split(answer) if c.strip())


def money_clauses(answer: str) -> list[str]:
    """The clauses that state an amount: for "how much is the STLS budget?"
    the amount must be said about STLS, not about top-up claims elsewhere in
    the same answer."""
    return [c for c in clauses(answer) if _MONEY.search(c)]


# A stated date or clock time (not "annually" or "soon"), for finding the
# clauses that say when something happens.
_DATED = re.compile(rf"\b({_MONTHS}|{_DAYS})\b|\b(19|20)\d\d\b|\bterms? \d|\d\s*(am|pm)\b", re.IGNORECASE)


def dated_clauses(answer: str) -> list[str]:
    """The clauses that give a date: for "when does the annual review have to
    happen?" the webinar dates in an entry about annual-review training are
    dates of something else."""
    return [c for c in clauses(answer) if _DATED.search(c)]


TIME_ASK_WORDS = "date dates day days time times"
MONEY_ASK_WORDS = ("how much money cost costs price prices fee fees budget budgets funding "
                   "fund funded charge charges worth amount amounts rate rates pay paid spend")

_COUNTED_NOUN = re.compile(r"\bhow many (?:of (?:the|our|your|their) )?([a-z][a-z0-9-]*)"
                           r"|\bnumber of ([a-z][a-z0-9-]*)")
# "How many people..." counts whoever the answer names ("496 respondents").
_GENERIC_COUNTED = frozenset("people persons folk times ways more".split())
DIRECT_COUNT = "#"
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


def counted_noun(question: str) -> str | None:
    """What "how many X" counts: X, unless it is a word that fits any count."""
    m = _COUNTED_NOUN.search(normalise(question))
    if not m:
        return None
    noun = m.group(1) or m.group(2)
    return None if noun in _GENERIC_COUNTED else noun


def counted_words(answer: str) -> list[str]:
    """The words just after each count in the answer ("496 respondents",
    "20 mediation meetings"), so "how many schools…" is not answered by a
    count of minutes. A short first clause ending in its count ("There can be
    two.") answers whatever was asked: it is marked with DIRECT_COUNT."""
    out: list[str] = []
    for site in _count_sites(answer):
        if site.labels_item:      # an agenda's item number counts nothing
            continue
        out.extend(site.after)
        if site.clause == 0 and site.ends_short_clause:
            out.append(DIRECT_COUNT)
    return out


_DURATION_OF = re.compile(r"\bhow long (?:does|do|did|will|would|is|are|was|were|should|can) "
                          r"(?:the |a |an |each |our |my |your |this |that )?(?P<x>[a-z0-9' -]+?) "
                          r"(?:last|lasts|take|takes|run|runs|go on|going to last|going to take)\b")


def duration_subject(question: str) -> str | None:
    """For "how long does a tribunal hearing last?" the thing whose length is
    asked ("tribunal hearing"): a duration in an answer that never mentions
    hearings (the forum agenda's "Tribunal (15 mins)") is not its length."""
    m = _DURATION_OF.search(normalise(question))
    return m.group("x") if m else None


_EXISTENTIAL = re.compile(r"\b(is there|are there|will there be|do you have|do they have|do they provide)"
                          r"\s+(?:a |an |any |some )?(.+)$")


def existential_focus(question: str) -> str | None:
    """For "is there parking at…?" the text after "is there": its first content
    word is what the asker wants to exist, so the answer must mention it."""
    m = _EXISTENTIAL.search(normalise(question))
    return m.group(2) if m else None


_HAS_OBJECT = re.compile(r"^(?:does|do|will|would|is|are|can|could) (?:the |a |an |this |that |our |your )?"
                         r"[a-z0-9' -]{1,40}? (?:have|has|offer|offers|provide|provides|include|includes|"
                         r"come with|get) (?!to )(?:a |an |any |some |their own |its own |own )?(?P<y>.+)$")
_POLAR_SUBJECT = re.compile(r"^(?:can|could|may|must|should|do|does|will|would|is|are) "
                            r"(?:the |a |an |any |all |our |my |their )?(?P<s>[a-z0-9][a-z0-9' -]*)$")


def polar_foci(question: str, stopwords: frozenset[str]) -> tuple[str, ...]:
    """For a yes/no question, the texts whose first content word the entry
    must mention: its subject ("can *parents* attend the induction?") and what
    it asks to exist ("will the continuum have a *helpline*?"). An entry
    about the induction that never mentions parents does not answer whether
    parents may come. A pronoun subject ("can we…") says nothing."""
    text = normalise(question).strip().rstrip("?").strip()
    out = []
    m = _POLAR_SUBJECT.match(text)
    if m and m.group("s").split()[0] not in stopwords:
        out.append(m.group("s"))     # its first content token is the subject ("early years")
    m = _HAS_OBJECT.match(text)
    if m:      # "a parent helpline": each word of a short noun phrase
        out.extend(m.group("y").split()[:OBJECT_WORDS])
    return tuple(out)


OBJECT_WORDS = 2
_PASSIVE_HOW = re.compile(r"^how (?:are|is|were|was|will|would) (?:the |a |an )?[a-z0-9' -]+? (?:be )?"
                          r"(?P<v>[a-z]+(?:ed|en|wn)|paid|made|set|run|held|kept|done|sent|led|met|"
                          r"found|picked)(?: out| up)?$")


def procedure_verb(question: str) -> str | None:
    """For "how are the community chairs chosen?" the verb: an entry about the
    chairs that never says how anyone is chosen does not answer it."""
    m = _PASSIVE_HOW.match(normalise(question).strip().rstrip("?").strip())
    return m.group("v") if m else None


_CONDITION = re.compile(r"\b(?:what happens|what will happen|what would happen|what if|what do (?:i|we) do)"
                        r"\b.*?\bif (?P<c>.+)$|^what if (?P<d>.+)$")
CONDITION_WORDS = 4


def condition_words(question: str) -> tuple[str, ...]:
    """For "what happens if a parent misses the deadline?" the condition's
    words: an entry that never mentions missing anything states the deadline,
    not what follows from missing it."""
    m = _CONDITION.search(normalise(question).strip().rstrip("?"))
    if not m:
        return ()
    return tuple((m.group("c") or m.group("d")).split()[:CONDITION_WORDS])


# Event logistics and similar details the forum never covers. A question about
# one of these is only answerable by an entry that uses the word itself:
# "is there parking at the Inn on the Lake?" must not be answered with the
# venue's date just because everything else matches.
MUST_EXPLAIN = frozenset("""
parking lunch lunches refreshments refreshment catering food drinks coffee tea biscuits
recorded recording recordings record slides handouts dress wifi wheelchair accessible
accessibility childcare travel mileage expenses reimbursed reimbursement directions
certificate certificates
""".split())


_DEFINITION = re.compile(r"^(?:whats|what (?:is|are)) (?:a |an |the )?(?P<x>[a-z0-9' -]+?)\s*\??$"
                         r"|^what (?:does|do) (?P<y>[a-z0-9' -]+?) (?:stand for|mean)\s*\??$")
# "What is X about?" asks what X covers: X may be longer ("the dispute
# resolution policy for communities of schools").
_ABOUT = re.compile(r"^(?:whats|what (?:is|are)) (?:a |an |the )?(?P<x>[a-z0-9' -]+?) (?:all )?about\s*\??$"
                    r"|^what (?:does|do|will) (?:a |an |the )?(?P<y>[a-z0-9' -]+?) (?:involve|cover|entail|do)\s*\??$")
_RELATION_WORDS = frozenset("for of at in on to from about with by".split())


def defined_term(question: str) -> str | None:
    """For "what is PINS?" the thing to be defined. An entry only answers that
    if the thing is its subject (one of its phrasings), not a passing mention
    in its answer or keywords. Longer "what is the X for Y" questions are not
    definitions, but "what is X about?" is one however long X is."""
    text = normalise(question).strip()
    m = _ABOUT.search(text)
    if m:
        term = (m.group("x") or m.group("y") or "").strip()
        return term if 0 < len(term.split()) <= 8 else None
    m = _DEFINITION.search(text)
    if not m:
        return None
    term = (m.group("x") or m.group("y") or "").strip()
    words = term.split()
    if not words or len(words) > 6 or _RELATION_WORDS.intersection(words):
        return None
    return term
