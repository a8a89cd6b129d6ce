"""Routes a message to a feature by score, with one explicit fallback (the FAQ answerer).

Features register intents: regular expressions that claim a message outright, and
example phrasings scored with rapidfuzz. The best score at or above the threshold wins;
anything else is a question for the knowledge base.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Optional

from rapidfuzz import fuzz

ROUTE_THRESHOLD = 0.86

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


class Router:
    def __init__(self, threshold: float = ROUTE_THRESHOLD):
        self._intents: list[Intent] = []
        self._actions: dict[str, CardAction] = {}
        self.threshold = threshold

    def add_intent(self, intent: Intent) -> None:
        self._intents.append(intent)

    def add_action(self, action: CardAction) -> None:
        if action.name in self._actions:
            raise ValueError(f"card action {action.name!r} registered twice")
        self._actions[action.name] = action

    def action(self, name: str) -> Optional[CardAction]:
        return self._actions.get(name)

    def best(self, text: str, *, is_staff: bool) -> Optional[Intent]:
        best: tuple[float, Optional[Intent]] = (0.0, None)
        for intent in self._intents:
            if intent.staff_only and not is_staff:
                continue
            score = intent.score(text)
            if score > best[0]:
                best = (score, intent)
        return best[1] if best[0] >= self.threshold else None

    def interrupting(self, text: str, *, is_staff: bool) -> Optional[Intent]:
        """An interrupting intent whose pattern claims the message outright, if any."""
        for intent in self._intents:
            if intent.interrupts and (is_staff or not intent.staff_only) and intent.score(text) >= 1.0:
                return intent
        return None

    def help_lines(self, *, is_staff: bool) -> list[dict]:
        return [
            {"command": i.command, "description": i.description}
            for i in self._intents
            if i.command and (is_staff or not i.staff_only)
        ]
