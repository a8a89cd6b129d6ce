"""Builds the evaluation service from Settings and plugs its Teams cards, web form and schedule into the assistant."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.background import periodic
from bot.evaluations.messages import EvaluationMessages
from bot.evaluations.web import EvaluationWeb
from bot.evaluations.service import EvaluationPolicy, EvaluationService, ForumsSource
from bot.privacy.edge import redactor_for
from bot.clock import Clock
from bot.core import Core
from bot.registry import Registry
from bot.reminders.service import Reminders
from dialogs.evaluations import EvaluationFeature
from integrations.db.evaluations import EvaluationParticipants, EvaluationResponses
from knowledge.forums import forums_file_in

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evaluations:
    service: EvaluationService
    messages: EvaluationMessages
    web: EvaluationWeb


def build_evaluation_service(settings, *, database, clock, notifier=None, signer=None, mail=None,
                             subscribers=None) -> tuple[EvaluationService, EvaluationMessages]:
    """The service alone: the bot and the CLI (reports, invitations) build it the same way."""
    from bot.notify import RecordingNotifier
    from bot.signed_links import LinkSigner

    messages = EvaluationMessages(team_name=settings.team_name, team_mailbox=settings.team_mailbox)
    service = EvaluationService(
        forums=ForumsSource(forums_file_in(settings.knowledge.data_dir or None)),
        participants=EvaluationParticipants(database),
        responses=EvaluationResponses(database),
        clock=clock,
        policy=EvaluationPolicy.from_settings(settings.evaluations),
        notifier=notifier if notifier is not None else RecordingNotifier(),
        signer=signer or LinkSigner.for_settings(settings),
        redact=redactor_for(settings).redact,
        messages=messages,
        public_base_url=settings.server.public_base_url,
        mail=mail,
        subscribers=subscribers,
        subscriber_categories=settings.evaluations.subscriber_categories,
    )
    return service, messages


def install(core: Core, registry: Registry, *, reminders: Reminders) -> Evaluations:
    """Surveys go to the forum's attendees and to everyone subscribed (through the reminders feature)."""
    settings = core.settings
    service, messages = build_evaluation_service(
        settings, database=core.database, clock=core.clock, notifier=core.notifier, signer=core.signer,
        mail=core.mail, subscribers=reminders.subscribers,
    )
    web = EvaluationWeb(service, team_name=settings.team_name, team_mailbox=settings.team_mailbox)
    for method, path, handler in web.routes():
        registry.add_web_route(method, path, handler)
    registry.add_job(_collector(service, settings.evaluations.check_interval_seconds, core.clock))
    EvaluationFeature(service, messages, staff_ids=core.staff_ids,
                      chart_link_minutes=settings.evaluations.chart_link_minutes).install(registry.router,
                                                                                           registry.dialogs)
    return Evaluations(service=service, messages=messages, web=web)


def _collector(service: EvaluationService, interval: float, clock: Clock):
    """aiohttp cleanup_ctx: pushes due invitations and reminders every ``interval`` seconds."""

    async def round_of_invitations():
        report = await service.run_due()
        if report.invited or report.reminded or report.failed:
            log.info("evaluations: %d invited, %d reminded, %d failed",
                     report.invited, report.reminded, report.failed)

    return periodic("evaluation round", round_of_invitations, max(1.0, interval), clock=clock)
