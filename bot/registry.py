"""What features register with the host: message routes and card actions (the router), dialogs,
greetings for new users, the fallback for messages nobody claims, background jobs and web routes.

One Registry per assistant. Features fill it in their ``install``; the handler routes turns through it
and the web app starts its jobs and serves its routes. Nothing else is shared between features.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable, Optional

from botbuilder.core import ConversationState, Storage, UserState
from botbuilder.dialogs import DialogSet

from bot.router import Fallback, Router
from knowledge.intents.classifier import default_classifier
from bot.turn import Asker

# aiohttp cleanup_ctx style: code before the yield runs at start-up, after it at shutdown.
BackgroundTask = Callable[[Any], AsyncIterator[None]]
# (turn_context, asker) -> None: run after the welcome card for someone new.
Greeter = Callable[[Any, Asker], Awaitable[None]]


@dataclass(frozen=True)
class WebRoute:
    method: str
    path: str
    handler: Callable


@dataclass
class Registry:
    router: Router
    dialogs: DialogSet
    dialog_state: Any
    conversation_state: ConversationState
    user_state: UserState
    fallback: Optional[Fallback] = None
    greeters: list[Greeter] = field(default_factory=list)
    jobs: list[BackgroundTask] = field(default_factory=list)
    # Run before every message and card press: brings this process's copy of shared data up to date.
    before_turn: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)
    web_routes: list[WebRoute] = field(default_factory=list)

    @classmethod
    def over(cls, storage: Storage) -> "Registry":
        conversation_state = ConversationState(storage)
        dialog_state = conversation_state.create_property("DialogState")
        return cls(router=Router(classifier=default_classifier()), dialogs=DialogSet(dialog_state), dialog_state=dialog_state,
                   conversation_state=conversation_state, user_state=UserState(storage))

    def refresh_before_each_turn(self, refresh: Callable[[], Awaitable[Any]]) -> None:
        self.before_turn.append(refresh)

    def add_job(self, job: BackgroundTask) -> None:
        self.jobs.append(job)

    def add_web_route(self, method: str, path: str, handler: Callable) -> None:
        self.web_routes.append(WebRoute(method, path, handler))

    def greet_new_users(self, greeter: Greeter) -> None:
        self.greeters.append(greeter)

    def answer_unclaimed(self, fallback: Fallback) -> None:
        """Exactly one feature answers what no route claims (the FAQ answerer); a second is a wiring mistake."""
        if self.fallback is not None:
            raise RuntimeError("a fallback is already installed")
        self.fallback = fallback
