"""Small knowledge bases written to tmp dirs, so engine tests do not move
whenever the real FAQ content is edited."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

LONDON = ZoneInfo("Europe/London")

ENTRIES: list[dict[str, Any]] = [
    {
        "id": "npq-deadline",
        "question": "When do applications for the NPQ for SENCOs close?",
        "alternatives": ["npq closing date", "last date to apply for the senco npq",
                         "when must i apply for the npq by", "npq applications close",
                         "is it too late to apply for the npq"],
        "answer": "Applications for the NPQ for SENCOs close on Sunday 6 April 2025. "
                  "Apply via the Best Practice Network website.",
        "source": {"session": "NPQ for SENCOs", "presenter": "Ruth Gately"},
        "tags": ["npq"],
        "related": ["npq-funding"],
        "date": {"on": "2025-04-06", "label": "The NPQ for SENCOs application deadline"},
    },
    {
        "id": "npq-funding",
        "question": "Is the NPQ for SENCOs funded?",
        "alternatives": ["do we pay for the npq", "npq cost", "is the npq free",
                         "who pays for the npq", "npq funding"],
        "answer": "Yes. The NPQ for SENCOs is fully funded by the DfE.",
        "source": {"session": "NPQ for SENCOs", "presenter": "Ruth Gately"},
        "tags": ["npq", "funding"],
        "related": ["npq-deadline"],
    },
    {
        "id": "appeal-window",
        "question": "How long do parents have to register an appeal?",
        "alternatives": ["appeal time limit", "deadline for a tribunal appeal",
                         "weeks to appeal after the final plan", "when can parents appeal",
                         "how long to lodge an appeal"],
        "answer": "Parents have 8 weeks from the date a final EHCP is issued to register an appeal.",
        "source": {"session": "Tribunal – the role of the school", "presenter": "Georgette Williams"},
        "tags": ["tribunal"],
        "related": [],
    },
    {
        "id": "stls-funding",
        "question": "How will school age STLS be funded?",
        "alternatives": ["stls budget", "where does stls money come from", "stls funding decision",
                         "who funds the specialist teaching service", "stls high needs"],
        "answer": "School age STLS will be funded from the High Needs Block of the Dedicated "
                  "Schools Grant, as part of the Communities of Schools budget.",
        "source": {"session": "STLS Update", "presenter": "Samantha Sheppard"},
        "tags": ["stls", "funding"],
        "related": ["stls-in-house"],
    },
    {
        "id": "stls-in-house",
        "question": "Is STLS moving in-house to KCC?",
        "alternatives": ["stls transfer", "is stls coming into kcc", "stls commissioning change",
                         "when is the stls transfer finished", "stls managed by the council"],
        "answer": "Yes. STLS changes from commissioned provision to being managed in-house; "
                  "the transfer is finalised on 1 September 2025.",
        "source": {"session": "STLS Update", "presenter": "Samantha Sheppard"},
        "tags": ["stls"],
        "related": ["stls-funding"],
        "date": {"on": "2025-09-01", "label": "The STLS transfer"},
    },
    {
        "id": "witness-refuse",
        "question": "Can a school refuse to be a witness for the LA?",
        "alternatives": ["do we have to be a witness", "school says no to tribunal witness",
                         "what if we won't give evidence", "refusing to attend tribunal",
                         "is being a witness optional"],
        "answer": "A school can refuse, but the LA may then have to concede the appeal, which "
                  "means more public expenditure and less money going into schools.",
        "source": {"session": "Tribunal – the role of the school", "presenter": "Georgette Williams"},
        "tags": ["tribunal", "witness"],
        "related": [],
    },
    {
        "id": "qa-officer-phone",
        "question": "How do I contact the SEND Quality Assurance officer?",
        "alternatives": ["clara green contact", "qa officer phone number", "qa officer email",
                         "how to reach clara green", "quality assurance officer details"],
        "answer": "Clara Green, SEND Quality Assurance and Practice Development Officer: "
                  "Clara.Green@kent.gov.uk, 03000 410816, 9.30am to 12.30pm Monday to Friday.",
        "source": {"session": "Introduction", "presenter": "Clara Green"},
        "tags": ["contacts"],
        "related": [],
    },
    {
        "id": "induction-north",
        "question": "When and where is the North community induction meeting?",
        "alternatives": ["north induction", "north community induction venue",
                         "inn on the lake induction", "north cos induction date",
                         "where is the north induction"],
        "answer": "The North Community Induction Meeting is on Wednesday 30 April 2025, 9am to "
                  "12pm, at the Inn on the Lake, Shorne.",
        "source": {"session": "Communities of Schools", "presenter": "Siobhan Price"},
        "tags": ["induction"],
        "related": [],
        "date": {"on": "2025-04-30", "label": "The North Community Induction Meeting"},
    },
]

GLOSSARY = {"terms": [
    {"term": "EHCP", "expansion": "Education, Health and Care Plan",
     "variants": ["EHC plan", "EHCPs"], "source": "SEND Code of Practice 2015"},
    {"term": "STLS", "expansion": "Specialist Teaching and Learning Service",
     "variants": [], "source": "deck"},
    {"term": "NPQ", "expansion": "National Professional Qualification",
     "variants": ["NPQ for SENCOs"], "source": "deck"},
    {"term": "SENCo", "expansion": "Special Educational Needs Co-ordinator",
     "variants": ["SENCO", "SENCOs"], "source": "SEND Code of Practice 2015"},
    {"term": "LA", "expansion": "Local Authority", "variants": [], "source": "deck"},
    {"term": "HNB", "expansion": "High Needs Block", "variants": [], "source": "deck"},
]}

SYNONYMS = {"groups": [
    ["tribunal", "appeal", "sendist"],
    ["LA", "KCC", "council"],
    ["fund", "funding", "budget", "pay", "paid"],
    ["deadline", "closing date", "last date"],
    ["refuse", "say no", "says no"],
]}


def write_kb(root: Path, entries: list[dict] | None = None, glossary: dict | None = None,
             synonyms: dict | None = None, faq_name: str = "sample.yaml") -> Path:
    (root / "faq").mkdir(parents=True, exist_ok=True)
    (root / "faq" / faq_name).write_text(
        yaml.safe_dump({"entries": ENTRIES if entries is None else entries}, sort_keys=False),
        encoding="utf-8")
    (root / "glossary.yaml").write_text(yaml.safe_dump(GLOSSARY if glossary is None else glossary),
                                        encoding="utf-8")
    (root / "synonyms.yaml").write_text(yaml.safe_dump(SYNONYMS if synonyms is None else synonyms),
                                        encoding="utf-8")
    return root


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb")


@pytest.fixture
def kb(kb_dir: Path):
    from knowledge.loader import load_knowledge
    return load_knowledge(kb_dir)


@pytest.fixture
def answerer(kb):
    from knowledge.engine import Answerer
    return Answerer(kb)


def london(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


SIGNALS = ("miss_fact", "miss_time", "miss_other_date", "miss_must", "miss_focus", "miss_defined", "conflict")


def near_miss(answerer, question, now=None) -> bool:
    """A near miss is either not answered, or — the decision being learned from
    blind questions rather than a hand-set penalty — its best candidate carries
    the near-miss signal that the model weighs (asked-for fact missing, a
    logistics word or focus the entry never uses, a term conflict)."""
    result = answerer.answer(question, now=now)
    if result.outcome != "answer":
        return True
    top = answerer.score(question)[0]
    return any(top.features.get(s) for s in SIGNALS)
