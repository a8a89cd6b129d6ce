"""Routes a message to a feature by score, with one explicit fallback (the FAQ answerer).

Features register intents: regular expressions that claim a message outright, example
phrasings scored with rapidfuzz, and the intent classifier's labels they serve. A pattern or
example at or above the threshold wins; otherwise the classifier (knowledge/intents) reads the
message, and a label it is confident about goes to the intent registered for it. Anything else,
including everything the classifier calls a question, is a question for the knowledge base.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Optional, Protocol

from rapidfuzz import fuzz

from knowledge.intents.classifier import SMALL_TALK, Prediction, looks_interrogative, looks_like_nothing


ROUTE_THRESHOLD = 0.86
# Below this the classifier's guess is not acted on and the message goes to the answerer. Chosen on the
# phrasings we may look at (README, "Intent classifier"): higher sent many plain commands to the FAQ
# inbox as questions; lower gained nothing.
CLASSIFIER_CONFIDENCE = 0.3
# A message worded as a question needs more confidence before it is taken from the answerer: a misrouted FAQ
# question is worse than an unanswered "hi". Measured by 5-fold cross-validation on training data only
# (bench/intent_tune.py --interrogative): on the final training pool 0.55 sends 3.6% of questions elsewhere
# against 4.4% at 0.3, for 0.3 points of routed accuracy; counting each stolen question twice the two are level
# (0.066 against 0.065), so the choice between them is a judgement in favour of the answerer, not a measured win.
# Above 0.6 more commands are lost than questions saved.
INTERROGATIVE_CONFIDENCE = 0.55


def acts_on(text: str, prediction: Prediction, confidence: float = CLASSIFIER_CONFIDENCE,
            interrogative_confidence: float = INTERROGATIVE_CONFIDENCE) -> bool:
    """Whether the router follows the classifier's label rather than giving the message to the answerer."""
    if prediction.label == "question":
        return False
    needed = interrogative_confidence if looks_interrogative(text) else confidence
    return prediction.confidence >= needed


# (turn_context, dialog_context, text) -> None
IntentStarter = Callable[..., Awaitable[None]]
# (turn_context, dialog_context, data) -> None
ActionHandler = Callable[..., Awaitable[None]]
# (turn_context, asker, text) -> None: what happens to a message no feature claims.
Fallback = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Intent:
    name: str
    start: IntentStarter
    patterns: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    command: str = ""            # shown in help, e.g. "book"
    description: str = ""        # shown in help
    staff_only: bool = False
    # Commands that must work even in the middle of another conversation ("stop reminders").
    interrupts: bool = False
    # The classifier's labels this intent serves (knowledge.intents.classifier.LABELS).
    labels: tuple[str, ...] = ()
    _compiled: tuple[re.Pattern, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_compiled", tuple(re.compile(p, re.IGNORECASE) for p in self.patterns))

    def score(self, text: str) -> float:
        normalised = " ".join(text.lower().split())
        if any(p.search(normalised) for p in self._compiled):
            return 1.0
        if not self.examples:
            return 0.0
        return max(fuzz.token_set_ratio(normalised, example) for example in self.examples) / 100.0


@dataclass(frozen=True)
class CardAction:
    name: str
    handle: ActionHandler
    staff_only: bool = False


class Classifier(Protocol):
    def predict(self, text: str) -> Prediction: ...


class Router:
    def __init__(self, threshold: float = ROUTE_THRESHOLD, *, classifier: Optional[Classifier] = None,
                 confidence: float = CLASSIFIER_CONFIDENCE):
        self._intents: list[Intent] = []
        self._actions: dict[str, CardAction] = {}
        self.threshold = threshold
        self._classifier = classifier
        # Recognisers of questions a feature answers itself (dated questions); they outrank the
        # classifier's guess, since "what deadlines are coming up?" shares words with "remind me of deadlines".
        self._question_recognisers: list[Callable[[str], bool]] = []
        self.confidence = confidence
        # Dialogs that wait for short answers (a choice, a school, a date) and give way to another command typed
        # instead, with the intents that are their own (dialog id -> intent names).
        self._leavable: dict[str, frozenset[str]] = {}

    def add_intent(self, intent: Intent) -> None:
        self._intents.append(intent)

    def add_action(self, action: CardAction) -> None:
        if action.name in self._actions:
            raise ValueError(f"card action {action.name!r} registered twice")
        self._actions[action.name] = action

    def action(self, name: str) -> Optional[CardAction]:
        return self._actions.get(name)

    def add_question_recogniser(self, recognises: Callable[[str], bool]) -> None:
        self._question_recognisers.append(recognises)

    def best(self, text: str, *, is_staff: bool) -> Optional[Intent]:
        best: tuple[float, Optional[Intent]] = (0.0, None)
        staff_command = False
        for intent in self._intents:
            if intent.staff_only and not is_staff:
                staff_command = staff_command or intent.score(text) >= 1.0
                continue
            score = intent.score(text)
            if score > best[0]:
                best = (score, intent)
        if best[0] >= self.threshold:
            return best[1]
        if staff_command:
            # A staff command typed by someone else is not re-read as some other command.
            return None
        if any(recognises(text) for recognises in self._question_recognisers):
            return None
        prediction = self.classify(text)
        if not acts_on(text, prediction, self.confidence):
            return None
        for intent in self._intents:
            if prediction.label in intent.labels and (is_staff or not intent.staff_only):
                return intent
        return None

    def classify(self, text: str) -> Prediction:
        if self._classifier is None:
            return Prediction("question", 0.0)
        prediction = self._classifier.predict(text)
        if looks_like_nothing(text) and prediction.label not in SMALL_TALK:
            # Punctuation, digits or emoji alone never ask for anything, whatever n-grams they share.
            return Prediction("junk", 1.0)
        return prediction

    def leave_on_commands(self, dialog_id: str, *, own: tuple[str, ...] = ()) -> None:
        """While dialog ``dialog_id`` waits, a message another intent's pattern claims outright ("my bookings"
        typed where a school's name was asked for) leaves the dialog and runs that command, instead of being
        read as the answer. Only for dialogs whose answers are short: a staff member writing an answer or an
        edit may well mention a command's words. ``own``: the dialog's own intents, which it handles itself."""
        self._leavable[dialog_id] = frozenset(own)

    def interrupting(self, text: str, *, is_staff: bool, dialog_id: Optional[str] = None) -> Optional[Intent]:
        """An interrupting intent whose pattern claims the message outright, if any; inside a dialog that
        gives way to commands (``leave_on_commands``), any other intent so claimed."""
        claimed = [intent for intent in self._intents
                   if (is_staff or not intent.staff_only) and intent.score(text) >= 1.0]
        for intent in claimed:
            if intent.interrupts:
                return intent
        own = self._leavable.get(dialog_id) if dialog_id else None
        if own is not None:
            for intent in claimed:
                if intent.name not in own:
                    return intent
        return None

    def help_lines(self, *, is_staff: bool) -> list[dict]:
        return [
            {"command": i.command, "description": i.description}
            for i in self._intents
            if i.command and (is_staff or not i.staff_only)
        ]
