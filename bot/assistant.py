"""The assistant assembled: every feature installed on one Core, in one place.

Each feature's ``install(core, registry, ...)`` registers what it adds (routes, card actions, dialogs,
greetings, jobs, web routes) and receives the peers it needs as typed arguments, so the dependencies
between features are the arguments below. A new feature is one more ``install`` call here and edits no
other feature's files.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from bot.bookings.install import install as install_bookings
from bot.broadcast.install import install as install_broadcast
from bot.broadcast.service import BroadcastService
from bot.bookings.service import BookingService
from bot.content.install import Content, install as install_content
from bot.core import Core
from bot.drafts.install import install as install_drafts
from bot.drafts.service import DraftService
from bot.features import feature_packages
from bot.evaluations.install import Evaluations, install as install_evaluations
from bot.faq.install import install as install_faq
from bot.handler import SencoBot
from bot.inbox.install import Inbox, install as install_inbox
from bot.mail.install import Mail, install as install_mail
from bot.privacy.install import Privacy, install as install_privacy
from bot.registry import Registry
from bot.reminders import install as reminders_feature
from bot.reminders.service import Reminders
from bot.storage import SqlStorage
from dialogs.faq import FaqFeature
from dialogs.small_talk import SmallTalkFeature
from integrations.db.host import StateDocuments


@dataclass(frozen=True)
class Features:
    reminders: Reminders
    broadcast: BroadcastService
    inbox: Inbox
    faq: FaqFeature
    bookings: BookingService
    evaluations: Evaluations
    privacy: Privacy
    mail: Mail
    drafts: DraftService
    content: Content


@dataclass
class Assistant:
    core: Core
    bot: SencoBot
    storage: SqlStorage
    registry: Registry
    features: Features


def build_assistant(core: Core) -> Assistant:
    storage = SqlStorage(StateDocuments(core.database), core.clock)
    registry = Registry.over(storage)
    bot = SencoBot(core, registry)
    # Installs run in the order their commands appear on the help card.
    reminders = reminders_feature.build(core)
    inbox = install_inbox(core, registry)
    faq = install_faq(core, registry, inbox=inbox)
    bookings = install_bookings(core, registry)
    evaluations = install_evaluations(core, registry, reminders=reminders)
    reminders_feature.install(core, registry, reminders)
    broadcast = install_broadcast(core, registry, reminders=reminders)
    privacy = install_privacy(core, registry, bookings=bookings, forget_reference=bot.forget_reference)
    mail = install_mail(core, registry, inbox=inbox, bookings=bookings)
    SmallTalkFeature().install(registry.router, registry.dialogs)
    # It follows the catalogues the features above read, and answers dated questions before the FAQ.
    content = install_content(core, registry, bookings=bookings, reminders=reminders, evaluations=evaluations,
                              inbox=inbox)
    # After the content store: accepted drafts are written there and answered at once.
    drafts = install_drafts(core, registry, content=content)
    features = Features(reminders=reminders, broadcast=broadcast, inbox=inbox, faq=faq, bookings=bookings,
                        evaluations=evaluations, privacy=privacy, mail=mail, drafts=drafts, content=content)
    _check_every_feature_installed(features)
    return Assistant(core=core, bot=bot, storage=storage, registry=registry, features=features)


def _check_every_feature_installed(features: Features) -> None:
    """bot.features finds the feature packages (the CLI registers their commands from it); each must be
    installed above, or its commands would run against a feature the assistant never plugged in."""
    missing = set(feature_packages()) - {f.name for f in fields(features)}
    if missing:
        raise RuntimeError(f"feature packages not installed by bot.assistant: {', '.join(sorted(missing))}")
