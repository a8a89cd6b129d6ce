"""Staff by membership of a Team: the roster of ``bot.staff_team_id``, asked of Teams and cached.

Staff are listed by Entra ID object id (``bot.staff_ids``) or, with ``bot.staff_team_id`` set, are the
members of that Team. At the start of each message or invoke turn in Teams, ``StaffTeam.resolve``
asks the Bot Connector whether the sender is a member of the Team and leaves the answer in the turn
state, where ``bot.turn.asker_of`` (the one staff check every feature uses) reads it. Answers are
cached per user for ``bot.staff_team_cache_seconds``, so a busy user costs one lookup per period and
someone removed from the Team loses staff rights within that time.

The lookup is GET /v3/conversations/{teamId}/members/{userId}, made with the turn's connector client.
botbuilder's TeamsInfo.get_team_member (4.17) takes a team id but then asks the *current*
conversation, which in a 1:1 chat always contains the sender: it would make everyone staff. Any
failure (Teams unreachable, the bot not installed in the Team) counts as "not staff" and is not
cached, so the next message asks again.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Iterable, Optional

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import ActivityTypes

from bot.clock import Clock
from bot.turn import STAFF_BY_TEAM

log = logging.getLogger(__name__)

MAX_CACHED = 10_000


class StaffTeam:
    def __init__(self, team_id: str, clock: Clock, *, ttl: timedelta, staff_ids: Iterable[str] = ()):
        self.team_id = team_id
        self._clock = clock
        self._ttl = ttl
        self._listed = frozenset(staff_ids)
        self._cache: dict[str, tuple[bool, datetime]] = {}
        self.lookups = 0   # roster requests made (a measure of what the cache saves)

    async def resolve(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if not self.team_id or activity.type not in (ActivityTypes.message, ActivityTypes.invoke):
            return
        sender = activity.from_property
        user_id = sender.id if sender is not None and isinstance(sender.id, str) else ""
        aad = sender.aad_object_id if sender is not None and isinstance(sender.aad_object_id, str) else ""
        if not user_id or user_id in self._listed or aad in self._listed:
            return
        if activity.channel_id != "msteams":
            return
        turn_context.turn_state[STAFF_BY_TEAM] = await self.is_member(turn_context, user_id)

    async def is_member(self, turn_context: TurnContext, user_id: str) -> bool:
        now = self._clock.now()
        cached = self._cache.get(user_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        member = await self._ask_teams(turn_context, user_id)
        if member is None:
            return False
        if len(self._cache) >= MAX_CACHED:
            self._cache.clear()
        self._cache[user_id] = (member, now + self._ttl)
        return member

    async def _ask_teams(self, turn_context: TurnContext, user_id: str) -> Optional[bool]:
        """True or False from the roster; None when Teams could not say."""
        client = turn_context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        if client is None:
            return None
        self.lookups += 1
        try:
            await client.conversations.get_conversation_member(self.team_id, user_id)
            return True
        except Exception as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status == 404:
                return False
            log.warning("staff team roster lookup failed (%s %s); treating the sender as not staff",
                        type(exc).__name__, status or "")
            return None


def staff_team_from(settings, clock: Clock) -> Optional[StaffTeam]:
    bot = settings.bot
    if not bot.staff_team_id:
        return None
    return StaffTeam(bot.staff_team_id, clock, ttl=timedelta(seconds=max(0, bot.staff_team_cache_seconds)),
                     staff_ids=bot.staff_ids)
