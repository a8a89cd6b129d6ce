"""Plugs reminders into the assistant: subscriptions, deadlines, tribunal dates and staff broadcasts in
Teams, the question new users get about reminders, and the scheduler that delivers every proactive message.

Two steps, because the forum evaluation sends to reminder subscribers and is installed earlier (the order
of installs is the order of commands on the help card): ``build`` makes the reminders area's services,
``install`` registers its Teams side and its job.
"""
from __future__ import annotations


from bot.core import Core
from bot.registry import Registry
from bot.reminders.assembly import build_reminders
from bot.reminders.service import Reminders
from dialogs.reminders import RemindersFeature


def build(core: Core) -> Reminders:
    return build_reminders(core.settings, core.database, core.clock)


def install(core: Core, registry: Registry, reminders: Reminders) -> RemindersFeature:
    settings = core.settings
    if settings.reminders.enabled:
        registry.add_job(reminders.background_task(core.outgoing))

    async def answer_question(turn_context, asker, text):
        # A question asked inside the tribunal dialog goes to the same answerer as any other.
        await registry.fallback(turn_context, asker, text)

    feature = RemindersFeature(reminders, staff_ids=core.staff_ids,
                               answer_question=answer_question)
    feature.install(registry.router, registry.dialogs)
    registry.greet_new_users(feature.ask_new_user)
    return feature
