"""Is a message a dated question ("when is the next forum?", "what can I book?")? Pure, no clock.

The router asks ``detect_dated`` before the FAQ engine: the deck's FAQ text was written in March
2025, so a question about what is *next* must be answered from the live catalogues instead.
The detector is deliberately separate from the command intents (book, my bookings...) so the
two can evolve apart: it claims questions, never commands.

Kinds: next_forum, upcoming_deadlines, bookable_events, joining_link, when_is_named.
``names`` are catalogue words (event venues and titles, deadline titles) that make "when is X"
a question about a named item; they come from the catalogues at call time, never from this file.
``event_names`` are the ones that name an event: only an event has a length or a start time, so
"how long is the npq course" (NPQ names a deadline) asks what the course is, not when it closes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from rapidfuzz import fuzz

KINDS = ("next_forum", "upcoming_deadlines", "bookable_events", "joining_link", "when_is_named")

# Words SENCOs use for the termly meeting.
_FORUM = re.compile(r"\b(forums?|fourm|froum|senco meeting|sencos? forum|countywide senco|county wide senco|countywide meeting|termly meeting)\b")
_TEMPORAL = re.compile(
    r"\b(next|upcoming|up coming|coming up|forthcoming|future|when|whens|what date|which date|what day|what time|"
    r"date|dates|dated|what time|schedule|scheduled|planned|diary|calendar|agenda|programme|topics?|"
    r"forum after|this term|next term|soon|book|booking|register|sign up|where is|where's|wheres|where will|"
    r"venue|online|in person|happening|held|what'?s on|whats on|start|starts|on a [a-z]+day)\b")
_DEADLINE = re.compile(
    r"\b(deadlines?|dead lines?|dealines?|closing dates?|cut ?offs?|due dates?|key dates|important dates|"
    r"dates? (?:coming up|to remember|for my diary|i need)|what'?s due|anything due|due soon|due next|"
    r"dates? (?:for|of) (?:funding|tribunal|stls|npq|lift|top ?up)|(?:funding|tribunal|stls|npq|lift|top ?up|"
    r"application|claim)s? dates?|closes?|closing|submission|submit by)\b")
_GENERIC_UPCOMING = re.compile(r"\b(upcoming|coming up|next|soon|any|what|which|list|all|future|approaching|"
                               r"on the horizon|this term|this month|ahead)\b")
_BOOK = re.compile(
    r"\b(book|booking|bookable|sign ?up|signup|register|registration|enrol|enroll|reserve|places?|spaces?|"
    r"spots?|seats?|availability|available|can (?:i|we) attend|can i go|open for|room|full|fully booked|waiting list|waitlist)\b")
_EVENT = re.compile(r"\b(events?|webinars?|training|trainings|sessions?|courses?|induction|inductions|"
                    r"meetings?|workshops?|briefings?|cpd)\b")
_EVENT_LIST = re.compile(r"\b(any|list|upcoming|coming up|on offer|running|scheduled|planned|next|future|"
                         r"(?:what|which) (?:\w+ )?(?:events?|webinars?|training|sessions?|courses?|meetings?|"
                         r"workshops?|briefings?|cpd) (?:are|is|can|could|do|have)|(?:what|which) .* (?:on|available|"
                         r"running|open))\b")
_MINE = re.compile(r"\b(my|i'?ve booked|i booked|i'?m booked|booked|i'?m going|i am going|i'?m attending|"
                   r"i registered|registered for|signed up)\b")
_JOIN = re.compile(r"\b(link|links|url|join|joining|teams meeting|teams link|log ?in|login|dial ?in|access|"
                   r"get into|get on|address|postcode|post code|venue|location|directions|where|parking)\b")
_WHEN = re.compile(r"\b(when|whens|what date|which date|what day|what time|date of|day of|time of|dates? for|"
                   r"how long until|how long till|how many days|is it on|still on|happening)\b")
# Asking for the way in, with or without naming the event ("joining link please", "how do I get on the call").
_JOIN_STRONG = re.compile(r"\b(joining link|join link|link to join|joining details|joining info|joining instructions|"
                          r"teams link|meeting link|webinar link|get on the call|get into the (?:webinar|call|meeting)|"
                          r"join the (?:webinar|call|meeting)|lost the link|the right link|what'?s the link|"
                          r"link (?:on|in) the)\b")
# A week's day asked about an event ("is the QA webinar on a tuesday or wednesday").
_WEEKDAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")
_TERM = re.compile(r"\b(term [1-6]|summer term|spring term|autumn term|half term)\b")
# Things to act on, without the word "deadline".
_TO_ACT = re.compile(r"\b(coming up|due|need to (?:act|submit|do|send|apply)|submit|act on|urgent)\b")
_MY_BOOKINGS = re.compile(r"\b(my bookings?|what have i booked|what am i booked|booked on|booked onto|"
                          r"booked in|my places?|my sessions?|my events?)\b")


@dataclass(frozen=True)
class DatedQuestion:
    kind: str
    name: Optional[str] = None     # the catalogue word matched, for when_is_named


def without_mentions(text: str) -> str:
    """A Teams @mention left in the text ("<at>SENCO Forum Assistant</at>") names the bot, not the forum."""
    text = re.sub(r"<at>.*?</at>", " ", text, flags=re.IGNORECASE | re.DOTALL)
    return re.sub(r"\bsenco forum assistant\b", " ", text, flags=re.IGNORECASE)


def _normalise(text: str) -> str:
    text = without_mentions(text).lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[^a-z0-9'£ ]+", " ", text)
    return " ".join(text.split())


def _named(text: str, names: Iterable[str]) -> Optional[str]:
    """The first catalogue name the message mentions (whole words; a typo of a long word allowed)."""
    words = text.split()
    for name in names:
        target = _normalise(name)
        if not target:
            continue
        if re.search(rf"\b{re.escape(target)}\b", text):
            return name
        if " " not in target and len(target) >= 6:
            if any(len(w) >= 5 and fuzz.ratio(w, target) >= 85 for w in words):
                return name
    return None


def detect_dated(text: str, names: Iterable[str] = (), event_names: Iterable[str] = ()) -> Optional[DatedQuestion]:
    """The kind of dated question ``text`` is, or None when it is not one (the FAQ engine answers it)."""
    t = _normalise(text)
    if not t or re.search(r"\b(when|what|where) (was|were|did)\b", t):
        return None
    # "when emailing", "when I..." is a condition, not a question about a date.
    t = re.sub(r"\bwhen (?=i |we |you |emailing|sending|writing)", "", t)
    names = tuple(names)
    forum = bool(_FORUM.search(t))
    mine = bool(_MINE.search(t))
    join = bool(_JOIN.search(t))
    event = bool(_EVENT.search(t))
    when = bool(_WHEN.search(t))
    deadline = bool(_DEADLINE.search(t))
    book = bool(_BOOK.search(t))
    named = _named(t, names)
    named_event = _named(t, event_names)

    if _JOIN_STRONG.search(t) and not forum:
        return DatedQuestion("joining_link")
    if mine and event and named and not when:
        return DatedQuestion("joining_link")
    # A booked person asking how to get in: the link for an online event, the venue for one in person.
    if join and (mine or (event and not forum and re.search(r"\b(link|url|join|joining|postcode|post code|"
                                                            r"address|where'?s|where is|directions|parking)\b", t))):
        if not re.search(r"\b(forum)\b", t):
            return DatedQuestion("joining_link")
    if forum and deadline and re.search(r"\bdeadlines?\b", t):
        return DatedQuestion("upcoming_deadlines")
    if forum and _TEMPORAL.search(t):
        return DatedQuestion("next_forum")
    if forum and re.search(r"\b(is there|are there|have we|got|will there|going to be)\b", t):
        return DatedQuestion("next_forum")
    if re.search(r"\bnext one\b", t) and _TEMPORAL.search(t):
        return DatedQuestion("next_forum")
    # "have to finish the npq" is about the course; "time" alone or "how long" asks about an event's hours.
    if named and (when or re.search(r"\b(what date|which day|date|dates)\b", t)
                  or re.search(r"(?<!\bto )\b(stop|end|ends|finish|start)\b", t)
                  or (named_event and (re.search(r"\btime\b", t) or (event and "how long" in t)))):
        return DatedQuestion("when_is_named", named)
    if deadline and (_GENERIC_UPCOMING.search(t) or re.search(r"\bdeadlines\b", t)) and not named:
        return DatedQuestion("upcoming_deadlines")
    if book and (event or re.search(r"\b(what|anything|can i)\b", t)) and not mine:
        return DatedQuestion("bookable_events")
    if event and _EVENT_LIST.search(t) and not when and not named:
        return DatedQuestion("bookable_events")
    if deadline and named:
        return DatedQuestion("when_is_named", named)
    if deadline and when:
        return DatedQuestion("upcoming_deadlines")
    if event and _WEEKDAY.search(t):
        return DatedQuestion("when_is_named", named)
    if when and _TERM.search(t):
        return DatedQuestion("when_is_named", _TERM.search(t).group(1))
    if _TO_ACT.search(t) and not event and (_GENERIC_UPCOMING.search(t) or re.search(r"\b(anything|whats|what's)\b", t) or len(t.split()) <= 3):
        return DatedQuestion("upcoming_deadlines")
    if event and when:
        return DatedQuestion("when_is_named", named)
    return None


# Capitalised words in titles that name a kind of thing, not one thing.
_GENERIC_TITLE_WORDS = {
    "community", "communities", "induction", "meeting", "forum", "countywide", "senco", "sencos", "send", "term",
    "webinar", "the", "of", "for", "and", "to", "end", "early", "years", "school", "age", "last", "date", "kcc",
}


def catalogue_names(titles: Iterable[str], venues: Iterable[str] = (), areas: Iterable[str] = ()) -> tuple[str, ...]:
    """Words that name one catalogue item: acronyms and proper-noun runs of titles, venue parts, areas."""
    found: list[str] = []
    for title in titles:
        for compound in re.findall(r"\b[A-Za-z]+-[a-z]+\b", title):
            found.append(compound.replace("-", " "))
        for acronym in re.findall(r"\b[A-Z]{3,}\b", title):
            if acronym.lower() not in _GENERIC_TITLE_WORDS:
                found.append(acronym)
        for run in re.findall(r"\b(?:[A-Z][a-z]+(?:[ -](?:of |and )?)){2,}", title + " "):
            words = re.split(r"[ -]+", run.strip())
            while words and words[0].lower() in _GENERIC_TITLE_WORDS:
                words.pop(0)
            while words and words[-1].lower() in _GENERIC_TITLE_WORDS:
                words.pop()
            if len(words) >= 2:
                found.append(" ".join(words))
    for venue in venues:
        for part in (venue or "").split(","):
            part = part.strip()
            if len(part) >= 4:
                found.append(part)
    found.extend(area for area in areas if area)
    seen: dict[str, str] = {}
    for name in found:
        seen.setdefault(name.lower(), name)
    # Longer names first, so "University of Kent" wins over "Kent".
    return tuple(sorted(seen.values(), key=len, reverse=True))
