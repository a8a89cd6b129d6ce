"""Who is talking to us, read safely from an activity (Teams fields may be missing or odd)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Optional

from botbuilder.core import TurnContext

log = logging.getLogger(__name__)

STAFF_ONLY = "Sorry, only the inclusion team can do that."


@dataclass(frozen=True)
class Asker:
    user_id: str
    name: str
    aad_object_id: str
    tenant_id: str
    channel_id: str
    is_staff: bool

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""


def tenant_of(turn_context: TurnContext) -> str:
    # Teams sends conversation.tenantId but the SDK maps tenantID, so read channelData.tenant.id.
    data = turn_context.activity.channel_data
    if isinstance(data, dict):
        tenant = data.get("tenant")
        if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
            return tenant["id"]
    conversation = turn_context.activity.conversation
    value = getattr(conversation, "tenant_id", None) if conversation else None
    return value if isinstance(value, str) else ""


# Set once per turn by bot.staff.StaffTeam: True when the sender is on the configured staff Team's roster.
STAFF_BY_TEAM = "sencobot.staff_by_team"


def asker_of(turn_context: TurnContext, staff_ids: frozenset[str]) -> Asker:
    sender = turn_context.activity.from_property
    user_id = _text(getattr(sender, "id", "")) if sender else ""
    aad = _text(getattr(sender, "aad_object_id", "")) if sender else ""
    name = _text(getattr(sender, "name", "")) if sender else ""
    return Asker(
        user_id=user_id,
        name=name,
        aad_object_id=aad,
        tenant_id=tenant_of(turn_context),
        channel_id=_text(turn_context.activity.channel_id),
        is_staff=(bool(staff_ids) and (aad in staff_ids or user_id in staff_ids))
        or turn_context.turn_state.get(STAFF_BY_TEAM) is True,
    )


async def staff_asker(turn_context: TurnContext, staff_ids: frozenset[str], what: str) -> Optional[Asker]:
    """The asker, when on the inclusion team; otherwise they are told so, ``what`` they tried is logged (e.g.
    "an inbox action") and the answer is None. Card actions check again here: buttons can be forged."""
    asker = asker_of(turn_context, staff_ids)
    if not asker.is_staff:
        log.warning("non-staff user attempted %s", what)
        await turn_context.send_activity(STAFF_ONLY)
        return None
    return asker


def acted_by(asker: Asker) -> str:
    """Who did a staff action, for the record."""
    return asker.name or asker.aad_object_id or asker.user_id


def _text(value) -> str:
    return value if isinstance(value, str) else ""
