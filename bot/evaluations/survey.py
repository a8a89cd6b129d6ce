"""The forum evaluation survey, defined once: the Teams card and the web form both render it,
and every submission from either is checked against it.

Field names are shared by both renderings (``phase``, ``overall``, ``item__<agenda id>``,
``most_useful``, ``could_be_better``, ``topics``, ``topics_other``), so a card submit and a
form post become the same ``Answers``. Every question is optional: a partial response is kept.
A submission may only answer what the survey asked (no rating of 9, no unknown agenda item).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional

from knowledge.forums import Forum

PHASE_CHOICES = (("primary", "Primary"), ("secondary", "Secondary"))
OVERALL_LABELS = ("Poor", "Fair", "Good", "Very good", "Excellent")
USEFULNESS_LABELS = ("Not useful", "Slightly useful", "Useful", "Very useful", "Extremely useful")
RATINGS = (1, 2, 3, 4, 5)
MAX_TEXT_CHARS = 2000
ITEM_PREFIX = "item__"
# Keys a card submit carries besides the answers (the button's own data).
CARD_META_KEYS = frozenset({"action", "forum_id"})
ABOUT, OVERALL, SESSIONS, COMMENTS, NEXT_TIME = (
    "About you", "The forum overall", "How useful was each session?", "Your comments", "Next time",
)


@dataclass(frozen=True)
class Choice:
    value: str
    title: str


@dataclass(frozen=True)
class Question:
    name: str                    # the field name in the card and the form
    kind: str                    # single | rating | text | multi | line
    label: str
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    item_id: Optional[str] = None
    section: str = ""            # the heading it is shown under (fieldset legend on the web)


@dataclass(frozen=True)
class Answers:
    phase: Optional[str] = None
    overall: Optional[int] = None
    ratings: Mapping[str, int] = field(default_factory=dict)
    most_useful: Optional[str] = None
    could_be_better: Optional[str] = None
    topics: tuple[str, ...] = ()
    topics_other: Optional[str] = None

    @property
    def is_empty(self) -> bool:
        return not (self.phase or self.overall or self.ratings or self.most_useful or self.could_be_better
                    or self.topics or self.topics_other)

    def form_values(self) -> dict[str, object]:
        """Field name -> current value(s), to pre-fill the card or the form when editing."""
        values: dict[str, object] = {
            "phase": self.phase or "",
            "overall": str(self.overall) if self.overall else "",
            "most_useful": self.most_useful or "",
            "could_be_better": self.could_be_better or "",
            "topics": list(self.topics),
            "topics_other": self.topics_other or "",
        }
        for item_id, rating in self.ratings.items():
            values[ITEM_PREFIX + item_id] = str(rating)
        return values


@dataclass(frozen=True)
class Submission:
    answers: Answers
    errors: Mapping[str, str]    # field name (or "form") -> what is wrong, in words

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Survey:
    forum_id: str
    title: str                   # e.g. "Countywide SENCO Forum, March 2025"
    questions: tuple[Question, ...]
    next_forum_title: Optional[str] = None

    def question(self, name: str) -> Optional[Question]:
        return next((q for q in self.questions if q.name == name), None)

    @property
    def rating_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.item_id)

    def sections(self) -> list[dict]:
        """[{"heading", "questions"}] in order: how both renderings group the questions."""
        grouped: list[dict] = []
        for question in self.questions:
            if not grouped or grouped[-1]["heading"] != question.section:
                grouped.append({"heading": question.section, "questions": []})
            grouped[-1]["questions"].append(question)
        return grouped

    def parse(self, raw: Mapping[str, object]) -> Submission:
        """A card's value dict or a form's fields -> Answers plus any problems.

        Values may be strings or lists of strings (a form repeats a checkbox field; a card
        joins a multi-select with commas). Empty values mean "not answered".
        """
        values = {name: _as_list(value) for name, value in raw.items() if name not in CARD_META_KEYS}
        errors: dict[str, str] = {}
        for name in values:
            if self.question(name) is None:
                if name.startswith(ITEM_PREFIX):
                    errors[name] = "That agenda item is not part of this forum's evaluation."
                else:
                    errors[name] = "This survey has no such question."
        answers: dict[str, object] = {}
        ratings: dict[str, int] = {}
        for question in self.questions:
            given = [v for v in values.get(question.name, []) if v.strip()]
            if question.kind == "multi":
                chosen: list[str] = []
                allowed = {c.value for c in question.choices}
                for value in given:
                    for part in value.split(","):
                        part = part.strip()
                        if not part:
                            continue
                        if part not in allowed:
                            errors[question.name] = "Choose topics from the list (add others in the box below it)."
                        elif part not in chosen:
                            chosen.append(part)
                answers[question.name] = tuple(chosen)
                continue
            if len(given) > 1:
                errors[question.name] = "Give one answer to this question."
                continue
            if not given:
                continue
            value = given[0].strip()
            if question.kind in ("single", "rating"):
                if value not in {c.value for c in question.choices}:
                    errors[question.name] = (
                        "Choose a rating from 1 to 5." if question.kind == "rating" else "Choose one of the options."
                    )
                    continue
                if question.item_id:
                    ratings[question.item_id] = int(value)
                elif question.kind == "rating":
                    answers[question.name] = int(value)
                else:
                    answers[question.name] = value
            else:
                if len(value) > MAX_TEXT_CHARS:
                    errors[question.name] = f"Please keep this under {MAX_TEXT_CHARS:,} characters."
                    continue
                answers[question.name] = value
        result = Answers(
            phase=answers.get("phase"),
            overall=answers.get("overall"),
            ratings=ratings,
            most_useful=answers.get("most_useful"),
            could_be_better=answers.get("could_be_better"),
            topics=answers.get("topics", ()),
            topics_other=answers.get("topics_other"),
        )
        if not errors and result.is_empty:
            errors["form"] = "Answer at least one question before sending."
        return Submission(answers=result, errors=errors)


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [v if isinstance(v, str) else str(v) for v in value if v is not None]
    if isinstance(value, bool):
        return [str(value).lower()]
    return [value if isinstance(value, str) else str(value)]


def _rating_choices(labels: Iterable[str]) -> tuple[Choice, ...]:
    return tuple(Choice(str(n), f"{n} – {label}") for n, label in zip(RATINGS, labels))


def build_survey(forum: Forum, next_forum: Optional[Forum]) -> Survey:
    """The survey for one forum: its rated agenda items, and the next forum's agenda as topics."""
    questions: list[Question] = [
        Question("phase", "single", "Which forum did you attend?",
                 choices=tuple(Choice(value, title) for value, title in PHASE_CHOICES), section=ABOUT),
        Question("overall", "rating", "Overall, how would you rate the forum?",
                 hint="1 is poor, 5 is excellent.", choices=_rating_choices(OVERALL_LABELS), section=OVERALL),
    ]
    for item in forum.rated_items:
        questions.append(Question(
            ITEM_PREFIX + item.id, "rating", item.label, hint="1 is not useful, 5 is extremely useful.",
            choices=_rating_choices(USEFULNESS_LABELS), item_id=item.id, section=SESSIONS,
        ))
    questions += [
        Question("most_useful", "text", "What was most useful?", section=COMMENTS),
        Question("could_be_better", "text", "What could be better?", section=COMMENTS),
    ]
    topic_choices = tuple(Choice(item.id, item.title) for item in next_forum.agenda) if next_forum else ()
    if topic_choices:
        questions.append(Question(
            "topics", "multi", "Which topics would you like at the next forum?",
            hint=f"The proposed agenda for the {next_forum.display}. Choose any." if next_forum else "",
            choices=topic_choices, section=NEXT_TIME,
        ))
    questions.append(Question(
        "topics_other", "line", "Other topics you would like next time" if topic_choices
        else "Which topics would you like at the next forum?", section=NEXT_TIME,
    ))
    return Survey(
        forum_id=forum.id,
        title=forum.display,
        questions=tuple(questions),
        next_forum_title=next_forum.display if next_forum else None,
    )
