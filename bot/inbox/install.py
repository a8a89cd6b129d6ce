"""Plugs the FAQ collation inbox into the assistant: the service every channel logs questions into,
staff triage in Teams, and the housekeeping job (published entries from other replicas, answers not yet
delivered, the daily digest)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from bot.inbox.digest import DigestService, InboxHousekeeping, parse_time_of_day
from bot.inbox.service import InboxService
from bot.core import Core
from bot.registry import Registry
from dialogs.inbox import InboxFeature
from dialogs.inbox_published import PublishedAnswersFeature
from integrations.db.inbox import InboxRepository


@dataclass(frozen=True)
class Inbox:
    service: InboxService
    feature: InboxFeature
    housekeeping: InboxHousekeeping


def inbox_service(core: Core) -> InboxService:
    settings = core.settings
    return InboxService.build(
        InboxRepository(core.database),
        redactor=core.redactor,
        faq=core.answerer,
        clock=core.clock,
        team_name=settings.team_name,
        team_mailbox=settings.team_mailbox,
        forum=settings.inbox.forum,
        default_topic=settings.inbox.default_topic,
        cluster_threshold=settings.inbox.cluster_threshold,
        notifier=core.notifier,
        mail=core.mail,
        references=core.references,
    )


def digest_service(core: Core, inbox: InboxService) -> Optional[DigestService]:
    settings = core.settings
    if not settings.inbox.digest_enabled:
        return None
    return DigestService(
        inbox.repo,
        mail=core.mail,
        team_name=settings.team_name,
        team_mailbox=settings.team_mailbox,
        recipient=settings.inbox.digest_to,
        interval=timedelta(hours=settings.inbox.digest_interval_hours),
        at=parse_time_of_day(settings.inbox.digest_time),
    )


def install(core: Core, registry: Registry) -> Inbox:
    settings = core.settings
    service = inbox_service(core)
    feature = InboxFeature(
        service,
        core.answerer,
        staff_ids=core.staff_ids,
        max_clusters=settings.inbox.max_clusters_shown,
        default_topic=settings.inbox.default_topic,
    )
    feature.install(registry.router, registry.dialogs)
    PublishedAnswersFeature(service.publishing, staff_ids=core.staff_ids).install(registry.router, registry.dialogs)
    housekeeping = InboxHousekeeping(service, digest_service(core, service), core.clock, settings.inbox.check_seconds)
    registry.add_job(housekeeping.background_task())
    return Inbox(service=service, feature=feature, housekeeping=housekeeping)
