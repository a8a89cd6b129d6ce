"""Plugs the FAQ answerer into the assistant: answer cards and their feedback buttons, and the fallback
that answers every message no other feature claims (logged in the inbox, published answers loaded first)."""
from __future__ import annotations


from pathlib import Path

from bot.background import periodic
from bot.faq.feedback import KbFeedback
from bot.inbox.install import Inbox
from bot.core import Core
from bot.registry import Registry
from dialogs.faq import FaqFeature
from dialogs.faq_feedback import FaqFeedbackFeature


def install(core: Core, registry: Registry, *, inbox: Inbox) -> FaqFeature:
    settings = core.settings
    feature = FaqFeature(
        core.answerer,
        inbox.service.log,
        team_name=settings.team_name,
        team_mailbox=settings.team_mailbox,
        staff_ids=core.staff_ids,
    )
    feature.install(registry.router, registry.dialogs)
    registry.answer_unclaimed(inbox.feature.answering(feature.answer_question))
    # Staff teach the answerer from its close calls (the same service as `sencobot kb closest|confirm`).
    feedback = KbFeedback(core.answerer.answerer, core.clock, questions=inbox.service.repo,
                          confirmed_path=Path(settings.knowledge.confirmed_file) if settings.knowledge.confirmed_file
                          else None)
    FaqFeedbackFeature(feedback, staff_ids=core.staff_ids).install(registry.router, registry.dialogs)
    # The knowledge files are re-read when edited, without a restart.
    registry.add_job(periodic("knowledge reload", core.answerer.refresh_if_changed,
                              max(0.5, settings.knowledge.reload_check_seconds), clock=core.clock))
    return feature
