"""Remove children's and families' personal data from free text.

Every channel (Teams, email, console, the FAQ collation inbox) passes message
text through one `Redactor` before anything is stored or forwarded, so that the
rules live in one place.  The design is span based: each detector proposes
(start, end, tag) spans over the original text, the spans are resolved by
priority so that overlapping detectors never fight, and the text is rebuilt
once.  Contacts that the knowledge base publishes (officers' emails, phone
numbers and names) are "keep" spans that block every detector.

Pure Python on purpose: no botbuilder, no I/O, no logging of message text.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator

from bot.privacy.names import _FORUM_POSSESSION_RE, NameFinder, places

__all__ = ["Redactor", "redact_lines", "DECK_CONTACTS", "TAGS"]

TAGS = (
    "email",
    "phone",
    "postcode",
    "address",
    "dob",
    "pupil-id",
    "uln",
    "nhs-number",
    "name",
    "date",
)

# Every email address, phone number and person named in the Term 4 2025 deck
# (/work/shared/sources/senco-forum-term4-2025.txt).  They are published
# contacts, so a SENCO quoting them back must not see them blanked out.
DECK_CONTACTS: dict[str, tuple[str, ...]] = {
    "emails": (
        "Clara.Green@kent.gov.uk",
        "Emily.bambridge@kent.gov.uk",
        "inclusion@joylane.kent.sch.uk",
        "inclusion@kent.gov.uk",
        "SENDandInclusion@theeducationpeople.org",
    ),
    "phones": (
        "03000 410816",  # Clara Green, SEND QA and Practice Development
        "01227 261430",  # Joy Lane Primary School (template example)
    ),
    "names": (
        "Ruth Gately",
        "Clara Green",
        "Dr Alison Ekins",
        "Alison Ekins",
        "Annamarie Godden",
        "Georgette Williams",
        "Samantha Sheppard",
        "Siobhan Price",
        "Emily Bambridge",  # only as an email address in the deck
        "Marion Steff",  # SEND governor on the deck's template report
    ),
    # Schools and venues the deck names whose words are also given names ("Joy", "Discovery"): kept
    # as a whole wherever they appear ("Joy Lane's SEN Information Report").
    "places": (
        "Joy Lane",
        "Discovery Park",
    ),
}

_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Master", "Prof")

# ---------------------------------------------------------------- helpers

_MONTHS = (
    "January February March April May June July August September October "
    "November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
).split()
_WEEKDAYS = (
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    "Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun"
).split()
# Places and venues from the deck plus Kent districts a SENCO is likely to
# mention; a capitalised place after "pupil"/"mum" is not a person.
_PLACES = (
    "Kent Maidstone Canterbury Sandwich Shorne Croydon Ashford Dover Thanet "
    "Tonbridge Swale Dartford Gravesend Gravesham Sevenoaks Folkestone Hythe "
    "Margate Ramsgate Broadstairs Whitstable Herne Faversham Sittingbourne "
    "Sheppey Tunbridge Wells Medway Deal Rochester Chatham Gillingham London "
    "England Discovery Park Inn Lake Mercure Great Danes Hotel University"
).split()
# Capitalised words that follow a cue noun without being anyone's name
# ("Pupil Premium", "child Protection", "mum EAL" ...).
_NOT_NAMES = set(
    """
    I I'm I've I'd I'll A An The This That These Those There Their They They're
    He He's She She's We We're You You're It It's His Her Hers Him Them Our Us
    My Mine Your Yours Its Who What When Where Why How Which Whose Whom
    Can Could Would Should Will Shall May Might Must Do Does Did Done Is Are
    Was Were Be Been Being Has Have Had Not No Yes Please Thanks Thank Hi Hello
    Dear And Or But If So As At In On Of To For From With Without By About
    After Before Since Until Also Just Only Still Then Than Now Today Tomorrow
    Yesterday Any Some All Every Each Both Either Neither Another Other Others
    Year Years Yr Term Terms Reception Nursery Key Stage Class Group Set
    Premium Plus Voice Passport Profile Plan Plans Progress Referral Support
    Protection Services Service Centred Led Friendly Mental Health Record
    Tracker Survey Council Parliament Forum Information Outcomes Development
    Carer Carers Parent Parents Governor Governors Champion Assessment Review
    Reviews Annual Team Teams Meeting Contact Contacts Liaison Partnership
    School Schools Academy Primary Secondary Special Mainstream Grammar Infant
    Junior College Trust Local Authority County Borough Department Education
    Children Child Pupil Pupils Student Students Learner Learners Young Person
    People Family Families Mum Dad Mother Father Brother Sister Sibling Siblings
    Twin Twins Son Daughter Grandparent Gran Nan Aunt Uncle Cousin Guardian
    Head Headteacher Teacher Teachers Deputy Assistant Officer Manager Adviser
    Advisor Director Commissioner Chair Chairs Inclusion SEND SEN SENCO SENCo
    Autism Autistic Dyslexia Dyslexic English Maths Math Science History
    Polish Romanian Nepali Turkish Ukrainian Arabic Bengali Urdu Punjabi
    Lithuanian Portuguese Spanish French German Italian Russian Chinese
    Hindi Somali Kurdish Albanian Bulgarian Hungarian Slovak Czech Latvian
    Christmas Easter Summer Autumn Spring Winter Half Holiday Holidays
    Evening Evenings Morning Afternoon Night Day Days Week Weeks Event Events
    Consultation Consultations Coffee Workshop Workshops Session Sessions
    Section Sections Appendix Part Question Questions Answer Subject Re Fwd
    New Next Last First Second Third Fourth Fifth Sixth Seventh Eighth
    Mr Mrs Ms Miss Mx Dr Master Prof Sir Madam St Saint Rev Revd Pastor Imam Rabbi Canon Reverend
    Tel Mob Mobile Fax Ext Ref Attn FAO Cc Bcc Subject Sent Date Email Phone Address Postcode
    """.split()
)
_NOT_NAMES.update(_MONTHS, _WEEKDAYS, _PLACES)
# Stop-list words that are also children's names; the name finder decides
# them from context ("Will has…" against "Will the LA…").
_NAME_WORDS_IN_STOPLIST = {"Will", "May", "Summer", "Autumn", "Winter", "Spring", "April", "June", "August"}

_WORD = r"[^\W\d_]+(?:['’\-][^\W\d_]+)*"
_WORD_RE = re.compile(_WORD)
_HSPACE = r"[ \t\u00a0]"  # never cross a line: redact_lines relies on it


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def _normalise_phone(raw: str) -> str | None:
    """UK national form (0XXXXXXXXXX) of a phone string, "+<digits>" for
    another country, or None if it is not a phone number."""
    digits = _digits(raw)
    stripped = raw.lstrip()
    if stripped.startswith("00") and len(digits) > 11:
        # "0044 7700 900123", "00353 …": the international prefix dialled from the UK.
        stripped, digits = "+" + digits[2:], digits[2:]
    if stripped.startswith("+") and not stripped.startswith("+44"):
        # Families abroad: any E.164-length number written with a "+".
        return "+" + digits if 8 <= len(digits) <= 15 else None
    if stripped.startswith("+"):
        if not digits.startswith("44"):
            return None
        national = digits[2:]
        if national.startswith("0"):  # "+44 (0)1622 ..."
            national = national[1:]
        digits = "0" + national
    if not digits.startswith("0") or len(digits) not in (10, 11):
        return None
    # 01/02 geographic, 03 non-geographic, 05/07/08/09; 04 and 06 are unused.
    if digits[1] not in "1235789":
        return None
    return digits


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS modulus-11 check digit test on a 10-digit string."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


@dataclass(frozen=True, order=True)
class _Span:
    priority: float
    start: int
    end: int
    tag: str | None  # None marks text that must be kept verbatim

    @property
    def length(self) -> int:
        return self.end - self.start


# Lower number wins an overlap.  Published contacts beat everything; explicit
# cues ("DOB", "ULN", "NHS number") beat shape-only guesses.
_P_KEEP_PUBLIC = 0
_P_EMAIL = 1
_P_KEEP_URL = 2
_P_DOB = 3
_P_CUED_NUMBER = 4
_P_PUPIL_ID = 5
_P_PHONE = 6
_P_NHS = 7
_P_ULN_BARE = 7  # below the NHS checksum: a valid NHS number is tagged as one
_P_POSTCODE = 8
_P_ADDRESS = 9
_P_KEEP_PLACE = 9.5  # a place keeps its words from the name finder, never from a date or an address
_P_NAME_CUE = 10
_P_NAME_AGAIN = 11

# ---------------------------------------------------------------- patterns

# An apostrophe may sit inside a local part ("o'brien@…") but an opening quote is no part of it
# ("'sunshine_mum_of_4@hotmail.com'"), so a quote blocks a start only when a letter precedes it.
_EMAIL_RE = re.compile(
    r"(?<![\w.+%-])(?<!\w['’])[A-Za-z0-9_][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
# "jo dot smith at gmail dot com": an address spelled out so that filters miss it.
_SPELLED_EMAIL_RE = re.compile(
    r"(?<![\w.])[A-Za-z0-9_][A-Za-z0-9_.]*(?:[ \t]+dot[ \t]+[A-Za-z0-9_]+)*[ \t]+(?:at|\(at\)|\[at\])[ \t]+"
    r"(?:gmail|googlemail|hotmail|outlook|live|yahoo|icloud|me|aol|btinternet|sky|virginmedia|talktalk|"
    r"protonmail|proton|msn|ntlworld|blueyonder|mail)"
    r"(?:[ \t]+(?:dot|\(dot\)|\[dot\])[ \t]+(?:com|co|uk|org|net|gov|sch|ac|nhs|me|info|io))+\b",
    re.IGNORECASE,
)
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)

# A run that could hold one or more phone numbers: "+44 (0)7700 900 123",
# "(01227) 261430", "07700-900-123".  Groups are split later so that two
# numbers in a row, or a number followed by a count, are handled.
# A "+" starts a number even when glued to the previous word ("...com+44").
_PHONE_START_RE = re.compile(
    r"(?<![\d+])\+44[ \t-]?(?:\(0\)[ \t-]?)?|(?<![\d+])\+(?!44)\d{1,3}[ \t-]?"
    r"|(?<![\w+/.:£$])\(?(?=0\d)"
)
_PHONE_GROUP_RE = re.compile(r"\d+\)?")
_PHONE_SEP_RE = re.compile(r"[ \t]?-[ \t]?|[ \t]|(?<=\))")

# A UPN is a check letter and 12 digits; a temporary UPN ends in a letter instead of its last digit.
_UPN_RE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z][ -]?(?:\d[ -]?){11}\d(?![\d])"
    r"|(?<![A-Za-z0-9])[A-Za-z][ -]?(?:\d[ -]?){11}[A-Za-z](?![A-Za-z0-9])"
)
_TEN_DIGITS = r"\d{3}[ -]?\d{3}[ -]?\d{4}"
_NHS_RE = re.compile(rf"(?<![\d+])(?:{_TEN_DIGITS}|\d{{10}})(?![\d])")
_CUE_FILLER = r"\.?(?:[ \t]*(?:is|was|number|no\.?|[:#=\-–]))*[ \t]*"
# A cue makes a 10-digit number a ULN or an NHS number whatever its check
# digit: a mistyped number is still identifying.
_TEN_DIGIT_CUE_RE = re.compile(
    r"\b(?P<cue>ULN|(?:unique[ \t]+)?learner[ \t]+(?:number|no)|NHS(?:[ \t]+(?:number|no))?)"
    + _CUE_FILLER
    + r"(?P<value>\d(?:[ -]?\d){9})(?!\d)",
    re.IGNORECASE,
)
_UPN_CUE_RE = re.compile(
    r"\b(?:UPN|unique[ \t]+pupil[ \t]+(?:number|no))"
    + _CUE_FILLER
    + r"(?P<value>[A-Za-z]?[ -]?\d(?:[ -]?\d){11})(?![\dA-Za-z])",
    re.IGNORECASE,
)

# Outward codes must start with a real UK postcode area, which rules out
# "Y6 1ST", "T4 6TH" and friends.
_POSTCODE_AREAS = (
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE "
    "DG DH DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX "
    "IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP "
    "NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS "
    "ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"
).split()
_POSTCODE_RE = re.compile(
    r"(?<![A-Za-z0-9])(?P<area>[A-Za-z]{1,2})(?P<district>\d[A-Za-z\d]?)"
    r"(?P<space>[ \t]?)(?P<inward>\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})(?![A-Za-z0-9])"
)
_ORDINAL_RE = re.compile(r"^(?:1st|2nd|3rd|[04-9]th)$", re.IGNORECASE)

_STREET_SUFFIXES = (
    "Road Rd Street St Avenue Ave Close Lane Drive Way Crescent Cres Gardens "
    "Grove Place Court Ct Terrace Hill Rise View Walk Mews Square Row Parade "
    "Gate Vale Meadow Meadows Wharf Boulevard Approach Chase Green Park"
).split()
_ADDRESS_RE = re.compile(
    rf"(?:(?:Flat|Apartment|Apt|Unit){_HSPACE}+\d{{1,4}}[A-Za-z]?,?{_HSPACE}+)?"
    rf"(?<![\w£$.:/])(?P<number>\d{{1,4}}[A-Za-z]?)(?:,)?{_HSPACE}+"
    rf"(?P<words>(?:[A-Z][\w'’\-]*{_HSPACE}+){{1,3}})"
    rf"(?P<suffix>{'|'.join(_STREET_SUFFIXES)})\b\.?"
)
# A number that belongs to these words is not a house number.
_ADDRESS_GUARD_RE = re.compile(
    r"(?:\b(?:year|yr|y|term|t|section|sections|page|item|key\s+stage|ks|room|"
    r"group|level|tier|element|app|step|phase|week|weeks|band)|£|\$)[ \t]*$",
    re.IGNORECASE,
)

_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}"
    r"|\d{4}-\d{2}-\d{2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?:{_MONTH_ALT})\.?,?[ \t]+\d{{2,4}}"
    rf"|(?:{_MONTH_ALT})\.?[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}})"
)
# Forms a birth cue also takes: "17-Apr-2016", "3rd March" (a birthday), "March 2016".
_DATE_AFTER_CUE = (
    rf"(?:{_DATE}"
    rf"|\d{{1,2}}[ \t\-/.]?(?:{_MONTH_ALT})[ \t\-/.]?\d{{2,4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?:{_MONTH_ALT})\b"
    rf"|(?:{_MONTH_ALT})[ \t]+\d{{1,2}}(?:st|nd|rd|th)?\b"
    rf"|(?:{_MONTH_ALT})\.?,?[ \t]+\d{{4}})"
)
_DOB_RE = re.compile(
    r"(?:\bd\.o\.b\b\.?|\bdob\b|\bdate[ \t]+of[ \t]+birth\b|\bborn(?:[ \t]+on)?\b|\bbirth[ \t]?(?:day|date)(?:['’]s)?|(?<![\w.])b\.)"
    r"(?:[ \t]*(?:is|was|on|in|the|:|=|-|–|\())*[ \t]*"
    rf"(?P<date>{_DATE_AFTER_CUE}(?:[ \t]+['’]\d{{2}}\b)?)(?![\d])",
    re.IGNORECASE,
)
# "born prematurely at 28 weeks on 1st June 2018": "born", a few words, "on" a full date.
_BORN_ON_RE = re.compile(
    rf"\bborn\b[^.\n;]{{0,40}}?\bon[ \t]+(?:the[ \t]+)?(?P<date>{_DATE})(?![\d])", re.IGNORECASE
)
# "She turns 7 on 2 March", "turned five on 3/4/25": a birthday is the birth date less the year.
_TURNS_ON_RE = re.compile(
    rf"\bturn(?:s|ed|ing)?[ \t]+(?:\d{{1,2}}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    rf"fourteen|fifteen|sixteen|seventeen|eighteen)[ \t]+(?:on|in)[ \t]+(?:the[ \t]+)?(?P<date>{_DATE_AFTER_CUE})(?![\d])",
    re.IGNORECASE,
)
# A second date corrects or adds to a birth date: "DOB is 3/3/17 not 3rd March", "or 4.3.17".
_DATE_AFTER_DOB_RE = re.compile(
    rf"[ \t]*(?:,|;|/|\(|\bnot\b|\bor\b|\band\b|\bnot[ \t]+the\b)[ \t]*(?:the[ \t]+)?(?P<date>{_DATE_AFTER_CUE})(?![\d])",
    re.IGNORECASE,
)

_CHILD_NOUNS = (
    "pupil pupils child children student students boy boys girl girls learner "
    "learners son sons daughter daughters stepson stepdaughter twin twins "
    "toddler baby yp cyp kid kids ta tas lad lads"
).split() + [r"young[ \t]+person", r"young[ \t]+people"]
_FAMILY_NOUNS = (
    "mum mums mummy mom mother dad dads daddy father parent parents carer "
    "carers guardian guardians grandparent grandparents grandma grandmother "
    "grandad granddad grandfather gran granny nan nanny stepmum stepdad "
    "step-mum step-dad stepmother stepfather sibling siblings brother brothers "
    "sister sisters half-brother half-sister aunt auntie aunty uncle cousin"
).split() + [r"foster[ \t]+carers?"]
# Cue words that, capitalised mid-sentence, start an organisation's name
# ("Parent Carer Forum", "Pupil Premium") rather than introduce a person.
# After a plural cue a comma list is a list of people: "pupils: Ava, Leo".
_PLURAL_CUES = {
    "pupils", "children", "students", "boys", "girls", "learners", "sons",
    "daughters", "twins", "kids", "siblings", "brothers", "sisters",
    "parents", "carers", "grandparents", "young people", "foster carers",
}
_INSTITUTIONAL_CUES = {
    "pupil", "pupils", "child", "children", "student", "students", "learner",
    "learners", "parent", "parents", "carer", "carers", "guardian",
    "guardians", "sibling", "siblings", "young person", "young people",
    "foster carer", "foster carers", "yp", "cyp",
}


def _alt(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_CUE_NOUN = rf"(?:{_alt(_CHILD_NOUNS + _FAMILY_NOUNS)})"
_CUE_RE = re.compile(rf"\b(?P<cue>{_CUE_NOUN})\b", re.IGNORECASE)
_NAME_CHUNK = (
    rf"(?:(?:{'|'.join(_TITLES)})\.?{_HSPACE}+)?{_WORD}(?:{_HSPACE}+{_WORD})?"
)
_NAME_CHUNK_RE = re.compile(_NAME_CHUNK)
# Matched right after a cue noun.  "a pupil in my Year 5 class called Lily":
# the noun and "called" only have to share a clause.
_CALLED_RE = re.compile(
    rf"[^.!?\n]{{0,40}}?\b(?:called|named|known{_HSPACE}+as){_HSPACE}+(?P<names>{_NAME_CHUNK})",
    re.IGNORECASE,
)
# "my pupil Oliver", "his mum, Sarah,", "Year 6 pupil (Ava)", "dad - Tom".
_ADJACENT_RE = re.compile(
    rf"(?:{_HSPACE}*[,:(\-–]{_HSPACE}*|{_HSPACE}+)(?P<names>{_NAME_CHUNK})"
)
# "Mum of Precious", "the parents of Kai Nakamura-Price": a family noun, "of", a capitalised name.
_OF_RE = re.compile(rf"{_HSPACE}+of{_HSPACE}+(?P<names>{_NAME_CHUNK})")
_FAMILY_CUE_RE = re.compile(rf"^(?:{_alt(_FAMILY_NOUNS)})$", re.IGNORECASE)
# "two pupils for the panel: Ava Smith, Leo Jones"
_COLON_RE = re.compile(rf"[^.!?\n:]{{1,30}}?:{_HSPACE}*(?P<names>{_NAME_CHUNK})")
_TITLE_RE = re.compile(rf"(?:{'|'.join(_TITLES)})\.?{_HSPACE}+")
_AND_RE = re.compile(rf"{_HSPACE}*(?:&|\band\b){_HSPACE}*")
_COMMA_RE = re.compile(rf"{_HSPACE}*,{_HSPACE}*")
_NEXT_WORD_RE = re.compile(rf"{_HSPACE}*({_WORD})")
_ORGANISATION_NOUN_RE = re.compile(
    r"\b(?:schools?|academy|academies|settings?|provisions?|services?|units?|colleges?|nurser(?:y|ies)|"
    r"charity|charities|trusts?|hotels?|venues?|centres?|centers?|organisations?|companies|company|"
    r"clinics?|hospitals?|teams?|forums?|groups? of schools)\b",
    re.IGNORECASE,
)
# "a school called Five Acre Wood School", "mum named Oakwood Primary as
# her preference": a name next to these words belongs to an organisation.
_ORGANISATION_WORDS = set(
    """
    School Schools Primary Secondary Academy College Nursery Infant Infants
    Junior Juniors Grammar High Special Trust Federation Centre Center Unit
    Hospital Clinic Service Services Surgery Practice Council Church Hotel
    """.split()
)


# ---------------------------------------------------------------- redactor

_MAX_PASSES = 8


class Redactor:
    """Replace personal data with bracketed tags such as ``[email]``.

    ``public_*`` are allow-lists of contacts the knowledge base publishes; they
    are never redacted.  Build one per process and reuse it: construction
    compiles the allow-list patterns, ``redact`` itself is stateless.
    """

    def __init__(
        self,
        public_emails: Iterable[str] = (),
        public_phones: Iterable[str] = (),
        public_names: Iterable[str] = (),
    ) -> None:
        self._public_emails = frozenset(e.strip().lower() for e in public_emails if e.strip())
        self._public_phones = frozenset(
            p for p in (_normalise_phone(raw) or _digits(raw) for raw in public_phones) if p
        )
        names = [" ".join(n.split()) for n in public_names if n and n.strip()]
        self._public_name_re = self._compile_public_names(names)
        self._public_place_re = re.compile(
            rf"(?<![\w])(?:{'|'.join(re.escape(p) for p in DECK_CONTACTS['places'])})(?![\w])")
        first_names = frozenset(
            w[0] for w in (n.split() for n in names) if w and w[0].rstrip(".") not in _TITLES
        ) | frozenset(w[1] for w in (n.split() for n in names) if len(w) > 2 and w[0].rstrip(".") in _TITLES)
        surnames = frozenset(w[-1] for w in (n.split() for n in names) if len(w) > 1)
        self._public_surnames = surnames
        self._names = NameFinder(frozenset(_NOT_NAMES - _NAME_WORDS_IN_STOPLIST), first_names, surnames)

    @classmethod
    def default(
        cls,
        public_emails: Iterable[str] = (),
        public_phones: Iterable[str] = (),
        public_names: Iterable[str] = (),
    ) -> "Redactor":
        """The deck's contacts, plus any the host's knowledge base adds."""
        return cls(
            public_emails=[*DECK_CONTACTS["emails"], *public_emails],
            public_phones=[*DECK_CONTACTS["phones"], *public_phones],
            public_names=[*DECK_CONTACTS["names"], *public_names],
        )

    # -- public API

    def redact(self, text: str) -> str:
        return self.redact_with_report(text)[0]

    def redact_with_report(self, text: str) -> tuple[str, Counter]:
        # Replacing a span can expose a neighbour ("...com+44..." only reads
        # as a phone number once the email is gone), so repeat to a fixed
        # point.  Each pass that changes the text removes untagged characters
        # and tags are never matched, so this terminates; the bound is a guard.
        report: Counter = Counter()
        for _ in range(_MAX_PASSES):
            redacted, found = self._one_pass(text)
            if not found:
                break
            report += found
            text = redacted
        return text, report

    def _one_pass(self, text: str) -> tuple[str, Counter]:
        if not text:
            return text, Counter()
        spans = self._collect(text)
        chosen = _resolve(spans)
        report: Counter = Counter()
        out: list[str] = []
        pos = 0
        for span in chosen:
            if span.tag is None:
                continue
            out.append(text[pos : span.start])
            out.append(f"[{span.tag}]")
            report[span.tag] += 1
            pos = span.end
        out.append(text[pos:])
        return "".join(out), report

    # -- detectors

    def _collect(self, text: str) -> list[_Span]:
        spans: list[_Span] = []
        spans += self._public_names(text)
        emails = self._emails(text)
        spans += emails
        spans += _urls_outside(text, emails)
        spans += _dobs(text)
        spans += _cued_numbers(text)
        spans += [_Span(_P_PUPIL_ID, m.start(), m.end(), "pupil-id") for m in _UPN_RE.finditer(text)]
        spans += self._phones(text)
        spans += _nhs_numbers(text)
        spans += _bare_ulns(text)
        spans += _postcodes(text)
        spans += _addresses(text)
        spans += _table_cells(text)
        # Names are found last so that a cue name inside a published contact
        # ("the parent, Clara Green") or an email is already blocked.
        blocked = _resolve(spans)
        cue_spans, names = self._cue_names(text, blocked)
        spans += cue_spans
        spans += self._gazetteer_names(text, blocked, names)
        spans += self._recurring_names(text, names)
        spans += _case_dates(text, any(s.tag == "name" for s in spans))
        return spans

    def _gazetteer_names(self, text: str, blocked: list[_Span], names: set[str]) -> list[_Span]:
        blocked_starts = [b.start for b in blocked]
        spans = []
        for start, end in self._names.find(text):
            if _overlaps(blocked_starts, blocked, start, end):
                continue
            spans.append(_Span(_P_NAME_CUE, start, end, "name"))
            word = text[start:end]
            # Only unambiguous names recur: "Will" the pupil must not blank
            # "Will the LA…" later in the same message.
            if not self._names.ambiguous(word) and word not in _NOT_NAMES:
                names.add(word)
        return spans

    def _public_names(self, text: str) -> list[_Span]:
        spans = [_Span(_P_KEEP_PUBLIC, m.start(), m.end(), None) for m in self._public_place_re.finditer(text)]
        spans += self._presenter_surnames(text)
        spans += _places(text)
        if self._public_name_re is None:
            return spans
        return spans + [_Span(_P_KEEP_PUBLIC, m.start(), m.end(), None) for m in self._public_name_re.finditer(text)]

    def _presenter_surnames(self, text: str) -> list[_Span]:
        """A presenter's or officer's surname after a title, where the forum is talking about them: their
        things ("Mrs Godden's template", "Mrs Williams' point"), what they said ("Ms Sheppard said LIFT…"),
        or the officer addressed directly ("Ms Price, could the terms…").  Anywhere else "Mrs Price" may
        be any parent and goes; so does one a family word sits beside ("Mrs Sheppard, a parent")."""
        spans = []
        for m in _TITLED_SURNAME_RE.finditer(text):
            if m.group("name") not in self._public_surnames:
                continue
            after = text[m.end():]
            window = after[:60]
            if m.group("poss"):
                keep = bool(_FORUM_POSSESSION_RE.match(after))
            elif _REPORTING_VERB_RE.match(after):
                keep = not _FAMILY_WORD_RE.search(window)
            elif _CONTACT_BEFORE_RE.search(text[max(0, m.start() - 24):m.start()]):
                # "Can I email Mrs Sheppard about STLS?", not "I rang Mrs Price about Jake's bus".
                keep = not _FAMILY_WORD_RE.search(window) and not re.search(r"\b[A-Z][a-z]+['’]s\b|\[name\]", window)
            else:
                greeted = _GREETING_BEFORE_RE.search(text[:m.start()]) is not None
                keep = (greeted or bool(_VOCATIVE_RE.match(after)) and _starts_address(text, m.start())) \
                    and not _FAMILY_WORD_RE.search(window)
            if keep:
                spans.append(_Span(_P_KEEP_PUBLIC, m.start(), m.end("name"), None))
        return spans

    def _emails(self, text: str) -> list[_Span]:
        spans = [_Span(_P_EMAIL, m.start(), m.end(), "email") for m in _SPELLED_EMAIL_RE.finditer(text)]
        for m in _EMAIL_RE.finditer(text):
            public = m.group().lower() in self._public_emails
            spans.append(_Span(_P_KEEP_PUBLIC if public else _P_EMAIL, m.start(), m.end(), None if public else "email"))
        return spans

    def _phones(self, text: str) -> list[_Span]:
        spans = []
        pos = 0
        while True:
            m = _PHONE_START_RE.search(text, pos)
            if m is None:
                return spans
            start, cursor = m.start(), m.end()
            best_end, valid_end = None, None
            digits = 0
            international = m.group().startswith("+") and not m.group().startswith("+44")
            max_digits = 12 if international else 15 if text.startswith("00", m.end()) else 11
            while True:
                g = _PHONE_GROUP_RE.match(text, cursor)
                if g is None:
                    break
                digits += sum(ch.isdigit() for ch in g.group())
                cursor = g.end()
                if digits > max_digits:
                    break
                best_end = cursor
                candidate = text[start:cursor]
                if _normalise_phone(candidate.rstrip(")")):
                    valid_end = cursor
                sep = _PHONE_SEP_RE.match(text, cursor)
                if sep is None or not text[sep.end() : sep.end() + 1].isdigit():
                    break
                cursor = sep.end()
            if valid_end is not None and text[valid_end : valid_end + 1].isdigit() is False:
                raw = text[start:valid_end]
                national = _normalise_phone(raw.rstrip(")"))
                public = national in self._public_phones
                spans.append(_Span(_P_KEEP_PUBLIC if public else _P_PHONE, start, valid_end, None if public else "phone"))
                pos = valid_end
            else:
                pos = max(best_end or m.end(), m.start() + 1)

    def _cue_names(self, text: str, blocked: list[_Span]) -> tuple[list[_Span], set[str]]:
        spans: list[_Span] = []
        names: set[str] = set()

        blocked_starts = [b.start for b in blocked]

        def taken(start: int, end: int) -> bool:
            return _overlaps(blocked_starts, blocked, start, end)

        def accept(chunk_start: int, chunk: str, strong: bool) -> int | None:
            """Span the name words in `chunk`; return where the chunk ended."""
            offset = 0
            title = _TITLE_RE.match(chunk)
            if title:
                offset = title.end()
            words = []
            for w in _WORD_RE.finditer(chunk, offset):
                word = _strip_possessive(w.group())
                if not _looks_like_name(word, strong and not words):
                    break
                words.append((chunk_start + w.start(), chunk_start + w.start() + len(word), word))
            if not words:
                return None
            start, end = words[0][0], words[-1][1]
            full = " ".join(w for _, _, w in words)
            if taken(start, end) or self._is_public_name(full):
                return None
            if any(w in _ORGANISATION_WORDS for _, _, w in words) or _organisation_follows(text, end):
                return None
            spans.append(_Span(_P_NAME_CUE, start, end, "name"))
            names.update(w for _, _, w in words if w not in _NOT_NAMES)
            return end

        # Cue words are scanned on their own so that overlapping cues both
        # count: in "my pupil's mum Sarah" the name follows "mum", not "pupil".
        for cue in _CUE_RE.finditer(text):
            for regex, strong in ((_CALLED_RE, True), (_ADJACENT_RE, False), (_COLON_RE, False), (_OF_RE, True)):
                m = regex.match(text, cue.end())
                if m is None:
                    continue
                if regex is _OF_RE and not _FAMILY_CUE_RE.match(cue.group("cue")):
                    continue
                if strong and _ORGANISATION_NOUN_RE.search(text, cue.end(), m.start("names")):
                    continue  # "the parent wants a school called ..."
                if not strong and _is_institutional_cue(text, cue):
                    continue
                end = accept(m.start("names"), m.group("names"), strong)
                # "twins Ava and Mia", "siblings Leo, Ava and Mia".  A comma
                # only continues a list that goes on; "her dad Tom, Mr Smith
                # the headteacher" is two people, and a title starts an adult.
                while end is not None:
                    joiner = _AND_RE.match(text, end) or _COMMA_RE.match(text, end)
                    if joiner is None:
                        break
                    w = _NAME_CHUNK_RE.match(text, joiner.end())
                    if w is None or _TITLE_RE.match(w.group()):
                        break
                    plural = " ".join(cue.group("cue").lower().split()) in _PLURAL_CUES
                    if joiner.re is _COMMA_RE and not plural:
                        word = _WORD_RE.match(text, joiner.end())
                        after = word and word.end()
                        if not (after and (_AND_RE.match(text, after) or _COMMA_RE.match(text, after))):
                            break
                        w = word
                    end = accept(joiner.end(), w.group(), False)
                if end is not None:
                    break
        return spans, names

    def _recurring_names(self, text: str, names: set[str]) -> list[_Span]:
        if not names:
            return []
        alternation = _alt(re.escape(n) for n in names)
        pattern = re.compile(rf"(?<![\w'’\-])(?:{alternation})(?![\w\-])")
        return [_Span(_P_NAME_AGAIN, m.start(), m.end(), "name") for m in pattern.finditer(text)]

    def _is_public_name(self, full: str) -> bool:
        if self._public_name_re is None:
            return False
        return self._public_name_re.fullmatch(full) is not None

    @staticmethod
    def _compile_public_names(names: list[str]) -> re.Pattern | None:
        variants: set[str] = set()
        for name in names:
            words = name.split()
            if words and words[0].rstrip(".") in _TITLES:
                words = words[1:]
            if not words:
                continue
            # Full names only: "Mrs Williams" alone is too common to protect.
            bare = r"[ \t]+".join(re.escape(w) for w in words)
            variants.add(rf"(?:(?:{'|'.join(_TITLES)})\.?[ \t]+)?{bare}")
        if not variants:
            return None
        # Case-blind: "georgette williams" typed in lower case is still the presenter.
        return re.compile(rf"(?<![\w])(?:{'|'.join(sorted(variants, key=len, reverse=True))})(?![\w])", re.IGNORECASE)


_TITLED_SURNAME_RE = re.compile(
    r"(?<![\w])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?[ \t]+(?P<name>[A-Z][\w\-]*?)(?P<poss>['’]s|(?<=s)['’])?(?![\w'’\-])"
)
_REPORTING_VERB_RE = re.compile(
    r"[ \t]+(?:also[ \t]+)?(?:said|says|explained|explains|mentioned|presented|presents|confirmed|confirms|covered|"
    r"clarified|suggested|recommended|showed|shared|noted|stated|advised|talked|spoke|emphasised|emphasized|"
    r"highlighted|pointed[ \t]+out|went[ \t]+through|told[ \t]+us|told[ \t]+the[ \t]+forum)\b"
)
_VOCATIVE_RE = re.compile(
    r"[ \t]*,[ \t]*(?:could|can|would|will|please|is|are|do|does|did|thank|thanks|many[ \t]+thanks|I|we|just|quick|"
    r"hope|hi|hello)\b", re.IGNORECASE)
_FAMILY_WORD_RE = re.compile(
    r"\b(?:mum|mother|dad|father|parent|parents|carer|grandparent|nan|gran|son|daughter|child|her[ \t]+boy|"
    r"his[ \t]+boy|family|foster)\b", re.IGNORECASE)


_CONTACT_BEFORE_RE = re.compile(
    r"\b(?:e-?mail|e-?mailed|ask|asked|asking|contact|contacted|ring|rang|call|called|phone|phoned|write[ \t]+to|wrote[ \t]+to|"
    r"speak[ \t]+to|spoke[ \t]+to|speak[ \t]+with|spoke[ \t]+with|thank|thanked|invite|invited|cc|copy[ \t]+in|"
    r"forward[ \t]+(?:it[ \t]+)?to|message|messaged|book|booked|from)[ \t]+$",
    re.IGNORECASE)
_GREETING_BEFORE_RE = re.compile(r"(?:^|[\n.!?])[ \t]*(?:hi|hello|dear|thanks|thank[ \t]+you|many[ \t]+thanks)[ \t,]*$",
                                 re.IGNORECASE)


def _starts_address(text: str, index: int) -> bool:
    """The title opens the message, a line, or follows a greeting ("Hi Ms Price, …", "Thanks Mrs Godden, …")."""
    before = text[:index]
    return re.search(r"(?:^|[\n.!?])[ \t]*(?:(?:hi|hello|dear|thanks|thank[ \t]+you|morning|afternoon)[ \t,]*)?$",
                     before, re.IGNORECASE) is not None


# "new arrivals from Somalia via Leicester", "joined from Hong Kong": a place after a word of origin or
# movement is where someone came from, not who they are, even when the gazetteer lists it as a name.
_PLACE_CUE_RE = re.compile(
    r"\b(?P<prep>from|via|near|outside|in|to)[ \t]+(?P<run>[A-Z][\w'’\-]*(?:[ \t]+(?:[A-Z][\w'’\-]*|upon|on|le|de))*)"
)
_MOVE_BEFORE_RE = re.compile(
    r"\b(?:moved|moving|move|moves|relocated|relocating|returned|returning|return|went|going|go|back|emigrated|"
    r"travelled|traveled|flew|fled|trip|transferred|transferring|holiday|visiting|visit|came|coming)[ \t]+(?:back[ \t]+)?$",
    re.IGNORECASE,
)
_MESSAGE_BEFORE_RE = re.compile(
    r"\b(?:e-?mail|message|letter|call|text|note|visit|report|referral|complaint|reply|response|feedback|hear|heard|"
    r"word|news|update|card|present|gift|hug|help|support)[ \t]+$",
    re.IGNORECASE,
)


def _places(text: str) -> list[_Span]:
    known = places()
    spans = []
    for m in _PLACE_CUE_RE.finditer(text):
        words = m.group("run").split()
        for k in range(min(len(words), 4), 0, -1):
            place = " ".join(words[:k])
            if place in known:
                break
        else:
            continue
        start = m.start("run")
        end = start + len(re.match(r"[ \t]*".join(re.escape(w) for w in words[:k]), text[start:]).group())
        if re.match(r"['’]", text[end:end + 1]):
            continue  # "in Florence's class": a person's possessive
        prep = m.group("prep")
        before = text[max(0, m.start() - 20):m.start()]
        if prep == "to" and not _MOVE_BEFORE_RE.search(before):
            continue  # "I spoke to Florence"
        if prep == "from" and _MESSAGE_BEFORE_RE.search(before):
            continue  # "an email from Jordan"
        if place in _MONTHS or place in _WEEKDAYS:
            continue  # "born in March 2016": March is a town too
        spans.append(_Span(_P_KEEP_PLACE, start, end, None))
        # "from Leicester, then Birmingham, then Margate": a list of places goes on.
        while True:
            nxt = _PLACE_LIST_NEXT_RE.match(text, end)
            if not nxt:
                break
            words = nxt.group("run").split()
            k = next((k for k in range(min(len(words), 4), 0, -1) if " ".join(words[:k]) in known), 0)
            if not k:
                break
            start = nxt.start("run")
            end = start + len(re.match(r"[ \t]*".join(re.escape(w) for w in words[:k]), text[start:]).group())
            if re.match(r"['’]", text[end:end + 1]):
                break
            spans.append(_Span(_P_KEEP_PLACE, start, end, None))
    return spans


_PLACE_LIST_NEXT_RE = re.compile(
    r"[ \t]*(?:,[ \t]*(?:then[ \t]+|and[ \t]+(?:then[ \t]+)?)?|[ \t]+(?:and|or|then)[ \t]+|[ \t]*(?:/|&)[ \t]*)"
    r"(?P<run>[A-Z][\w'’\-]*(?:[ \t]+(?:[A-Z][\w'’\-]*|upon|on|le|de))*)"
)


# ---------------------------------------------------------------- detectors without allow-lists


def _urls_outside(text: str, emails: list[_Span]) -> list[_Span]:
    """Keep spans for links (meeting URLs are full of digit runs), minus any
    email address inside them, which is still redacted."""
    spans = []
    for m in _URL_RE.finditer(text):
        pos = m.start()
        for e in sorted(emails, key=lambda s: s.start):
            if m.start() <= e.start < m.end():
                if e.start > pos:
                    spans.append(_Span(_P_KEEP_URL, pos, e.start, None))
                pos = max(pos, e.end)
        if pos < m.end():
            spans.append(_Span(_P_KEEP_URL, pos, m.end(), None))
    return spans


# A full date in a child's row: "[name], 13/03/2013, [pupil-id]", "[name] (03.04.16)".
_ROW_DATE_RE = re.compile(
    rf"(?:\[(?:name|pupil-id|uln)\](?:[ \t]*[,;|(\-–][ \t]*|\t[ \t]*)(?P<a>{_DATE})(?![\d]))"
    rf"|(?:(?<![\w/.\-])(?P<b>{_DATE})[ \t]*[,;|)][ \t]*\[(?:pupil-id|uln|nhs-number)\])",
)


# A table pasted from a register or a spreadsheet: a header row names the columns ("Surname | Forename |
# DOB | UPN", "Name<TAB>DOB<TAB>Secondary"), and every row below it with as many cells is read by column,
# so a name or a birth date is found by where it stands, not by the words around it.  Cells under a
# school or setting heading are kept whole (a school is often named after a person).
_CELL_SEPARATORS = ("|", "\t")
_HEADER_TAGS = (
    (re.compile(r"^(?:d\.?o\.?b\.?|date[ \t]+of[ \t]+birth|birth[ \t]?(?:date|day)|born)$", re.I), "dob"),
    (re.compile(r"^(?:upn|uln|unique[ \t]+(?:pupil|learner)[ \t]+(?:number|no\.?)|nhs(?:[ \t]+(?:number|no\.?))?)$", re.I),
     "pupil-id"),
    (re.compile(r"^(?:(?:home[ \t]+)?address|postcode|post[ \t]+code)$", re.I), "address"),
    (re.compile(r"^(?:(?:parent['’]?s?[ \t]+)?(?:phone|tel|telephone|mobile|contact[ \t]+number))$", re.I), "phone"),
    (re.compile(r"^(?:(?:parent['’]?s?[ \t]+)?e-?mail(?:[ \t]+address)?)$", re.I), "email"),
    (re.compile(
        r"^(?:(?:(?:pupil|child|student|learner|parent|carer|parent/carer)['’]?s?[ \t]+)?(?:full[ \t]+|first[ \t]+|last[ \t]+|"
        r"given[ \t]+|family[ \t]+|legal[ \t]+|preferred[ \t]+)?name|surname|forename|first[ \t]?name|last[ \t]?name|"
        r"pupil|child|student|learner|parent|carer|parent/carer|mum|dad|known[ \t]+as|initials|"
        r"surname,[ \t]*forename|forename,[ \t]*surname)$", re.I), "name"),
    (re.compile(r"^(?:school|secondary|primary|setting|placement|destination|previous[ \t]+school|"
                r"(?:secondary|next|new)[ \t]+school|provision|college)$", re.I), None),
)
_EMPTY_CELL_RE = re.compile(r"^(?:[-–—]*|n/?a|none|tbc|\?|(?:\[[a-z-]+\][ \t,]*)+)$", re.IGNORECASE)


def _table_cells(text: str) -> list[_Span]:
    spans: list[_Span] = []
    if "\n" not in text or not any(c in text for c in _CELL_SEPARATORS):
        return spans
    lines: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    i = 0
    while i < len(lines):
        start, line = lines[i]
        sep = next((c for c in _CELL_SEPARATORS if line.count(c) >= 1), None)
        columns: dict[int, str | None] = {}
        if sep:
            cells = line.split(sep)
            for k, cell in enumerate(cells):
                label = " ".join(cell.strip().strip(":").split())
                for regex, tag in _HEADER_TAGS:
                    if regex.match(label):
                        columns[k] = tag
                        break
            # A header is short labels, at least one of them a personal column.
            if any(len(c.split()) > 4 for c in cells) or not any(t for t in columns.values()):
                columns = {}
        if not columns:
            i += 1
            continue
        width = len(line.split(sep))
        j = i + 1
        while j < len(lines) and lines[j][1].strip() and len(lines[j][1].split(sep)) == width:
            row_start, row = lines[j]
            offset = row_start
            for k, cell in enumerate(row.split(sep)):
                tag = columns.get(k, "-")
                body = cell.strip()
                if tag != "-" and body and not _EMPTY_CELL_RE.match(body):
                    a = offset + cell.index(body)
                    if tag is None:
                        spans.append(_Span(_P_KEEP_URL, a, a + len(body), None))
                    elif tag == "name":
                        # Each word of the cell that is not a tag already: "O'Brien", "Green, Poppy".
                        for w in _WORD_RE.finditer(body):
                            if body[max(0, w.start() - 1):w.start()] != "[":
                                spans.append(_Span(_P_NAME_CUE, a + w.start(), a + w.end(), "name"))
                    else:
                        spans.append(_Span(_P_DOB if tag == "dob" else _P_CUED_NUMBER, a, a + len(body), tag))
                offset += len(cell) + 1
            j += 1
        i = j
    return spans


# A named child's tribunal or appeal timeline ("[name]: appeal registered 12/01/2025, hearing 29 May"):
# the dates of one family's case identify it.  Only once a name in the message has been redacted, and
# only in a message about a case, so forum dates ("the webinar on 6 May") stay.
_CASE_RE = re.compile(r"\b(?:tribunal|appeal|hearing|bundle|mediation|sendist)\b", re.IGNORECASE)
_CASE_DATE_RE = re.compile(
    r"\b(?:registered|lodged|received|hearing|listed|bundle|submitted|issued|served|finalised|mediation)"
    r"(?:[ \t]+(?:on|for|by|date|is|was|set|the|:|-|–))*[ \t]*:?[ \t]*"
    rf"(?P<date>{_DATE_AFTER_CUE})(?![\d])",
    re.IGNORECASE,
)


_TIMELINE_RE = re.compile(r"\b(?:timeline|chronology)\b", re.IGNORECASE)


def _case_dates(text: str, named: bool) -> list[_Span]:
    if not (named or "[name]" in text) or not _CASE_RE.search(text):
        return []
    found = [_Span(_P_DOB, m.start("date"), m.end("date"), "date") for m in _CASE_DATE_RE.finditer(text)]
    # One date ("the appeal was lodged on 3 March") is news a forum can use; a timeline of two or more is
    # the family's case file; so is any date of a named child's "timeline" or "chronology".
    return found if len(found) >= 2 or found and _TIMELINE_RE.search(text) else []


def _dobs(text: str) -> list[_Span]:
    spans = []
    if "[" in text:
        for m in _ROW_DATE_RE.finditer(text):
            g = "a" if m.group("a") else "b"
            spans.append(_Span(_P_DOB, m.start(g), m.end(g), "dob"))
    low = text.lower()
    # Every rule below needs a birth word or "turns"; most messages have none, so skip the scans.
    if not any(k in low for k in ("dob", "d.o.b", "birth", "born", "b.", "turn")):
        return spans
    dob_matches = list(_DOB_RE.finditer(text))
    for m in dob_matches:
        spans.append(_Span(_P_DOB, m.start("date"), m.end("date"), "dob"))
        again = _DATE_AFTER_DOB_RE.match(text, m.end("date"))
        for _ in range(4):  # "DOB 01.02.2015 / 1/2/15 / 1st Feb 2015": each form of the same date
            if not again:
                break
            spans.append(_Span(_P_DOB, again.start("date"), again.end("date"), "dob"))
            again = _DATE_AFTER_DOB_RE.match(text, again.end("date"))
    spans += [_Span(_P_DOB, m.start("date"), m.end("date"), "dob") for m in _BORN_ON_RE.finditer(text)]
    spans += [_Span(_P_DOB, m.start("date"), m.end("date"), "dob") for m in _TURNS_ON_RE.finditer(text)]
    # "asks for DOB in the format DD-MM-YYYY so I put 29-01-2016", "his date of birth (you included
    # 19/03/2016)": a numeric date later in the sentence that speaks of a birth date is that date.
    dated = {m.start() for m in dob_matches}
    for m in _BIRTH_CUE_RE.finditer(text):
        if m.start() in dated or _TAGGED_AFTER_CUE_RE.match(text, m.end()):
            continue  # the cue's own date was found right after it; a later one is another date
        end = min(len(text), m.end() + 80)
        stop = _SENTENCE_END_RE.search(text, m.end(), end)
        for d in _NUMERIC_DATE_RE.finditer(text, m.end(), stop.start() if stop else end):
            spans.append(_Span(_P_DOB, d.start(), d.end(), "dob"))
    return spans


_BIRTH_CUE_RE = re.compile(r"(?<!\[)\bd\.o\.b\b\.?|(?<!\[)\bdob\b|\bdate[ \t]+of[ \t]+birth\b|\bbirth[ \t]?(?:day|date)s?\b", re.IGNORECASE)
_TAGGED_AFTER_CUE_RE = re.compile(r"(?:[ \t]*(?:is|was|on|in|the|:|=|-|–|\())*[ \t]*\[dob\]", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"[.!?](?:[ \t]|$)|\n")
_NUMERIC_DATE_RE = re.compile(r"(?<![\d/.\-])\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?![\d/.\-]?\d)")


def _cued_numbers(text: str) -> list[_Span]:
    spans = []
    for m in _TEN_DIGIT_CUE_RE.finditer(text):
        tag = "nhs-number" if m.group("cue").lower().startswith("nhs") else "uln"
        spans.append(_Span(_P_CUED_NUMBER, m.start("value"), m.end("value"), tag))
    for m in _UPN_CUE_RE.finditer(text):
        spans.append(_Span(_P_CUED_NUMBER, m.start("value"), m.end("value"), "pupil-id"))
    return spans


# A ULN is ten digits with no published check we can rely on, so a bare
# ten-digit run is taken as one unless the words before it say it is a
# reference of the school's own ("finance reference 1234567890").
_BARE_TEN_RE = re.compile(r"(?<![\d+\-/.])[1-9]\d{9}(?![\d\-/])")
_REFERENCE_BEFORE_RE = re.compile(
    r"\b(?:ref|reference|invoice|order|account|acct|remittance|po|ticket|case|urn|dfe|laestab|number\s+of)\b[^.\n]{0,20}$",
    re.IGNORECASE,
)


# Ten digits typed in groups ("5580 142 937", "12345 67890", "123-456-7890"): the same ULN or NHS number
# as the unbroken run.  A leading 0 is a phone (handled there); a money sign or a decimal point before it,
# or a unit after it, makes it a quantity.
_SPACED_TEN_RE = re.compile(r"(?<![\d+\-/.,£$€])[1-9]\d{1,4}(?:[ \-]\d{2,5}){1,3}(?![\d\-/]|[.,]\d)")
_QUANTITY_AFTER_RE = re.compile(r"[ \t]*(?:%|pupils|children|people|pounds|hours|minutes|words|pages|respondents)\b",
                                re.IGNORECASE)


def _bare_ulns(text: str) -> list[_Span]:
    spans = [
        _Span(_P_ULN_BARE, m.start(), m.end(), "uln")
        for m in _BARE_TEN_RE.finditer(text)
        if not _REFERENCE_BEFORE_RE.search(text[max(0, m.start() - 40) : m.start()])
    ]
    for m in _SPACED_TEN_RE.finditer(text):
        if len(_digits(m.group())) != 10 or _REFERENCE_BEFORE_RE.search(text[max(0, m.start() - 40) : m.start()]):
            continue
        if _QUANTITY_AFTER_RE.match(text, m.end()):
            continue
        spans.append(_Span(_P_ULN_BARE, m.start(), m.end(), "uln"))
    return spans


def _nhs_numbers(text: str) -> list[_Span]:
    return [
        _Span(_P_NHS, m.start(), m.end(), "nhs-number")
        for m in _NHS_RE.finditer(text)
        if nhs_number_is_valid(_digits(m.group()))
    ]


def _postcodes(text: str) -> list[_Span]:
    spans = []
    for m in _POSTCODE_RE.finditer(text):
        if m.group("area").upper() not in _POSTCODE_AREAS:
            continue
        if _ORDINAL_RE.match(m.group("inward")) and not m.group().isupper():
            continue  # "s6 1st" is a set and an ordinal, not Sheffield
        mixed_case = not (m.group().isupper() or m.group().islower())
        if mixed_case and not m.group("space"):
            continue  # "Me14ab"-like tokens in prose
        spans.append(_Span(_P_POSTCODE, m.start(), m.end(), "postcode"))
    return spans


# "address 3 The Paddocks, CT4 7AA", "new address Rose Cottage, Church Street, Wye": after an
# address cue, comma-separated runs of capitalised words (a house number may open the first) are
# the address, whatever their last word.
_ADDRESS_CUE_RE = re.compile(
    rf"\b(?:address(?:{_HSPACE}+is)?|(?:house|home){_HSPACE}+is|lives{_HSPACE}+(?:at|on)|live{_HSPACE}+(?:at|on)|living{_HSPACE}+on|living{_HSPACE}+at|staying{_HSPACE}+at|resides{_HSPACE}+at)"
    rf"{_HSPACE}*[:\-–]?{_HSPACE}*",
    re.IGNORECASE,
)
_ADDRESS_PART_RE = re.compile(
    rf"(?:(?i:flat|apartment|apt|unit){_HSPACE}+\d+[A-Za-z]?,?{_HSPACE}+)?(?:\d{{1,4}}[A-Za-z]?,?{_HSPACE}+)?"
    rf"[A-Z][\w'’\-]*(?:{_HSPACE}+[A-Z][\w'’\-]*){{0,3}}"
)


def _cued_addresses(text: str) -> list[_Span]:
    """House name and street after an address cue; the town after the street is not personal."""
    spans = []
    for m in _ADDRESS_CUE_RE.finditer(text):
        pos, parts = m.end(), []
        for _ in range(3):
            part = _ADDRESS_PART_RE.match(text, pos)
            if part is None or not (part.group()[:1].isupper() or part.group()[:1].isdigit()):
                break
            words = part.group().split()
            if words[-1] in _ORGANISATION_WORDS or words[0] in _NOT_NAMES and words[0] != "The":
                break  # "address Oakwood Primary School", "address Year 6 …"
            if _POSTCODE_RE.fullmatch(part.group()):
                break
            parts.append(part)
            if part.group()[:1].isdigit() or words[-1].rstrip(".") in _STREET_SUFFIXES:
                spans += [_Span(_P_ADDRESS, p.start(), p.end(), "address") for p in parts]
                break
            sep = re.match(rf",{_HSPACE}*", text[part.end():])
            if not sep:
                break
            pos = part.end() + sep.end()
    return spans


# "Flat 2B, Riverside Heights", "apartment 12 Kingsmead House": a flat in a named building.
_FLAT_RE = re.compile(
    rf"(?<![\w])(?i:flat|apartment|apt\.?){_HSPACE}+\d{{1,4}}[A-Za-z]?\b,?{_HSPACE}*"
    rf"(?:[A-Z][\w'’\-]*(?:{_HSPACE}+(?:[A-Z][\w'’\-]*|of|on|the)){{0,3}})?"
)


def _addresses(text: str) -> list[_Span]:
    spans = _cued_addresses(text)
    for m in _FLAT_RE.finditer(text):
        end = m.end()
        words = text[m.start():end].split()
        while words and words[-1] in ("of", "on", "the"):
            end = text.rindex(words.pop(), m.start(), end)
            end = len(text[:end].rstrip(" \t\u00a0"))
        spans.append(_Span(_P_ADDRESS, m.start(), end, "address"))
    for m in _ADDRESS_RE.finditer(text):
        if _ADDRESS_GUARD_RE.search(text[max(0, m.start() - 20) : m.start()]):
            continue
        first = m.group("words").split()[0]
        if first in _MONTHS or first in _WEEKDAYS:
            continue  # "6 May Park..." is a date, not a house
        spans.append(_Span(_P_ADDRESS, m.start(), m.end(), "address"))
    return spans


# ---------------------------------------------------------------- name helpers


def _organisation_follows(text: str, end: int) -> bool:
    """True if the run of capitalised words after `end` reaches an
    organisation word ("Five Acre | Wood School")."""
    for _ in range(3):
        nxt = _NEXT_WORD_RE.match(text, end)
        if nxt is None or not nxt.group(1)[0].isupper():
            return False
        if nxt.group(1) in _ORGANISATION_WORDS:
            return True
        end = nxt.end()
    return False


def _strip_possessive(word: str) -> str:
    for suffix in ("'s", "’s"):
        if word.endswith(suffix) and len(word) > 2:
            return word[: -len(suffix)]
    return word


def _looks_like_name(word: str, strong: bool) -> bool:
    if not word or not word[0].isupper():
        return False
    if len(word) > 1 and word.isupper():
        return False  # EHCP, STLS, SENCO
    if strong:
        # After "called"/"named" only grammar words are ruled out, so that a
        # child called April or Will is still caught.
        return word not in {"I", "The", "A", "An", "This", "That", "My", "Our", "His", "Her", "Their"}
    return word not in _NOT_NAMES


def _is_institutional_cue(text: str, m: re.Match) -> bool:
    cue = m.group("cue")
    if not cue[0].isupper():
        return False
    if " ".join(cue.lower().split()) not in _INSTITUTIONAL_CUES:
        return False
    # "Pupil Oliver has..." at the start of a sentence is still a person.
    return not _starts_sentence(text, m.start("cue"))


def _starts_sentence(text: str, index: int) -> bool:
    i = index
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    if i == 0:
        return True
    if text[i - 1] in ".!?\n\"“(":
        return True
    # Only punctuation before it, e.g. "- Pupil Oliver" opening a bullet.
    return i <= 8 and not any(ch.isalnum() for ch in text[:i])


def _resolve(spans: list[_Span]) -> list[_Span]:
    """Non-overlapping spans, highest priority (then longest) first, in text order."""
    starts: list[int] = []  # chosen spans never overlap, so starts sort them
    chosen: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s.priority, -s.length, s.start)):
        if span.length <= 0 or _overlaps(starts, chosen, span.start, span.end):
            continue
        i = bisect.bisect_left(starts, span.start)
        starts.insert(i, span.start)
        chosen.insert(i, span)
    return chosen


def _overlaps(starts: list[int], chosen: list[_Span], start: int, end: int) -> bool:
    i = bisect.bisect_left(starts, start)
    if i < len(chosen) and chosen[i].start < end:
        return True
    return i > 0 and chosen[i - 1].end > start


# ---------------------------------------------------------------- CLI helper


def redact_lines(lines: Iterable[str], redactor: Redactor) -> Iterator[str]:
    """Redact line by line for ``sencobot redact`` (stdin to stdout).

    Exactly one line out per line in, each keeping its own line ending, so
    ``sys.stdout.writelines(redact_lines(sys.stdin, r))`` preserves the line
    count even for blank or whitespace-only lines.
    """
    for line in lines:
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        yield redactor.redact(body) + ending
