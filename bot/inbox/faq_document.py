"""The Frequently Asked Questions document the forum promised, as data.

``build_document`` groups every knowledge entry by topic (its first tag, with
related tags sharing a heading), keeps the knowledge base's order, and marks the
entries the inclusion team published from the inbox as new. The writers in
integrations/faq_export.py turn it into Markdown, HTML or DOCX.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Mapping, Optional

from bot.clock import british_date, london
from knowledge.engine import time_aware_text
from knowledge.models import KnowledgeBase

OTHER_TOPIC = "Other questions"

# Headings for the knowledge base's first tags; tags mapping to one title share a section.
TOPIC_TITLES: dict[str, str] = {
    "forum": "The Countywide SENCO Forum",
    "qa": "SEND quality assurance",
    "webinars": "Webinars",
    "continuum": "The Kent Continuum of Need and Provision",
    "send-policy": "SEND policy and SEN Information Report",
    "sen-information-report": "SEND policy and SEN Information Report",
    "tribunal": "Tribunal: the role of the school",
    "stls": "Specialist Teaching and Learning Service (STLS)",
    "lift": "Specialist Teaching and Learning Service (STLS)",
    "communities-of-schools": "Communities of Schools",
    "funding": "Funding and top-up",
    "npq": "NPQ for SENCOs",
    "questions": "Contacts and further questions",
    "questions-from-schools": "Questions from schools",
}


def topic_title(tag: Optional[str]) -> str:
    if not tag:
        return OTHER_TOPIC
    return TOPIC_TITLES.get(tag) or tag.replace("-", " ").capitalize()


def topic_choices(kb: KnowledgeBase, default_topic: str) -> list[dict]:
    """{title, value} for each section, in document order, the default included (for staff cards)."""
    seen: dict[str, str] = {}
    for entry in kb.entries:
        tag = entry.tags[0] if entry.tags else None
        if tag and topic_title(tag) not in seen:
            seen[topic_title(tag)] = tag
    seen.setdefault(topic_title(default_topic), default_topic)
    return [{"title": title, "value": tag} for title, tag in seen.items()]


@dataclass(frozen=True)
class DocumentEntry:
    id: str
    question: str
    answer: str
    source: str
    is_new: bool
    added_on: Optional[str]      # British date the entry was published, for new entries
    anchor: str


@dataclass(frozen=True)
class DocumentTopic:
    title: str
    anchor: str
    entries: tuple[DocumentEntry, ...]

    @property
    def new_count(self) -> int:
        return sum(1 for e in self.entries if e.is_new)


@dataclass(frozen=True)
class FaqDocument:
    title: str
    subtitle: str
    produced_on: str
    contact: str
    topics: tuple[DocumentTopic, ...]
    updated_on: Optional[str] = None   # when the live content last changed (British date)

    @property
    def total(self) -> int:
        return sum(len(t.entries) for t in self.topics)

    @property
    def new_count(self) -> int:
        return sum(t.new_count for t in self.topics)


def build_document(
    kb: KnowledgeBase,
    *,
    published: Mapping[str, datetime],
    now: datetime,
    team_mailbox: str,
    new_since: Optional[date] = None,
    title: str = "Countywide SENCO Forum: Frequently Asked Questions",
    updated_at: Optional[datetime] = None,
) -> FaqDocument:
    """`published` maps inbox-published entry ids to when they were published; those are marked new
    (only those published on or after `new_since`, when given)."""
    groups: dict[str, list[DocumentEntry]] = {}
    used_anchors: set[str] = set()
    for entry in kb.entries:
        title_of_topic = topic_title(entry.tags[0] if entry.tags else None)
        published_at = published.get(entry.id)
        is_new = published_at is not None and (new_since is None or london(published_at).date() >= new_since)
        groups.setdefault(title_of_topic, []).append(
            DocumentEntry(
                id=entry.id,
                question=entry.question,
                # The live wording: a dated fact that has passed says so, with the date as the source gives it.
                answer=time_aware_text(entry, now),
                source=entry.source.line(kb.forum_labels),
                is_new=is_new,
                added_on=british_date(published_at) if is_new else None,
                anchor=_anchor(entry.id, used_anchors),
            )
        )
    topics = tuple(
        DocumentTopic(title=name, anchor=_anchor("topic-" + name, used_anchors), entries=tuple(items))
        for name, items in groups.items()
    )
    return FaqDocument(
        title=title,
        subtitle="Questions asked at and after the forum, collated and answered by the Inclusion team.",
        produced_on=british_date(now),
        contact=team_mailbox,
        topics=topics,
        updated_on=british_date(updated_at) if updated_at is not None else None,
    )


def _anchor(text: str, used: set[str]) -> str:
    base = "-".join(re.findall(r"[a-z0-9]+", text.lower())) or "section"
    anchor, n = base, 2
    while anchor in used:
        anchor, n = f"{base}-{n}", n + 1
    used.add(anchor)
    return anchor

