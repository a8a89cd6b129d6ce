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
from dialogs.faq_feature import FaqFeature
from dialogs.inbox_feature import install_inbox


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
    fallback = install_inbox(services, router, dialogs, faq.answer_question)
    from bot.booking_wiring import install_bookings

    install_bookings(services, router, dialogs, user_state)
    from bot.services.evaluation_wiring import build_evaluations
    from dialogs.evaluation_feature import EvaluationFeature

    evaluations = build_evaluations(services)
    EvaluationFeature(evaluations.service, evaluations.messages, staff_ids=staff,
                      chart_link_minutes=settings.evaluations.chart_link_minutes).install(router, dialogs)
    from dialogs.reminders_feature import install_reminders

    reminders = install_reminders(services, router, dialogs)
    from dialogs.privacy_feature import install_privacy

    # Also schedules the daily retention purge (services.background).
    install_privacy(services, router, dialogs, user_state)
    from bot.mail_wiring import install_mail

    install_mail(services)
    return InstalledFeatures(fallback=fallback, on_new_user=reminders.ask_new_user)
