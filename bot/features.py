"""The one place features are plugged into the assistant.

Each feature registers its intents, card actions and dialogs on the router and
dialog set, and may add background tasks or web routes to the services.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable, Optional

from botbuilder.core import TurnContext, UserState
from botbuilder.dialogs import DialogSet

from bot.handler import Fallback
from bot.router import Router
from bot.turn import Asker
from bot.booking_wiring import install_bookings
from bot.mail_wiring import install_mail
from bot.services.evaluation_wiring import build_evaluations
from dialogs.evaluation_feature import EvaluationFeature
from dialogs.content import install_live
from dialogs.faq_feature import FaqFeature
from dialogs.inbox_feature import install_inbox
from dialogs.privacy_feature import install_privacy
from dialogs.reminders_feature import install_reminders


@dataclass
class InstalledFeatures:
    fallback: Fallback
    on_new_user: Optional[Callable[[TurnContext, Asker], Awaitable[None]]] = None


def install_features(services, router: Router, dialogs: DialogSet, user_state: UserState) -> InstalledFeatures:
    settings = services.settings
    staff = frozenset(settings.bot.staff_ids)
    faq = FaqFeature(
        services.faq,
        services.recorder,
        team_name=settings.team_name,
        team_mailbox=settings.team_mailbox,
        staff_ids=staff,
    )
    faq.install(router, dialogs)
    # Questions nobody else claims go to the answerer, logged in the FAQ collation inbox.
    fallback = install_inbox(services, router, dialogs, faq.answer_question)
    # Dated questions ("when is the next forum?") are answered from the live catalogues first.
    fallback = install_live(services, router, dialogs, fallback)
    install_bookings(services, router, dialogs, user_state)
    evaluations = build_evaluations(services)
    EvaluationFeature(evaluations.service, evaluations.messages, staff_ids=staff,
                      chart_link_minutes=settings.evaluations.chart_link_minutes).install(router, dialogs)
    reminders = install_reminders(services, router, dialogs)
    install_privacy(services, router, dialogs, user_state)  # also schedules the daily retention purge
    install_mail(services)
    return InstalledFeatures(fallback=fallback, on_new_user=reminders.ask_new_user)
