"""Person names without cue words: a gazetteer of given names plus context rules.

SENCOs open with the child ("Amelia-Rose in Year 4 has…", "jayden's mum
wants…") far more often than they write "my pupil called…", so the cue rules
in `redaction.py` alone miss most names.  This module proposes name spans
from three kinds of evidence:

* the word is a given name common in Great Britain (data/given_names.txt),
  capitalised, lower case or in capitals, hyphenated or possessive;
* a title precedes it ("Mrs Adebayo-Cole", "mrs o'brien"), or it is a
  family name ("the Sandhu family"), or a form label introduces it
  ("Name: …", "Student: …");
* for given names that are also English words (data/name_words.txt: Will,
  May, Grace, Amber, Summer…) the words around it must say "person":
  a possessive, a year group, a verb such as "has"/"is", a pronoun after a
  dash.  "Will the LA…", "Summer term", "Amber group" stay.

A capitalised word right after an accepted given name is taken as the
surname ("Harvey Stone", "Noah Asante") unless it is a known non-name.

Benchmarked against Presidio + spaCy and the cue rules alone in
bench/redaction_eval.py; see the README's redaction section for the figures.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def lexicon() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(given names, surnames, names that are also everyday English words), loaded once."""

    def read(name: str) -> frozenset[str]:
        return frozenset(line.strip() for line in (_DATA / name).read_text(encoding="utf-8").splitlines() if line.strip())

    return read("given_names.txt"), read("surnames.txt"), read("name_words.txt")


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Lower-case entries of a modern British dictionary (Debian's wbritish, data/english_words.txt): a
    capitalised word that is none of them and no listed name ("Wanjiru") is likely a name."""
    return frozenset((_DATA / "english_words.txt").read_text(encoding="utf-8").split())


@lru_cache(maxsize=1)
def places() -> frozenset[str]:
    """Countries, British and Irish towns, large cities elsewhere (data/places.txt, from GeoNames):
    "via Leicester", "from Hong Kong" are where a family came from, although both read as names."""
    return frozenset(line.strip() for line in (_DATA / "places.txt").read_text(encoding="utf-8").splitlines()
                     if line.strip())


@lru_cache(maxsize=1)
def dictionary_names() -> frozenset[str]:
    """Names whose lower-case form is a dictionary word ("rose", "tools"): in lower case these
    need a person's context; any other given name typed in lower case is a name."""
    return frozenset(w for w in (_DATA / "dictionary_names.txt").read_text(encoding="utf-8").split() if w)


# Virtue names are uncountable nouns first ("Patience is wearing thin", "Hope is…"): a verb
# after them is no evidence of a person; only a strong context (a year group, a pronoun,
# a possessive) is.
_VIRTUES = {
    "Patience", "Hope", "Faith", "Joy", "Grace", "Charity", "Mercy", "Honour", "Honor", "Liberty",
    "Harmony", "Unity", "Serenity", "Felicity", "Prudence", "Verity", "Destiny", "Trinity", "Justice",
    "Constance", "Chastity", "Temperance", "Bliss", "Glory", "Promise", "Love", "Peace", "Ray",
}
_ANIMATE_NEXT = set(
    """
    joined joins arrived arrives lives lived attends attended swears threw refuses refused started
    starts moved moves sits said says wants wanted loves likes hates hit kicked ran runs cried cries
    told asked talks talked walks walked screams screamed bites bit punched absconded
    """.split()
)
# A run of up to two more capitalised words ending in an organisation's word.
_ORG_RUN_RE = re.compile(
    r"(?:[ \t]+[A-Z][\w'’\-]*){0,2}[ \t]+(?:School|Schools|Academy|Primary|Secondary|Infant|Infants|Junior|"
    r"Juniors|College|Grammar|Nursery|Centre|Trust|Federation|Hospital|Clinic|Surgery|Council|Church|Hall|House|"
    r"Review|Report|Park|Road|Street|Lane)\b"
)
# Function words that open a question or clause; a capitalised one before a name is not part
# of a longer proper noun ("Should Abdirahman be…", "It's Donna…", "Would Anaya's EHCP…").
_FUNCTION_WORDS = set(
    """
    Should Would Could Can Will Shall May Might Must Does Did Do Is Was Are Were Has Have Had
    It's It’s I'm I’m That's That’s There's There’s Here's Here’s What's What’s Why When Where How Who
    Whether Does Has Since Until After Before Because Although Though While Unless Once Also Only
    Both Either Neither Not Now Then Today Yesterday Tomorrow Ask Asking Tell Re Fwd Fw Cc Update
    Request Regarding Concern Concerns Query About Sorry Urgent Please Thanks Hi Hello Dear Morning
    """.split()
)


TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof")
_TITLE_WORDS = {*TITLES, "mr", "mrs", "ms", "dr", "MR", "MRS", "MS", "DR"}
_MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec")
# Name particles between a given name and a surname: "Harry de Souza", "anna van der berg".
_PARTICLES = {
    "de", "da", "das", "dos", "do", "di", "del", "della", "der", "den", "van", "von", "le", "la", "du",
    "al", "el", "bin", "ibn", "binti", "bint", "ter", "ten", "st",
}
# Capitalised particles ("Harry St John-Hughes", "Maria De Souza"): a particle only between an accepted
# given name and a surname, never on its own.
_CAP_PARTICLES = {"St", "De", "Da", "Das", "Dos", "Di", "Del", "Della", "Van", "Von", "Le", "La", "Du", "Al", "El",
                  "Ter", "Ten", "Bin", "Ibn", "Der", "Den"}


def _is_particle(word: str) -> bool:
    return word in _PARTICLES or word in _CAP_PARTICLES


def _skey(word: str) -> str:
    """How the surname list spells a surname: "o'connor" and "O’Connor" are "Oconnor", "McDONALD" "Mcdonald"."""
    return "-".join(p[:1].upper() + p[1:].lower() for p in re.sub(r"['’]", "", word).split("-"))


# Dotted initials ("O.M.", "J.S") and an initial before a surname ("J. Smith").
_DOTTED_INITIALS_RE = re.compile(r"(?<![\w.])(?:[A-Z]\.[ \t]?){1,2}[A-Z](?:\.|(?![\w.]))")
_INITIAL_SURNAME_RE = re.compile(r"(?<![\w.])(?P<initial>[A-Z])\.[ \t]?(?P<surname>[A-Z][a-z][\w'’\-]*)")
# Dotted capitals that are abbreviations, not someone's initials.
_DOTTED_ABBREVIATIONS = {"LA", "UK", "US", "USA", "PE", "TA", "NB", "PS", "AM", "PM", "EG", "IE", "RE", "DT", "IT", "BA",
                         "MA", "MSC", "BSC", "PHD", "SEN", "EHC", "OT", "SALT", "GP", "AKA", "ETA", "RSVP", "ASAP", "QA"}
# A comma/and list of single words: "amir, faith and josh", "Kacper, Summer, Lily-Mae".
_LW = r"[^\W\d_]+(?:['’\-][^\W\d_]+)*"
_LIST_RE = re.compile(
    rf"(?<![\w'’\-]){_LW}(?:[ \t]*,[ \t]*{_LW})*(?:[ \t]*,?[ \t]*(?:and|&)[ \t]+{_LW}|[ \t]*,[ \t]*{_LW})(?![\w'’\-])"
)
# Initials without dots in a child's context: "AB (Y5) has…", "our pupil JS has…".
# "T in Y4", "A-M (Year 2) has…", "JB, Y5": one to three capitals, or two hyphenated parts, before a year group.
_UNDOTTED_INITIALS_RE = re.compile(
    r"(?:(?<![\w\-])(?P<i>[A-Z]{1,3}(?:-[A-Z]{1,2})?)(?![\w\-])(?=[ \t]*\((?i:y|yr|year)[ \t]?\d{1,2}\)"
    r"|[ \t]*,[ \t]*(?i:y|yr|year)[ \t]?\d{1,2}\b|[ \t]+(?:is[ \t]+)?in[ \t]+(?:my[ \t]+|our[ \t]+|the[ \t]+)?(?i:y|yr|year)[ \t]?\d{1,2}\b))"
    r"|(?:\b(?i:pupil|child|student|boy|girl|learner)[ \t]+(?P<i2>[A-Z]{2,3}(?:-[A-Z]{1,2})?)(?=[ \t]+(?:has|had|is|was|needs|keeps|refuses|joined)\b))"
    r"|(?:(?<![\w\-])(?P<i3>[A-Z]{1,2}-[A-Z]{1,2})(?=[ \t]+(?:has|had|is|was|needs|keeps|refuses|refused|joined|started|"
    r"arrived|struggles|can't|won't|doesn't)\b|['’]s[ \t]+[a-z]))"
    # A tribunal case is named by the child's initials: "KM v Kent County Council", "Re AB".
    r"|(?:(?<![\w\-])(?P<i4>[A-Z]{1,3}(?:-[A-Z]{1,2})?)(?=[ \t]+v\.?[ \t]+[A-Z][a-z]))"
)
# Capital initials where only a person stands: "JS's mum", "boy (JS)", "a pupil, DW, who…", "initials MH",
# "HJ has…", "Can TM have a reader…", "annual review for HJ next week".
_INITIALS_CONTEXT_RE = re.compile(
    r"(?<![\w\-.])(?P<a>[A-Z]{2,3})['’]s[ \t]+(?=(?:mum|mam|mom|dad|mother|father|parents?|carers?|nan|gran|sister|brother|"
    r"twin|EHCP|EHC|plan|needs|behaviour|attendance|diagnosis|review|support|TA|teacher|class|key[ \t]+worker|reading|"
    r"writing|progress|medication|IEP|ILP|one-page|profile|social[ \t]+worker|school|file|case|referral|assessment|"
    r"report|funding|top-up|place|placement|transport)\b)"
    r"|\b(?i:boy|girl|pupil|child|student|learner|son|daughter|lad|twin)[ \t]*\([ \t]*(?P<b>[A-Z]{2,3})[ \t]*\)"
    r"|\b(?i:pupil|child|student|learner|(?:mum|dad|mother|father|parents?|carers?)[ \t]+of)[ \t]+(?P<h>[A-Z]{2,3})(?![\w\-])"
    # A row or a bullet opened by initials: "- JS: phonics phase 3", "KL - referred to STLS".
    r"|(?:^|\n)[ \t]*(?:[-•*·][ \t]*|\d{1,2}[.)][ \t]*)?(?P<k>[A-Z]{2,3})(?=[ \t]*(?::|[ \t]-[ \t]|[ \t]–[ \t]))"
    r"|\b(?i:boy|girl|pupil|child|student|learner|son|daughter|lad)[ \t]*,[ \t]*(?P<c>[A-Z]{2,3})[ \t]*,"
    r"|\b(?i:initials?)(?:[ \t]+only)?[ \t]*[:\-–]?[ \t]*(?P<d>[A-Z](?:[A-Z.'’\-]{0,6}[A-Z])?\.?)(?![\w])"
    r"|(?<![\w\-.])(?P<e>[A-Z]{2,3})(?=[ \t]+(?:has|had|hasn't|is|was|isn't|wasn't|needs|keeps|refuses|refused|joined|started|"
    r"arrived|struggles|struggled|can't|won't|doesn't|didn't|hits|hit|kicked|cries|cried|loves|likes|wants|gets|got|"
    r"went|sits|said|told|ran|absconded|became|seems|seemed)\b)"
    r"|\b(?:[Cc]an|[Cc]ould|[Ss]hould|[Dd]oes|[Dd]id|[Ww]ould|[Mm]ay)[ \t]+(?P<f>[A-Z]{2,3})(?=[ \t]+(?:have|get|go|attend|sit|"
    r"access|use|be|need|join|start|stay|take|do|apply)\b)"
    r"|\b(?:for|with|about|supporting|support)[ \t]+(?P<g>[A-Z]{2,3})(?=[ \t]+(?:next|this|last|on|in|at|today|tomorrow|"
    r"yesterday|tonight|please|now|soon|since|because|who|which|and[ \t]+(?:his|her)|[-–])\b|[ \t]*[.?!,;]|[ \t]*$)"
)
# Initials in a list before what children are or do: "JS, KL and TM all need…", "AB and CD (Y5)".
_INITIALS_LIST_RE = re.compile(
    r"(?<![\w\-.])(?P<list>[A-Z]{2,3}(?:[ \t]*,[ \t]*[A-Z]{2,3})*[ \t]*,?[ \t]+(?:and|&)[ \t]+[A-Z]{2,3})(?![\w\-])"
    r"(?=[ \t]+(?:both|all|each|are|were|have|had|need|needs|keep|still|will|in[ \t]+(?:y|yr|year))\b|[ \t]*\((?i:y|yr|year))"
)
# An initial and a listed surname without a dot ("J Smith in Year 4"), a given name and a surname's initial
# with a dot ("Jay S. in Year 4").
_BARE_INITIAL_SURNAME_RE = re.compile(r"(?<![\w.\-])(?P<initial>[B-HJ-Z])[ \t]+(?P<surname>[A-Z][a-z][\w'’\-]*)")
_GIVEN_INITIAL_RE = re.compile(r"(?<![\w\-])(?P<given>[A-Z][a-z][\w'’\-]*)[ \t]+(?P<initial>[A-Z])\.(?![\w])")
# Initials with a hyphen for a double-barrelled surname ("K.L.-B.", "P.K.-O.") are nobody's abbreviation.
_HYPHEN_INITIALS_RE = re.compile(r"(?<![\w.])(?:[A-Z]\.[ \t]?){1,3}-[ \t]?[A-Z]\.?(?:-?[A-Z]\.?)?(?![\w])")
# A lone initial after a name ("[name] A. (Y6)") is the surname's.
_INITIAL_AFTER_NAME_RE = re.compile(r"(?<=\[name\][ \t])[A-Z]\.(?=[ \t]*(?:\(|,|;|$|\n|[ \t][a-z]))")
# A lone initial standing for a child before what only a person does: "J. has been refusing", "M. (Y3) is".
_LONE_INITIAL_RE = re.compile(
    r"(?<![\w.])(?P<i>[A-Z])\.(?=[ \t]+(?:has|had|is|was|needs|keeps|refuses|refused|joined|started|arrived|"
    r"struggles|can't|won't|doesn't|didn't)\b|[ \t]*\((?i:y|yr|year)[ \t]?\d{1,2}\))")
_COMMON_ACRONYMS = set(
    """
    EHCP EHC SEN SEND SEMH ASD ASC ADHD ADD EAL PP FSM LAC CLA CIN CP TA TAS LSA HLTA EP EPS SALT SLT OT CAMHS STLS KS
    SATS PE RE DT IT ICT PSHE RSE LA SLT DSL HT DHT GCSE EYFS PRU AP MLD SLD PMLD SPLD VI HI MSI PD CI SLCN PDA ODD OCD
    GP NHS DFE SIR LIFT PRG NPQ AET CPD INSET IEP ILP PSP APDR EBSA FE HE SATS YR EY KS1 KS2 SSP BSL PECS TEACCH
    ELSA NASS ESFA IPSEA SENDIST ADHD MH CYP YP MAT HNF DAF PEP VSH CSC EHA TAF SEMHL SPOC LAL LO
    KCC DCC BBC ITV NHS UK US EU UN OK TV PC HR PR CV ID IQ MP PA AM PM NB PS QA FAQ CEO CFO SMT MAT LGB CEO
    SAT MFL PTA PTFA SLA DBS DPO GDPR SAR FOI KPI RAG BSL AAC OCR PDF URL ICO CAF EWO ESW ESO FLO LAC PLAC SGO
    CLA CIC VS VSH PEP EBD BESD SPLD SLI DLD DCD ASC FASD PMLD HI VI MSI QTVI QTHI OT PT CAMHS YOT SW CSW MASH
    LADO SENCO SENCOS SENDCO DSL DDSL SLT MLT TLR NQT ECT ITT SCITT PGCE HLTA LSA TA SNA EAL ESOL NEET KS3 KS4 KS5
    GCSE BTEC VTEC ALS EHE EOTAS AP PRU CME CIN CP LA LEA DFE OFSTED HMI SEF SDP SIP IDP PPG PP FSM UIFSM
    SIMS CPOMS MIS IT ICT DT PE RE RS PSHE RSE STEM IB LAMDA ABA TEACCH PECS SCERTS WISC BPVS CELF TOWRE YARC
    AET NAS BDA ADDISS IPSEA SENDIASS KIAS SENDIAS PCF CAB GP AE AED ED ER PICU CCG ICB HV SN PDA ODD OCD
    ULN UPN DOB NHS NI NINO URN UKPRN TBC TBA ASAP RSVP ETA FYI AKA CC BCC RE FW FWD EHCNA EHCNAS SENCOS TAS
    TAC ARP SRP SRB RB HNB ISP PFA SRE LSU PSU ASP DLA PIP UC CB JSNA EIP ELG GLD EYPP FEEE SENIF PRP CAT NVR VR SDQ
    BAS ADOS ADI AI AR EYS EYFS SEMH LDD ALN SSE KSENDIAS SALT STL SBS AIP TOR AGM CIO LTD PLC QC KC JP SEND
    AOB WIP FAO FWIW IMO IMHO BTW LOL ICYMI DM OOO ASAP II III IV VI VII VIII IX XI XII XIV NEW OLD ALL ANY AND THE FOR
    """.split()
)
# Words that a letter can follow without being an initial ("Plan B. Smith…", "Section F. Provision").
_LETTER_LABELS = {
    "Plan", "Section", "Sections", "Appendix", "Part", "Stage", "Year", "Tier", "Grade", "Band", "Group", "Set",
    "Class", "Level", "Vitamin", "Option", "Type", "Form", "Block", "Room", "Wave", "Step", "Phase", "Annex", "Table",
}
# Place words that are surnames too but, after a given name, are far more often a park or a street.
_PLACE_ONLY = {"Park", "Lane", "Street", "Road", "Way", "Avenue", "Drive", "Close", "Place", "Grove", "Bay", "Lake",
               "Valley", "Inn", "Hotel", "University", "Hospital", "Surgery", "Clinic", "Council"}
# What a presenter or officer has that a forum talks about: "Georgette's tribunal guide", "Clara's email".
# A presenter's first name in a possessive is kept only before these ("Emily's mum" is a pupil's).
_FORUM_POSSESSION_RE = re.compile(
    r"[ \t]+(?:\w+[ \t]+){0,2}?(?:guide|guides|slides?|session|sessions|talk|presentation|webinar|deck|e-?mail|"
    r"address|number|team|role|training|advice|update|updates|resources?|template|toolkit|course|workshop|"
    r"contact|details|phone|office|department|service|newsletter|post|message|answer|reply|section|part|"
    r"point|points|question|link|handout|bit|input|work|book|article|blog|video|recording|powerpoint|ppt|"
    r"feedback|comments?|explanation|overview|summary|checklist|flowchart|timeline|model|framework)\b",
    re.IGNORECASE,
)
_MONTHS_ALL = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"}
_SEASONS = {"Spring", "Summer", "Autumn", "Winter"}
_MONTHS = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
}

# Words after a name that make it a person ("Will has been excluded",
# "Summer joined us") but that a month or a modal does not take
# ("April is when…" is handled by the month rule below).
_PERSON_NEXT = set(
    """
    has had hasn't hadn't is isn't was wasn't needs needed joined joins lives lived arrived arrives
    swears got gets sits keeps kept goes went attends attended started starts moved moves left came
    comes threw refuses refused struggles struggled loves likes said says wants wanted can't cannot
    doesn't didn't won't does did will would should could may might must also are were
    """.split()
)
_YEAR_GROUP_RE = re.compile(
    r"[ \t]*(?:[(,\-–][ \t]*)?(?:(?:is|was|are|were)[ \t]+(?:now[ \t]+|still[ \t]+)?(?=in\b))?"
    r"(?:(?:in|from)[ \t]+(?:our[ \t]+|my[ \t]+|the[ \t]+)?)?"
    r"(?:(?:year|yr|y)[ \t]?\d{1,2}\b|reception\b|nursery\b|sixth[ \t]+form\b)",
    re.IGNORECASE,
)
_PRONOUN_AFTER_RE = re.compile(r"[ \t]*(?:[-–,(][ \t]*(?:she|he|they)\b|[?.!][ \t]+(?:She|He|she|he)\b|\([ \t]*\w+['’]s[ \t]+(?:mum|dad|mother|father|nan|gran|carer|sister|brother)\b)")
_POSSESSIVE_RE = re.compile(r"['’]s\b")
# "Ivy (d.o.b …)", "Mason Turner, born …", "Kai (aged 7)": a birth date or age right after a name.
_BIRTH_AFTER_RE = re.compile(
    r"[ \t]*[(,\-–:][ \t]*(?:d\.?[ \t]?o\.?[ \t]?b\b|dob\b|born\b|date[ \t]+of[ \t]+birth\b|aged?[ \t]+\d|\d{1,2}[ \t]*(?:yo|y/o|years?[ \t]+old)\b"
    r"|upn\b|uln\b|nhs\b)",
    re.IGNORECASE,
)
# After a possessive, a school acronym is the child's ("Riley's UPN", "Anaya's EHCP").
_POSSESSIVE_ACRONYM_RE = re.compile(r"[ \t]+[A-Z]{2,6}s?\b")
_TAG_RE = re.compile(r"\[(?:name)\]")
# A child's needs or plan right after the word: "We have Tyrone with an EHCP", "Ruby, with ADHD,".
_WITH_NEED_RE = re.compile(
    r"[ \t]*,?[ \t]+with[ \t]+(?:an?[ \t]+|his[ \t]+|her[ \t]+|their[ \t]+|suspected[ \t]+|diagnosed[ \t]+)?"
    r"(?:EHCP|EHC[ \t]+plan|SEN[ \t]+support|SEMH|ADHD|ASD|ASC|autism|dyslexia|dyspraxia|PDA|global[ \t]+delay|"
    r"an?[ \t]+diagnosis|diagnosis|speech[ \t]+and[ \t]+language|cerebral[ \t]+palsy|Down)\b",
    re.IGNORECASE,
)
# What schools measure about one child, just before the word: "Attendance for Ruby rose by 20%".
_MEASURE_FOR_RE = re.compile(
    r"\b(?:attendance|behaviour|behavior|progress|attainment|engagement|punctuality|reading[ \t]+age|"
    r"exclusions?|suspensions?)[ \t]+(?:for|of)[ \t]+$",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")

# Capitalised words that begin or continue a title, place or organisation:
# a given name next to them is part of that name ("Rose Review", "Joy Lane",
# "Faith school", "Carol service").
_ORG_NEXT = set(
    """
    Review Inquiry Report Lane Road Street Park Valley Hotel Network Group Team Policy Plan Plans
    School Schools Primary Academy College Centre Trust Service Services Forum Framework Standards
    Continuum Award Hall House Court Close Way Avenue Drive Grove Place Hill Church Chapel Bay
    University Hospital Surgery Clinic Council Inn Lake Green Street Department Unit Base
    """.split()
)
_ORG_NEXT_LOWER = {
    "school", "schools", "service", "services", "department", "period", "group", "groups", "term",
    "review", "pupils", "children", "rating", "rag", "tracker", "band", "class", "team", "report",
    "setting", "provision", "unit", "base", "lane", "road", "street", "park", "primary",
    # Rooms, clubs and programmes schools name after flowers, trees and virtues ("Willow room", "Hope project").
    "room", "classroom", "club", "hub", "house", "award", "project", "programme", "scheme", "approach", "model",
    "framework", "funding", "therapy", "tree", "centre", "trust", "cluster", "network",
}
_LABEL_RE = re.compile(
    r"(?im)^[ \t]*(?:name|student|pupil|child|young[ \t]+person|(?:child|pupil)['’]?s?[ \t]+(?:first[ \t]+|full[ \t]+)?name)"
    r"[ \t]*:[ \t]*(?P<names>[^\W\d_][\w'’\-]*(?:[ \t]+[^\W\d_][\w'’\-]*){0,2})"
)
_CALLED_RE = re.compile(
    r"\b(?:goes[ \t]+by|known[ \t]+as|called|named|name[ \t]+is|calls[ \t]+(?:him|her)self)[ \t]+['‘\"“]?(?P<name>[A-Z][\w'’\-]*)"
)
_TITLE_RE = re.compile(
    r"(?<![\w])(?P<title>Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Rev|Revd|Pastor|Imam|Rabbi|mr|mrs|ms|dr|MR|MRS|MS|DR)\.?[ \t]+"
    r"(?:(?:and|&)[ \t]+(?:Mr|Mrs|Ms|Miss|Mx|Dr|mr|mrs)\.?[ \t]+)?"
    r"(?P<name>[^\W\d_][\w'’\-]*)(?:[ \t]+(?P<second>[A-Z][\w'’\-]*))?"
)
# "the boy in my class, Will, has…", "my son, Ivy's twin, …": a given name set off by commas after a child noun.
_APPOSITION_RE = re.compile(
    r"\b(?i:boy|girl|pupil|child|student|learner|son|daughter|lad|twin|brother|sister)\b[^.!?\n,;:]{0,30},[ \t]*"
    r"(?P<name>[A-Z][a-z][\w'’\-]*)[ \t]*,"
)
_KIN_AFTER_RE = re.compile(
    r"[ \t]+(?:are|were)[ \t]+(?:both[ \t]+|all[ \t]+)?(?:twins|triplets|siblings|brothers|sisters|cousins|in[ \t]+(?:year|yr|y[ \t]?\d|reception))",
    re.IGNORECASE)
_KIN_IN_BRACKETS_RE = re.compile(
    r"[ \t]*\([^)\n]{0,30}?\b(?i:twins?|siblings?|brothers?|sisters?|cousins?|reception|nursery|year[ \t]?\d|yr[ \t]?\d|y\d)"
)
# Person-only participles after "has"/"had"/"is"/"was": "Hope has refused…", "Faith was excluded…".
_ANIMATE_PARTICIPLE_RE = re.compile(
    r"[ \t]+(?:has|had|hasn't|hadn't|is|was|isn't|wasn't)[ \t]+(?:not[ \t]+|now[ \t]+|just[ \t]+|also[ \t]+)?"
    r"(?:refused|joined|started|arrived|absconded|moved|attended|been[ \t]+(?:excluded|suspended|diagnosed|assessed|referred|"
    r"absent|off|refusing|self-harming|hitting|kicking|crying|seen)|excluded|suspended|diagnosed|crying|refusing|hitting|"
    r"kicking|screaming|absent|off[ \t]+school)\b"
)
# Lower case, a dictionary-word name opening a sentence before what only a person does:
# "precious keeps asking for…", "faith finished the Boxall profile".
_LOWER_PERSON_NEXT_RE = re.compile(
    r"[ \t]+(?:keeps[ \t]+[a-z]+ing|kept[ \t]+[a-z]+ing|finished|completed|scored|wrote|drew|refuses|refused|"
    r"told|asked|cried|screamed|hit|kicked|joined|arrived|absconded)\b"
)
# Capitalised mid-sentence after a word that takes a person ("the bundle for Sonny today", "working with
# Poppy"): an everyday word written with a capital there is a proper noun.  Colours are ratings and groups.
_PERSON_OBJECT_BEFORE_RE = re.compile(
    r"(?<![A-Z])\b(?:for|with|to|from|about|told|asked|helped|help|helping|support|supporting|see|saw|met|meet|"
    r"meeting|observed|assess|assessed|referred|refer|teach|teaching|taught|includes|including|between)[ \t]+$"
)
_MODAL_BEFORE_RE = re.compile(r"(?:^|[.!?\n]\s*|\b(?:if|whether|and|so)[ \t]+)(?:Can|Could|Should|Does|Did|Would|Will|Might|"
                              r"Must|Is|Was|Has|can|could|should|does|did|would|will|might|must|is|was|has)[ \t]+$")
_MODAL_VERB_AFTER_RE = re.compile(r"[ \t]+(?:still[ \t]+|now[ \t]+|also[ \t]+)?(?:have|get|go|attend|sit|access|use|need|join|"
                                  r"start|stay|take|apply|come|move|return|transfer|qualify|eligible|entitled|allowed|"
                                  r"been[ \t]+(?:assessed|referred|excluded|seen|diagnosed)|be[ \t]+(?:assessed|referred|"
                                  r"excluded|moved|given|allowed|entered|disapplied|put|placed|offered))\b")
_COLOURS = {"Amber", "Red", "Green", "Blue", "Gold", "Silver", "Bronze", "Purple", "Orange", "White", "Black", "Grey",
            "Gray", "Brown", "Pink", "Yellow"}
# A sign-off: the line after "Many thanks" / "Kind regards" holds the writer's name ("Jo", "Will", "Sarah Jones x").
_SIGN_OFF_RE = re.compile(
    r"(?m)^[ \t]*(?i:(?:many[ \t]+|huge[ \t]+)?thanks(?:[ \t]+(?:again|in[ \t]+advance|so[ \t]+much|all))?|thank[ \t]+you(?:[ \t]+all)?|"
    r"(?:kind|best|warm|warmest|many)[ \t]+(?:regards|wishes)|regards|best|cheers|ta|thx|yours[ \t]+(?:sincerely|faithfully)|"
    r"with[ \t]+thanks)[ \t]*[,.!]*[ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]*"
    r"(?P<names>[A-Z][\w'’\-]*(?:[ \t]+[A-Z][\w'’\-]*){0,2})[ \t]*(?:x+)?[ \t]*[.!]?[ \t]*$"
)
_FAMILY_RE = re.compile(
    r"\b[Tt]he[ \t]+(?P<name>[A-Z][\w'’\-]+?)(?:[ \t]+family\b|s[ \t]+(?=(?:have|are|were|want|said|say|asked|came)\b))"
)
# Adults named by their role right after the name are school staff the
# forum talks about openly ("Mr Smith the headteacher").
_STAFF_APPOSITION_RE = re.compile(
    r"[ \t]*,?[ \t]*(?:the|our)[ \t]+(?:head(?:teacher)?|deputy(?:[ \t]+head)?|principal|senco|chair)\b",
    re.IGNORECASE,
)
_GRAMMAR = set(
    """
    I A An The This That These Those There Their They He She We You It His Her Him Them Our Us My
    Your Its Who What When Where Why How Which And Or But If So As At In On Of To For From With By
    Is Are Was Were Be Has Have Had Do Does Did Not No Yes Please Thanks Thank Hi Hello Dear
    Kelsi KELSI
    """.split()
)


def _norm(word: str) -> str:
    """Title-case each part so that "jayden", "JAYDEN" and "Jayden" look the same."""
    return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))


def _starts_clause(text: str, index: int) -> bool:
    before = text[:index].rstrip(" \t")
    return not before or before[-1] in ".!?\n:;-–(\"“'‘"


def _strip_possessive(word: str) -> str:
    for suffix in ("'s", "’s"):
        if word.endswith(suffix) and len(word) > 3:
            return word[:-2]
    if word.endswith(("s'", "s’")) and len(word) > 3:
        return word[:-1]
    return word


class NameFinder:
    """Propose (start, end) spans of person names in a message."""

    def __init__(self, not_names: frozenset[str], public_first_names: frozenset[str],
                 public_surnames: frozenset[str] = frozenset()) -> None:
        self.given, self.surnames, self.words = lexicon()
        self.dictionary = dictionary_names()
        self.not_names = not_names
        self.public_first = public_first_names
        self.public_surnames = public_surnames
        # Month abbreviations that are also given names ("Jan"): a person only before a surname.
        self.month_names = frozenset(m for m in _MONTH_ABBREVIATIONS if m in self.given)

    # A word is a given name if it, or every part of a hyphenated form, or
    # its first part, is in the list ("Amelia-Rose", "Tiana-Marie").
    def is_given(self, word: str) -> bool:
        n = _norm(word)
        if n in self.given:
            return True
        parts = n.split("-")
        return len(parts) > 1 and all(x in self.given for x in parts)

    def ambiguous(self, word: str) -> bool:
        # "Molly-Rose" is no English word even though "molly" and "rose" are.
        n = _norm(word)
        return n in self.words or n in _MONTHS

    def find(self, text: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        spans += self._titles(text)
        spans += [(m.start("name"), m.end("name")) for m in _FAMILY_RE.finditer(text) if m.group("name") not in self.not_names]
        spans += self._labels(text)
        spans += self._called(text)
        spans += self._sign_off(text)
        spans += [(m.start("name"), m.start("name") + len(_strip_possessive(m.group("name"))))
                  for m in _APPOSITION_RE.finditer(text)
                  if self.is_given(_strip_possessive(m.group("name"))) and m.group("name") not in _GRAMMAR
                  and _norm(m.group("name")) not in _MONTHS_ALL]
        spans += self._gazetteer(text)
        spans += self._initials(text)
        spans += self._name_lists(text)
        return spans

    def _name_lists(self, text: str) -> list[tuple[int, int]]:
        """"amir, faith and josh are in year 3", "pupils: kacper, summer, lily-mae": every word of a list
        is a given name, and the list is followed by what children are or need, or has a clear name in it
        and three members or a child cue before it."""
        out = []
        for m in _LIST_RE.finditer(text):
            words = [w for w in re.split(r"[ \t]*(?:,[ \t]*(?:and[ \t]+|&[ \t]*)?|[ \t]+(?:and|&)[ \t]+)", m.group()) if w]
            if len(words) < 2 or len({w[:1].isupper() for w in words}) > 1:
                continue
            if not all(self.is_given(_strip_possessive(w)) and _norm(w) not in {"Will", "Can"} and w not in _GRAMMAR
                       and _norm(w) not in self.not_names | _MONTHS_ALL - _SEASONS - {"May", "June", "April", "August"}
                       for w in words):
                continue
            if any(_norm(w) in self.public_first for w in words):
                continue  # "Clara, Ruth and Georgette are presenting": the deck's presenters
            clear = sum(1 for w in words if not self.ambiguous(w) and _norm(w) not in _COLOURS)  # "Amber and Red"
            after = text[m.end():]
            before = text[max(0, m.start() - 30):m.start()]
            context = re.match(r"[ \t]+(?:are|were|need|needs|have|both|all|keep|still|each|will[ \t]+need)\b", after) \
                or _YEAR_GROUP_RE.match(after) \
                or re.search(r"\b(?:pupils|children|students|boys|girls|twins|kids|siblings|learners)[ \t]*(?:are|were|:|-|–|,)?[ \t]*$", before, re.IGNORECASE)
            # "River and Willow (twins, Reception)": a year group or a children's word in brackets right after
            # the list says people even when every name in it is also a word.
            strong_after = _YEAR_GROUP_RE.match(after) or _KIN_IN_BRACKETS_RE.match(after) or _KIN_AFTER_RE.match(after)
            no_calendar = not any(_norm(w) in _SEASONS or _norm(w) in _MONTHS_ALL for w in words)
            if clear >= 1 and (context or len(words) >= 3 and clear >= 2) or clear == 0 and strong_after and no_calendar:
                pos = m.start()
                for w in words:
                    k = text.index(w, pos)
                    out.append((k, k + len(_strip_possessive(w))))
                    pos = k + len(w)
        for m in _UNDOTTED_INITIALS_RE.finditer(text):
            g = next(k for k in ("i", "i2", "i3", "i4") if m.group(k))
            ini = m.group(g)
            if ini in _DOTTED_ABBREVIATIONS or ini in _COMMON_ACRONYMS or ini in self.not_names or _norm(ini) in self.not_names:
                continue
            if len(ini) == 1:
                before = text[max(0, m.start() - 12):m.start()].split()
                if ini in ("I", "A") or before and before[-1].strip("(,:;") in _LETTER_LABELS:
                    continue  # "Plan B (Y5)", "Set A in Y4", "I in Y4"
            out.append((m.start(g), m.end(g)))
        return out

    def _initials(self, text: str) -> list[tuple[int, int]]:
        """"J. Smith" (an initial and a known surname) and dotted initials where the context is a
        person: next to a name, in brackets after one, after a child or family word, or before a
        year group, a birth date or a verb that takes a person ("O.M. has…")."""
        out = []
        for m in _INITIAL_SURNAME_RE.finditer(text):
            sur = _strip_possessive(m.group("surname"))
            before = text[max(0, m.start() - 12):m.start()].split()
            if before and before[-1].strip("(,:;") in _LETTER_LABELS:
                continue
            if sur in self.not_names or sur in _GRAMMAR or sur in _ORG_NEXT or sur in _MONTHS:
                continue
            if _norm(sur) in self.surnames or (self.is_given(sur) and not self.ambiguous(sur)):
                if sur in self.public_surnames:
                    continue
                out.append((m.start(), m.start("surname") + len(sur)))
        out += [(m.start(), m.end()) for m in _HYPHEN_INITIALS_RE.finditer(text)]
        for m in _INITIALS_CONTEXT_RE.finditer(text):
            g = next(k for k in "abcdefghk" if m.group(k))
            ini = m.group(g)
            end = m.end(g)
            if ini.endswith(".") and "." not in ini[:-1]:
                ini, end = ini[:-1], end - 1  # "initials: K-LM." ends a sentence
            letters = re.sub(r"[^A-Z]", "", ini)
            if g != "d" and (ini in _COMMON_ACRONYMS or letters in _COMMON_ACRONYMS or letters in _DOTTED_ABBREVIATIONS \
                    or ini in self.not_names or _norm(ini) in self.not_names or ini in _GRAMMAR or _norm(ini) in _GRAMMAR):
                continue  # after "initials" even "MH" is someone's
            out.append((m.start(g), end))
        for m in _INITIALS_LIST_RE.finditer(text):
            parts = list(re.finditer(r"[A-Z]{2,3}", m.group("list")))
            if any(p.group() in _COMMON_ACRONYMS or p.group() in self.not_names for p in parts):
                continue  # "SEN and EAL pupils", "TAs and HLTAs"
            out += [(m.start("list") + p.start(), m.start("list") + p.end()) for p in parts]
        for m in _BARE_INITIAL_SURNAME_RE.finditer(text):
            sur = _strip_possessive(m.group("surname"))
            before = text[max(0, m.start() - 12):m.start()].split()
            if before and (before[-1].strip("(,:;") in _LETTER_LABELS or before[-1][:1].isupper()
                           and before[-1] not in _GRAMMAR and before[-1] not in _FUNCTION_WORDS):
                continue  # "Plan B Smith…", "Vitamin D Levels", "Block C Annex"
            if sur in self.not_names or sur in _GRAMMAR or sur in _ORG_NEXT or sur in _MONTHS or sur in self.public_surnames:
                continue
            after = text[m.start("surname") + len(sur):]
            listed = _skey(sur) in self.surnames and sur.lower() not in english_words()
            if listed or _skey(sur) in self.surnames and (_YEAR_GROUP_RE.match(after) or _BIRTH_AFTER_RE.match(after)
                                                          or re.match(r"[ \t]+(?:has|had|is|was|needs)\b", after)):
                out.append((m.start(), m.start("surname") + len(sur)))
        for m in _GIVEN_INITIAL_RE.finditer(text):
            given = m.group("given")
            after = text[m.end():]
            if not self.is_given(given) or given in self.not_names or given in _GRAMMAR or given in _FUNCTION_WORDS \
                    or _norm(given) in _MONTHS_ALL or given in _LETTER_LABELS:
                continue
            if _YEAR_GROUP_RE.match(after) or _BIRTH_AFTER_RE.match(after) or _PRONOUN_AFTER_RE.match(after) \
                    or re.match(r"[ \t]+(?:has|had|is|was|needs|keeps|refuses|refused|joined|started)\b", after) \
                    or re.match(r"['’]s[ \t]+[a-z]", after) \
                    or _norm(given) not in {"Will", "May", "Can"} and _norm(given) not in _SEASONS \
                    and re.match(r"[ \t]*(?:$|\n|[,;:)\-–]|[ \t]+[a-z])", after):
                out.append((m.start(), m.end()))  # "re Harry P.", "Tyler B., Ava M. and …"
        out += [(m.start(), m.end()) for m in _INITIAL_AFTER_NAME_RE.finditer(text)]
        for m in _LONE_INITIAL_RE.finditer(text):
            before = text[max(0, m.start() - 12):m.start()].split()
            if m.group("i") not in ("A", "I") and not (before and before[-1].strip("(,:;") in _LETTER_LABELS):
                out.append((m.start(), m.end()))
        for m in _DOTTED_INITIALS_RE.finditer(text):
            letters = re.sub(r"[^A-Z]", "", m.group())
            if len(letters) < 2 or letters in _DOTTED_ABBREVIATIONS or "." not in m.group():
                continue
            if re.match(r"-?[A-Z]", text[m.end():m.end() + 2]):
                continue  # part of a longer dotted form ("C.A.M.H.S.") or the hyphenated rule's
            if letters in _COMMON_ACRONYMS:
                # "the E.P. came", "S.E.N." written with dots; "R.S. (Year 2)" is still a child.
                if _YEAR_GROUP_RE.match(text[m.end():]) or _BIRTH_AFTER_RE.match(text[m.end():]):
                    out.append((m.start(), m.end()))
                continue
            before = text[max(0, m.start() - 40):m.start()]
            label_before = bool(before.split()) and before.split()[-1].strip("(,:;").capitalize() in _LETTER_LABELS
            dots = m.group().count(".")
            if not label_before and (dots >= len(letters) or dots == len(letters) - 1 and not re.search(r"\s", m.group())) \
                    and not re.match(r"[A-Z]", text[m.end():m.end() + 1]):
                # Fully dotted capitals that no school abbreviation spells ("T.B.", "R.D.K.") are initials.
                out.append((m.start(), m.end()))
                continue
            before = text[max(0, m.start() - 40):m.start()]
            after = text[m.end():]
            if (re.search(r"(?:\[name\]|\binitials?)[ \t]*[(:,\-–]?[ \t]*$", before, re.IGNORECASE)
                    or re.search(r"\b(?:pupil|child|student|boy|girl|son|daughter|learner|yp|cyp|mum|dad|mother|father|"
                                 r"carer|sibling|brother|sister)s?[ \t]*[(:,\-–]?[ \t]*$", before, re.IGNORECASE)
                    or _YEAR_GROUP_RE.match(after) or _BIRTH_AFTER_RE.match(after)
                    or re.match(r"[ \t]+(?:" + "|".join(sorted(_PERSON_NEXT)) + r")\b", after)
                    or re.match(r"['’]s[ \t]+[a-zA-Z]", after)):
                out.append((m.start(), m.end()))
        return out

    # -- rules

    def _titles(self, text: str) -> list[tuple[int, int]]:
        out = []
        for m in _TITLE_RE.finditer(text):
            title = m.group("title")
            name = _strip_possessive(m.group("name"))
            if name in _GRAMMAR or _norm(name) in self.not_names and name[0].isupper():
                continue
            if title.islower() and not name[0].islower() and not name[0].isupper():
                continue
            if name[0].islower() and not title.islower():
                continue  # "Dr appointment": a lower-case word after a capitalised title is prose
            end = m.start("name") + len(name)
            if _STAFF_APPOSITION_RE.match(text, m.end()):
                continue
            # A presenter's or officer's surname after a title ("Dr Ekins", "Mrs Steff"): a published name,
            # unless it is a surname common in England ("Mrs Sheppard" could be any parent); "Dr" always.
            if name in self.public_surnames and (title.rstrip(".") in ("Dr", "Prof") or _norm(name) not in self.surnames):
                continue
            second = m.group("second")
            if second and not m.group("name").endswith(("'s", "’s")) and self.is_given(name):
                second = _strip_possessive(second)
                if second not in self.not_names and second not in _ORG_NEXT:
                    end = m.start("second") + len(second)
            out.append((m.start("name"), end))
        return out

    def _sign_off(self, text: str) -> list[tuple[int, int]]:
        out = []
        for m in _SIGN_OFF_RE.finditer(text):
            words = list(_WORD_RE.finditer(m.group("names")))
            first = words[0].group() if words else ""
            if not first or first in _GRAMMAR or first.isupper() or first in self.not_names and _norm(first) not in self.given \
                    or _norm(first) in self.public_first:
                continue  # "SENCO", "The team", a presenter signing off is published
            if not (self.is_given(first) or first.lower() not in english_words()):
                continue
            base = m.start("names")
            for w in words:
                if w.group() in self.not_names and w.group() not in ("Will", "May"):
                    break
                out.append((base + w.start(), base + w.end()))
        return out

    def _labels(self, text: str) -> list[tuple[int, int]]:
        out = []
        for m in _LABEL_RE.finditer(text):
            start = m.start("names")
            for w in _WORD_RE.finditer(m.group("names")):
                if w.group() in self.not_names or w.group() in _GRAMMAR or not w.group()[0].isupper():
                    break
                out.append((start + w.start(), start + w.end()))
        return out

    def _called(self, text: str) -> list[tuple[int, int]]:
        out = []
        for m in _CALLED_RE.finditer(text):
            name = _strip_possessive(m.group("name").rstrip("'’"))
            if name in _GRAMMAR or name in self.not_names or name.isupper():
                continue
            # "a school called Five Acre Wood School": the run of capitalised
            # words ends in an organisation word.
            run = re.match(r"(?:[ \t]+[A-Z][\w'’\-]*){1,3}", text[m.end("name"):])
            if run and any(w in _ORG_NEXT for w in run.group().split()):
                continue
            out.append((m.start("name"), m.start("name") + len(name)))
        return out

    def _gazetteer(self, text: str) -> list[tuple[int, int]]:
        tokens = [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(text)]
        out: list[tuple[int, int]] = []
        accepted: set[int] = set()
        self._accepted = accepted
        for i, (start, end, raw) in enumerate(tokens):
            word = _strip_possessive(raw)
            possessive = word != raw
            wend = start + len(word)
            if not self.is_given(word) or len(word) < 2:
                continue
            if any(ch.isupper() for ch in word[1:]) and not word.isupper() and not re.match(r"(?:Mc|Mac|O['’]|D['’])", word) and "-" not in word:
                continue  # "TAs", "SENCOs", "EHCPs": plurals of acronyms
            if i in accepted:
                continue
            if not self._is_person(text, tokens, i, word, wend, possessive):
                continue
            accepted.add(i)
            out.append((start, wend))
            if possessive:
                continue
            # Surname(s) after the given name: "Noah Asante", "ryan doherty",
            # "Muhammad Ali Rahman"; never across punctuation or a line.
            j, last_end = i + 1, wend
            after_particle = False
            while j < len(tokens) and j <= i + 3:
                s2, e2, raw2 = tokens[j]
                gap = text[last_end:s2]
                if gap not in (" ", "\t", "\u00a0"):
                    break
                w2 = _strip_possessive(raw2)
                if _is_particle(raw2) and self._after_particles(text, tokens, j, word):
                    # "Harry de Souza", "anna van der berg": the particle and the surname after it.
                    accepted.add(j)
                    out.append((s2, e2))
                    last_end = e2
                    j += 1
                    after_particle = True
                    continue
                if not after_particle and not self._surname_like(word, w2) and not (
                        j == i + 1 and w2 in _ORG_NEXT and self._person_before_place_word(text, tokens, i, word, w2)):
                    break
                after_particle = False
                accepted.add(j)
                out.append((s2, s2 + len(w2)))
                if w2 != raw2:
                    break
                last_end = e2
                j += 1
        # "BROWN, Tyler": a capitalised surname before a comma and an accepted given name.
        for i in sorted(accepted):
            if i >= 1:
                s0, e0, w0 = tokens[i - 1]
                if w0.isupper() and len(w0) > 1 and text[e0:tokens[i][0]] in (", ", ","):
                    if _norm(w0) in self.surnames or _norm(w0) in self.given:
                        out.append((s0, e0))
                # "DAVIES-JONES Tyler - Y9", "O'BRIEN Tadhg": a surname in capitals opening a line or a row.
                elif w0.isupper() and len(w0) > 2 and text[e0:tokens[i][0]] == " " \
                        and w0 not in _COMMON_ACRONYMS and w0 not in self.not_names \
                        and all(_skey(p) in self.surnames for p in w0.split("-")) \
                        and re.search(r"(?:^|[\n:;|•\-–])[ \t]*$", text[max(0, s0 - 6):s0]):
                    out.append((s0, e0))
                # "Hughes, Ella" opening a line, a row or a list item: surname first.
                elif w0[:1].isupper() and text[e0:tokens[i][0]] in (", ", ",") and w0 not in self.not_names \
                        and (_norm(w0) in self.surnames or self.is_given(w0)) \
                        and re.search(r"(?:^|[\n:;|•\-–]|\band)[ \t]*$", text[max(0, s0 - 6):s0]):
                    out.append((s0, e0))
        return out

    def _surname_like(self, given: str, word: str) -> bool:
        if not word or word in self.not_names or word in _GRAMMAR or word in _ORG_NEXT or word in _MONTHS:
            return False
        if given.islower():
            if not word.islower() or len(word) < 3 or word in _PERSON_NEXT or word.capitalize() in _GRAMMAR \
                    or word.upper() in self.not_names:
                return False
            parts = _norm(word).split("-")
            # "ryan doherty", "ffion llewellyn-pryce", "o'connor": each part a surname or a given name no dictionary has.
            return all(w in self.surnames or _skey(w) in self.surnames or (w in self.given and w not in self.dictionary)
                       for w in parts)
        if given.isupper():
            return word.isupper() and len(word) > 2 and (
                _norm(word) in self.surnames or _norm(word) in self.given
                or all(_skey(p) in self.surnames for p in word.split("-")))
        if word[0].islower() and ("'" in word or "’" in word) and all(_skey(p) in self.surnames for p in word.split("-")):
            return True  # "Ella o'connor": an apostrophe surname typed in lower case
        return word[0].isupper() and not word.isupper()

    def _is_person(self, text, tokens, i, word, wend, possessive) -> bool:
        start = tokens[i][0]
        n = _norm(word)
        if word in _GRAMMAR or n in self.not_names and n not in _MONTHS and n not in self.month_names:
            return False
        if n in self.month_names:
            # "Jan Kowalski" but "Jan 2025", "Jan/Feb", "Jan half term": only before a surname.
            nxt2 = tokens[i + 1] if i + 1 < len(tokens) else None
            if word[0].isupper() and nxt2 and text[wend:nxt2[0]] == " ":
                w2 = _strip_possessive(nxt2[2])
                return self._unknown_capitalised(w2) and (
                    _norm(w2) in self.surnames or self.is_given(w2) or any(ord(c) > 127 for c in w2))
            return False
        if word in _ORG_NEXT and not possessive:
            return False  # "Penny Lane", "Chase Park": the word ends a place or organisation
        if i > 0 and tokens[i - 1][2] in ("St", "Saint", "ST") and text[tokens[i - 1][1]:start].strip(". \t") == "":
            return False  # "St Mary's", "St Nicholas": a saint, so a church or a school
        if word[:1].isupper() and not possessive and _ORG_RUN_RE.match(text, wend) and not (
                i + 1 < len(tokens) and self._person_before_place_word(text, tokens, i, word, tokens[i + 1][2])):
            return False  # "St Nicholas School", "Mary Hare Primary", "Harvey Grammar School"
        if word.isupper() and len(word) > 1:
            # Capitals are acronyms unless another capitalised name word follows ("LEWIS HARDING").
            if i + 1 < len(tokens) and tokens[i + 1][2].isupper() and len(tokens[i + 1][2]) > 2:
                nxt = _norm(tokens[i + 1][2])
                return text[tokens[i][1]:tokens[i + 1][0]] == " " and (
                    nxt in self.surnames or nxt in self.given or all(_skey(p) in self.surnames for p in nxt.split("-")))
            # A given name in capitals for emphasis in a sentence typed in lower case: "JAYDEN has been excluded",
            # "Re: KACPER - transport".  Not an acronym, not an everyday word.
            if len(word) >= 4 and word not in _COMMON_ACRONYMS and not self.ambiguous(word) and n not in self.not_names \
                    and n not in self.public_first and i + 1 < len(tokens) and re.search(r"[a-z]", tokens[i + 1][2]) \
                    and re.fullmatch(r"[ \t]+(?:[-–][ \t]+)?|[ \t]*\([ \t]*", text[tokens[i][1]:tokens[i + 1][0]]):
                return True
            return False
        after = text[wend:]
        tail = text[tokens[i][1]:]
        if (n in _VIRTUES or n[:-1] in _VIRTUES and n.endswith("s")) and not possessive and re.match(r"[ \t]+of[ \t]+[a-z]", after):
            return False  # "Ray of sunshine", "Joy of reading": a noun, not a person
        strong = bool(
            _YEAR_GROUP_RE.match(after)
            or _PRONOUN_AFTER_RE.match(after)
            or _BIRTH_AFTER_RE.match(after)
            or (possessive and (re.match(r"[ \t]+[a-z]", tail) or _POSSESSIVE_ACRONYM_RE.match(tail)
                                or _YEAR_GROUP_RE.match(tail)))
        )
        # Next to a name already redacted in an earlier pass ("Jack [name]", "aisha and [name]"),
        # a given name is part of the same name or a second child.
        beside_tag = bool(
            re.match(r"[ \t]+\[name\]", text[wend:])
            or re.search(r"\[name\][ \t]*$", text[max(0, start - 12):start])
            or re.match(r"[ \t]+(?:and|&)[ \t]+\[name\]", text[wend:])
        ) and n not in {"Will", "May", "Can"} and n not in _MONTHS
        # "Thanks Siobhan", "Georgette's tribunal guide": a presenter's or officer's first name, even in a
        # possessive; only a child's context (a year group, a pronoun, a birth date) makes it a pupil.
        if n in self.public_first and not (_YEAR_GROUP_RE.match(after) or _PRONOUN_AFTER_RE.match(after)
                                           or _BIRTH_AFTER_RE.match(after)
                                           or possessive and not _FORUM_POSSESSION_RE.match(tail)):
            return False
        if word in self.public_surnames and i > 0 and tokens[i - 1][2] in _TITLE_WORDS \
                and text[tokens[i - 1][1]:start].strip(". \t") == "" \
                and (tokens[i - 1][2] in ("Dr", "Prof") or n not in self.surnames):
            return False  # "Mrs Steff", "Dr Ekins": a presenter's surname after a title
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        next_word = nxt[2] if nxt and text[wend:nxt[0]].strip(" \t") == "" else None
        if next_word and (next_word in _ORG_NEXT or next_word.lower() in _ORG_NEXT_LOWER and not possessive):
            if not strong and not self._person_before_place_word(text, tokens, i, word, next_word):
                return False
        if word.islower():
            if len(word) < 3 or word.upper() in self.not_names or n in _GRAMMAR:
                return False  # "sen support", "kelsi pages": acronyms typed in lower case
            if beside_tag and n not in self.dictionary:
                return True
            clause_start = _starts_clause(text, start)
            if n == "Will" and clause_start and re.match(r"[ \t]+(?:is|was|has|had|needs|keeps)[ \t]+(?!been\b|to\b)", after) \
                    and (_YEAR_GROUP_RE.match(after) or re.search(r"\b(?:he|his|him)\b", text[wend:wend + 60])):
                return True  # "will is in year 4 and has adhd": a modal is never followed by "is"
            if n not in {"Will", "May", "Can"} and n not in _MONTHS and n not in _SEASONS and (
                    _MODAL_BEFORE_RE.search(text[max(0, start - 10):start]) and _MODAL_VERB_AFTER_RE.match(after)
                    or self.ambiguous(word) and clause_start and _ANIMATE_PARTICIPLE_RE.match(after)):
                return True  # "is leo eligible for transport?", "grace has been absent"
            if n not in {"Will", "May", "Can", "Mark", "Bill"} and n not in _MONTHS and n not in _SEASONS:
                pair_end = self._lower_pair_end(text, tokens, i, word, wend, next_word)
                if pair_end is not None:
                    return True
            if self.ambiguous(word) and n not in {"Will", "May", "Can"} and n not in _MONTHS and n not in _SEASONS \
                    and next_word and next_word in _ANIMATE_NEXT and not re.search(r"\b(?:the|a|an|my|our|your|their|his|her|of|in|on|with|for)[ \t]+$", text[max(0, start - 8):start]):
                return True  # "ruby keeps running out", "josh refused to come in": only a person does that
            if self.ambiguous(word) and n not in {"Will", "May", "Can"} and n not in _MONTHS and n not in _SEASONS \
                    and _LOWER_PERSON_NEXT_RE.match(after) and _starts_clause(text, start):
                return True  # "precious keeps asking…", "faith finished the Boxall profile"
            if self.ambiguous(word):
                # "jack's top up" but not "boy in my Year 3 class".
                return possessive and bool(re.match(r"[ \t]+[a-z]", text[tokens[i][1]:]))
            # The list holds words that are names somewhere ("tools", "levels"),
            # so lower case needs a person's context too, only a weaker one.
            if strong or (next_word and next_word.lower() in _PERSON_NEXT):
                return True
            # A given name that is no dictionary word ("jayden", "aisha", "chidi") is a name typed
            # in lower case, unless an organisation word follows (handled above).
            if n not in self.dictionary and n in self.given and len(word) > 3:
                return True  # three letters typed in lower case are as often a fragment ("sho…")
            return bool(next_word and next_word.islower() and _norm(next_word) in self.surnames and _norm(next_word) not in self.words)
        # A capitalised word inside a longer capitalised phrase that is not
        # at a sentence start belongs to that phrase ("Mercure Great Danes").
        if i > 0 and not strong:
            ps, pe, pw = tokens[i - 1]
            gap = text[pe:start]
            if gap.strip(" \t") == "" and pw[0].isupper() and pw not in _GRAMMAR and pw not in _FUNCTION_WORDS:
                if not (self.is_given(_strip_possessive(pw)) or pw in TITLES or pw in {"Hi", "Dear", "Thanks", "Re"}):
                    return False  # "SEND Quality Assurance", "Mercure Great Danes"
            if gap.strip(" \t") == "" and pw in ("The", "the") and next_word and next_word[0].isupper():
                return False  # "The Best Practice Network"
        if not self.ambiguous(word):
            return True
        if strong or beside_tag:
            return True
        # "Lee and Donna": the first of a pair whose second is a clear name.
        if next_word in ("and", "&") and i + 2 < len(tokens):
            w3 = _strip_possessive(tokens[i + 2][2])
            if w3[:1].isupper() and not w3.isupper() and self.is_given(w3) and not self.ambiguous(w3) and w3 not in self.not_names:
                return True
        # "Shay and Paddy": the second of a pair whose first is a name.
        if i >= 2 and tokens[i - 1][2] in ("and", "&") and (i - 2) in self._accepted:
            return True
        if n in _MONTHS:
            # "April Kowalczyk", "June Okafor": a month before a surname no dictionary has is a person.
            if next_word and self._unknown_capitalised(_strip_possessive(next_word)):
                w2 = _strip_possessive(next_word)
                if (_norm(w2) in self.surnames or any(ord(c) > 127 for c in w2)) and w2.lower() not in english_words():
                    return True
            return bool(re.match(r"[ \t]+(?:has|had|is[ \t]+an?|was[ \t]+an?)\b", after))
        # Weak context still says "child" when it is about needs or a measure of one pupil, unless
        # the word is a half term ("Attendance for Autumn 2") or ends a place ("Joy Lane with an EHCP unit").
        if (_WITH_NEED_RE.match(after) or _MEASURE_FOR_RE.search(text[max(0, start - 40):start])) \
                and not re.match(r"[ \t]*\d", after) and word not in _ORG_NEXT \
                and not (i > 0 and tokens[i - 1][2][:1].isupper() and text[tokens[i - 1][1]:start] == " "):
            return True
        if _MODAL_BEFORE_RE.search(text[max(0, start - 10):start]) and _MODAL_VERB_AFTER_RE.match(after) \
                and n not in _MONTHS and n not in _SEASONS and n not in {"Will", "May", "Can"}:
            return True  # "Can Ruby have a reader?", "Should Hope still attend…"
        if _ANIMATE_PARTICIPLE_RE.match(after) and n not in {"Will", "May", "Can"}:
            return True  # "Hope has refused to come in", "Sonny was excluded"
        if _PERSON_OBJECT_BEFORE_RE.search(text[max(0, start - 16):start]) and n not in _MONTHS and n not in _SEASONS \
                and n not in {"Will", "May", "Can"} and word not in _COLOURS and word not in _ORG_NEXT \
                and not (next_word and (next_word[:1].isupper() or next_word.lower() in _ORG_NEXT_LOWER)) \
                and not re.match(r"[ \t]*\d", after):
            return True  # "the tribunal bundle for Sonny today"
        if (n in _SEASONS or n in _COLOURS) and next_word and next_word.lower() in _PERSON_NEXT:
            # "Summer joined us" but not "Spring starts in January" or "Autumn is busy": a season takes a
            # verb only a person takes, and a term starts, begins and ends.
            return next_word.lower() in _ANIMATE_NEXT - {"starts", "started", "start", "moved", "moves"}
        if n in _VIRTUES and next_word and next_word.lower() in _PERSON_NEXT:
            # "Faith joined in Year 10" but not "Patience is wearing thin": only verbs that need a
            # person as their subject count for a virtue name.
            return next_word.lower() in _ANIMATE_NEXT
        if next_word and next_word.lower() in _PERSON_NEXT:
            # "Will you…", "May I…" never reach here: the next word is a pronoun.
            return not (n in {"Will", "May", "Can"} and next_word.lower() in {"also", "and", "will", "would", "should", "could", "may", "might", "must", "can't", "cannot", "does", "did"})
        # "Precious Adeyemi": an ambiguous given name followed by a surname.
        if n in {"Will", "May", "Can"}:
            return False  # a modal opening a question: "Will Noor's plan…"
        # "Harry Potter is in Year 3", "with Jack Baker's mum": both words are everyday words, but a listed
        # given name, then a listed surname, then what a person is, has or does.
        if next_word and next_word[:1].isupper() and not next_word.isupper() and i + 1 < len(tokens) \
                and _norm(_strip_possessive(next_word)) in self.surnames and next_word not in self.not_names \
                and next_word not in _ORG_NEXT and n not in _MONTHS and n not in _SEASONS:
            tail2 = text[tokens[i + 1][1]:]
            if next_word != _strip_possessive(next_word) and re.match(r"[ \t]+[a-z]", tail2) \
                    or _YEAR_GROUP_RE.match(tail2) or _BIRTH_AFTER_RE.match(tail2) or _PRONOUN_AFTER_RE.match(tail2) \
                    or _WITH_NEED_RE.match(tail2) or _ANIMATE_PARTICIPLE_RE.match(tail2) \
                    or re.match(r"[ \t]+(?:is|was|are)[ \t]+in[ \t]+(?:year|yr|y[ \t]?\d|reception|nursery)", tail2, re.I) \
                    or re.match(r"[ \t]+(?:" + "|".join(sorted(_ANIMATE_NEXT | {"needs", "keeps", "has", "had"})) + r")\b", tail2):
                return True
        # "Harry de Souza": a name particle between the given name and a capitalised surname.
        if next_word and _is_particle(next_word) and self._after_particles(text, tokens, i + 1, word):
            return True
        # "Grace Wanjiru Kamau has…": one or two capitalised words that are no everyday word, then a verb
        # that takes a person, a year group or a birth date.
        if self._capitalised_run_then_person(text, tokens, i):
            return True
        nw = _norm(_strip_possessive(next_word)) if next_word else ""
        if next_word and next_word[0].isupper() and not next_word.isupper() and nw not in self.words and next_word not in self.not_names:
            return nw in self.surnames or nw in self.given or next_word != _strip_possessive(next_word) \
                or any(ord(c) > 127 for c in next_word)
        return False

    def _after_particles(self, text, tokens, j, given) -> bool:
        """True if the particle(s) from token j on are followed by a surname ("de Souza", "van der berg")."""
        k = j
        while k < len(tokens) and _is_particle(tokens[k][2]) and k < j + 2:
            if k + 1 >= len(tokens) or text[tokens[k][1]:tokens[k + 1][0]] != " ":
                return False
            k += 1
        if k >= len(tokens) or _is_particle(tokens[k][2]):
            return False
        w = _strip_possessive(tokens[k][2])
        if given[0].isupper():
            return self._unknown_capitalised(w) or self._surname_like(given, w)
        return w.islower() and len(w) > 2 and w.capitalize() not in _GRAMMAR and w not in _PERSON_NEXT \
            and w.upper() not in self.not_names

    def _namey(self, w: str) -> bool:
        """A listed surname, a given name no dictionary has, a word with letters beyond ASCII, or no English word."""
        n = _norm(w)
        return n in self.surnames or (n in self.given and n not in self.dictionary) \
            or any(ord(c) > 127 for c in w) or w.lower() not in english_words()

    def _unknown_capitalised(self, w: str) -> bool:
        """A title-case word that is no grammar, stop-list, month, place or organisation word."""
        return bool(w) and w[0].isupper() and not w.isupper() and w not in self.not_names and w not in _GRAMMAR \
            and w not in _ORG_NEXT and w not in _MONTHS and w not in _FUNCTION_WORDS and _norm(w) not in self.words \
            and not any(ch.isdigit() for ch in w)

    def _capitalised_run_then_person(self, text, tokens, i) -> bool:
        last = tokens[i][1]
        for j in (i + 1, i + 2):
            if j >= len(tokens) or text[last:tokens[j][0]] != " ":
                return False
            raw = tokens[j][2]
            w = _strip_possessive(raw)
            if not self._unknown_capitalised(w) or not self._namey(w):
                return False
            if w != raw:
                return bool(re.match(r"[ \t]+[a-z]", text[tokens[j][1]:])) or bool(_POSSESSIVE_ACRONYM_RE.match(text, tokens[j][1]))
            after = text[tokens[j][1]:]
            if _YEAR_GROUP_RE.match(after) or _BIRTH_AFTER_RE.match(after) or _PRONOUN_AFTER_RE.match(after):
                return True
            nxt = re.match(r"[ \t]+([a-z][\w'’]*)", after)
            if nxt and nxt.group(1) in _PERSON_NEXT and nxt.group(1) not in {"may", "might", "also", "will"}:
                return True
            last = tokens[j][1]
        return False

    def _person_before_place_word(self, text, tokens, i, word, next_word) -> bool:
        """"Oscar Hill - request…", "Ellis Green has…": a given name that is no everyday word, then a
        surname that is also a place word, then what people do, not where things are."""
        if self.ambiguous(word) or not word[:1].isupper() or _norm(next_word) not in self.surnames \
                or next_word in _PLACE_ONLY:
            return False
        before = text[max(0, tokens[i][0] - 20):tokens[i][0]]
        if re.search(r"(?:\d|\b(?:on|at|in|to|from|near|off|via|along|up|down|past|into|St|Saint|the|The)\b)[ \t,]*$", before):
            return False
        after = text[tokens[i + 1][1]:]
        if re.match(r"[ \t]+[A-Z]", after):
            return False  # "Victoria Hall Primary", "Oscar Hill Road"
        return bool(
            _YEAR_GROUP_RE.match(after) or _BIRTH_AFTER_RE.match(after) or _PRONOUN_AFTER_RE.match(after)
            or _WITH_NEED_RE.match(after)
            or re.match(r"[ \t]*[-–:][ \t]+[a-z]", after)
            or re.match(r"['’]s[ \t]+[a-z]", after)
            or re.match(r"[ \t]+(?:" + "|".join(sorted(_ANIMATE_NEXT | {"needs", "keeps"})) + r")\b", after)
            or re.match(r"[ \t]+(?:has|had|is|was)[ \t]+(?:been|got|had|in[ \t]+(?:year|yr|y)|not[ \t]+been)\b", after, re.IGNORECASE)
        )

    def _lower_pair_end(self, text, tokens, i, word, wend, next_word):
        """Where a lower-case given name plus its surname ends, if the pair is followed by a child's
        context ("josh ward, yr 3", "faith [name], yr 6") or joined by a particle ("harry de souza")."""
        end = None
        particle = False
        if re.match(r"[ \t]+\[name\]", text[wend:]):
            end = wend + text[wend:].index("]") + 1
        elif next_word and i + 1 < len(tokens):
            if next_word and _is_particle(next_word) and text[wend:tokens[i + 1][0]] == " " \
                    and self._after_particles(text, tokens, i + 1, word):
                end, particle = tokens[i + 1][1], True
            elif next_word.islower() and self._surname_like(word, next_word):
                end = tokens[i + 1][1]
        if end is None:
            return None
        if particle:
            return end
        after = text[end:]
        if _YEAR_GROUP_RE.match(after) or _BIRTH_AFTER_RE.match(after):
            return end
        # Two everyday words ("get transport? She's…") need the pair's own context, not the next sentence's.
        if (_PRONOUN_AFTER_RE.match(after) or _WITH_NEED_RE.match(after)) and not (
                _norm(word) in self.dictionary and next_word and next_word.lower() in english_words()):
            return end
        return None
