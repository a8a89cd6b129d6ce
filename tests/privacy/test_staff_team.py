"""Staff by membership of a Team: the real app asks the Bot Connector stand-in for the Team's roster,
caches the answer for bot.staff_team_cache_seconds, and treats a failed lookup as "not staff"."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from bot.app import ASSISTANT_KEY, create_app
from bot.console import InProcessAdapter
from bot.staff import StaffTeam
from bot.turn import asker_of
from integrations.db import Database
from integrations.db.migrate import upgrade
from tests.e2e.conftest import RunningBot, payload, serve_bot
from tests.fakes.connector import ConnectorStandIn

TEAM = "19:inclusion-team@thread.tacv2"
LEAD = "29:lead"
OTHER = "29:other"


@pytest.fixture
async def team_bot(privacy_settings, clock):
    settings = privacy_settings.replace(**{"bot.staff_ids": [], "bot.staff_team_id": TEAM,
                                           "bot.staff_team_cache_seconds": 600})
    connector = await ConnectorStandIn(rosters={TEAM: {LEAD}}).start()
    database = Database(settings.database.url)
    await upgrade(database)
    app = create_app(settings, clock=clock, database=database, run_background=False)
    async with serve_bot(app, connector) as bot:
        yield bot


async def say(bot: RunningBot, user_id: str, text: str) -> str:
    """Sends a 1:1 message from user_id and returns the text of the bot's reply."""
    conversation = f"a:chat-{user_id}"
    seen = len(bot.connector.activities(conversation))
    status, _ = await bot.post(payload(
        "teams_message", text=text, id=uuid.uuid4().hex,
        **{"from": {"id": user_id, "name": "Someone", "aadObjectId": "aad-" + user_id},
           "conversation": {"id": conversation, "conversationType": "personal"}}))
    assert status in (200, 201)
    replies = bot.connector.activities(conversation)[seen:]
    assert replies, "no reply"
    return " ".join(r.get("text") or str(r.get("attachments")) for r in replies)


async def test_a_member_of_the_staff_team_is_staff_and_anyone_else_is_not(team_bot):
    assert "The inbox is empty" in await say(team_bot, LEAD, "inbox")
    assert "The inbox is for the inclusion team" in await say(team_bot, OTHER, "inbox")
    # Asked of the Team itself: the SDK's get_team_member would ask the 1:1 chat, where everyone is a member.
    assert team_bot.connector.member_lookups == [(TEAM, LEAD), (TEAM, OTHER)]


async def test_roster_answers_are_cached_for_the_configured_time(team_bot):
    services = team_bot.app[ASSISTANT_KEY].core
    for _ in range(3):
        assert "The inbox is empty" in await say(team_bot, LEAD, "inbox")
    assert len(team_bot.connector.member_lookups) == 1

    # Taken off the Team: still staff until the cached answer runs out, then not.
    team_bot.connector.rosters[TEAM] = set()
    services.clock.advance(timedelta(seconds=599))
    assert "The inbox is empty" in await say(team_bot, LEAD, "inbox")
    services.clock.advance(timedelta(seconds=2))
    assert "The inbox is for the inclusion team" in await say(team_bot, LEAD, "inbox")
    assert len(team_bot.connector.member_lookups) == 2


async def test_a_non_member_pressing_a_staff_button_is_refused(team_bot):
    conversation = f"a:chat-{OTHER}"
    status, _ = await team_bot.post(payload(
        "teams_message", text="", id=uuid.uuid4().hex, value={"action": "inbox.dismiss", "cluster_id": "c1"},
        **{"from": {"id": OTHER, "name": "Someone"}, "conversation": {"id": conversation}}))
    assert status in (200, 201)
    [refusal] = team_bot.connector.activities(conversation)
    assert "only the inclusion team" in refusal["text"]


# -- the lookup itself --------------------------------------------------------------------------------


class _Failing:
    def __init__(self, error):
        self.calls = 0
        self.error = error

    async def get_conversation_member(self, conversation_id, member_id):
        self.calls += 1
        raise self.error


class _Client:
    def __init__(self, conversations):
        self.conversations = conversations


def _turn(channel: str = "msteams", user: str = OTHER) -> TurnContext:
    activity = Activity(type="message", text="inbox", channel_id=channel, from_property=ChannelAccount(id=user),
                        conversation=ConversationAccount(id="a:1"), recipient=ChannelAccount(id="bot"))
    return TurnContext(InProcessAdapter(), activity)


async def test_a_failed_lookup_is_not_staff_and_is_asked_again_next_time(clock):
    team = StaffTeam(TEAM, clock, ttl=timedelta(minutes=10))
    failing = _Failing(ConnectionError("down"))
    for _ in range(2):
        context = _turn()
        context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY] = _Client(failing)
        await team.resolve(context)
        assert asker_of(context, frozenset()).is_staff is False
    assert failing.calls == 2, "failures are not cached"


async def test_outside_teams_or_without_a_connector_nobody_is_asked(clock):
    team = StaffTeam(TEAM, clock, ttl=timedelta(minutes=10), staff_ids=["29:listed"])
    failing = _Failing(AssertionError("must not be called"))
    console = _turn(channel="console")
    console.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY] = _Client(failing)
    await team.resolve(console)
    listed = _turn(user="29:listed")
    listed.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY] = _Client(failing)
    await team.resolve(listed)
    no_client = _turn()
    await team.resolve(no_client)
    assert failing.calls == 0 and team.lookups == 0
    assert asker_of(listed, frozenset(["29:listed"])).is_staff
    assert not asker_of(no_client, frozenset(["29:listed"])).is_staff
