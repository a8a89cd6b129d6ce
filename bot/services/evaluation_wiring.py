"""Builds the evaluation service from Settings and plugs its web routes and schedule into the app."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.background import periodic
from bot.services.evaluation_messages import EvaluationMessages
from bot.services.evaluation_web import EvaluationWeb
from bot.services.evaluations import EvaluationPolicy, EvaluationService, ForumsSource
from bot.privacy.edge import redactor_for
from bot.services.signed_links import shared_signer
from bot.clock import Clock
from integrations.db.evaluation_repos import EvaluationParticipants, EvaluationResponses
from knowledge.forums import forums_file_in

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evaluations:
    service: EvaluationService
    messages: EvaluationMessages
    web: EvaluationWeb


def subscriber_lookup(database):
    """category -> reachable subscribed Teams users, from the reminders feature's repository."""
    try:
        from integrations.db.reminder_repos import Subscriptions
    except ImportError:
        log.warning("reminder subscriptions are not available: evaluations go to staff-listed attendees only")
        return None
    return Subscriptions(database).reachable_subscribers


def build_evaluation_service(settings, *, database, clock, notifier=None, signer=None, mail=None,
                             subscribers=None) -> tuple[EvaluationService, EvaluationMessages]:
    """The service alone: the bot and the CLI (reports, invitations) build it the same way."""
    from bot.services.notify import RecordingNotifier
    from bot.services.signed_links import LinkSigner

    messages = EvaluationMessages(team_name=settings.team_name, team_mailbox=settings.team_mailbox)
    service = EvaluationService(
        forums=ForumsSource(forums_file_in(settings.knowledge.data_dir or None)),
        participants=EvaluationParticipants(database),
        responses=EvaluationResponses(database),
        clock=clock,
        policy=EvaluationPolicy.from_settings(settings.evaluations),
        notifier=notifier if notifier is not None else RecordingNotifier(),
        signer=signer or LinkSigner.from_settings_key(settings.link_signing_key),
        redact=redactor_for(settings).redact,
        messages=messages,
        public_base_url=settings.server.public_base_url,
        mail=mail,
        subscribers=subscribers,
        subscriber_categories=settings.evaluations.subscriber_categories,
    )
    return service, messages


def build_evaluations(services) -> Evaluations:
    settings = services.settings
    service, messages = build_evaluation_service(
        settings, database=services.database, clock=services.clock, notifier=services.notifier,
        signer=shared_signer(services), mail=services.mail, subscribers=subscriber_lookup(services.database),
    )
    web = EvaluationWeb(service, team_name=settings.team_name, team_mailbox=settings.team_mailbox)
    services.web_routes.extend(web.routes())
    services.background.append(_collector(service, settings.evaluations.check_interval_seconds, services.clock))
    services.extras["evaluations"] = service
    return Evaluations(service=service, messages=messages, web=web)


def _collector(service: EvaluationService, interval: float, clock: Clock):
    """aiohttp cleanup_ctx: pushes due invitations and reminders every ``interval`` seconds."""

    async def round_of_invitations():
        report = await service.run_due()
        if report.invited or report.reminded or report.failed:
            log.info("evaluations: %d invited, %d reminded, %d failed",
                     report.invited, report.reminded, report.failed)

    return periodic("evaluation round", round_of_invitations, max(1.0, interval), clock=clock)
