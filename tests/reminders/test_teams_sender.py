"""The Teams sender against the Bot Connector stand-in: pacing, 429/5xx retries, 403 blocked, tokens."""
import datetime as dt
import random

import aiohttp
import pytest
from aiohttp import web

from integrations.teams_sender import (
    ClientCredentialsTokens,
    ConversationPacer,
    LocalSlots,
    NoTokens,
    Recipient,
    TeamsLimits,
    TeamsSender,
    TenantPacer,
    token_url_for,
)
from tests.reminders.conftest import TENANT, FakeTime
from tests.fakes.http import serving_route

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Reminder"}]}


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
def fake_time(clock):
    return FakeTime(clock)


def make_sender(session, fake_time, tokens=None, **limits):
    return TeamsSender(session, tokens=tokens or NoTokens(), limits=TeamsLimits(**limits), slots=LocalSlots(),
                       now=fake_time.now, sleep=fake_time.sleep, rng=random.Random(7))


def recipient(connector, user="29:user-1", personal=True) -> Recipient:
    return Recipient(user_id=user, conversation_id=f"a:conv-{user}", service_url=connector.url, tenant_id=TENANT,
                     bot_id="28:sencobot", bot_name="SENCO Forum Assistant", personal=personal)


async def test_a_message_goes_to_the_stored_conversation_with_its_card(connector, session, fake_time):
    result = await make_sender(session, fake_time).send(recipient(connector), "NPQ applications close", CARD)
    assert result.outcome == "sent" and result.activity_id == "reply-1"
    (received,) = connector.received
    assert received.path == "/v3/conversations/a:conv-29:user-1/activities"
    assert received.body["type"] == "message"
    assert received.body["recipient"] == {"id": "29:user-1"}
    assert received.body["from"]["id"] == "28:sencobot"
    assert received.body["attachments"][0]["content"] == CARD
    assert received.body["summary"] == "NPQ applications close"
    assert "Authorization" not in received.headers   # no app id: anonymous local mode
    assert [a.outcome for a in result.attempts] == ["sent"]


async def test_429_waits_for_retry_after_then_sends(connector, session, fake_time):
    connector.scripted = [(429, {"Retry-After": "3"}, {"error": {"code": "TooManyRequests"}})]
    result = await make_sender(session, fake_time).send(recipient(connector), "hello")
    assert result.outcome == "sent"
    assert [(a.outcome, a.http_status, a.wait_seconds) for a in result.attempts] == [
        ("throttled", 429, 3.0), ("sent", 200, None)]
    assert 3.0 in fake_time.slept
    assert len(connector.received) == 2


async def test_429_without_retry_after_backs_off_exponentially_with_jitter(connector, session, fake_time):
    connector.scripted = [(429, {}, {})] * 3
    result = await make_sender(session, fake_time, backoff_base_seconds=2.0).send(recipient(connector), "hi")
    waits = [a.wait_seconds for a in result.attempts if a.outcome == "throttled"]
    assert result.outcome == "sent" and len(waits) == 3
    for step, wait in enumerate(waits):
        base = 2.0 * 2 ** step
        assert 0.5 * base <= wait <= 1.5 * base
    assert len(set(waits)) == 3


async def test_throttled_beyond_the_retry_budget_is_recorded_as_refused(connector, session, fake_time):
    connector.scripted = [(429, {"Retry-After": "1"}, {})] * 4
    result = await make_sender(session, fake_time, max_throttle_retries=2).send(recipient(connector), "hi")
    assert result.outcome == "refused"
    assert [a.outcome for a in result.attempts] == ["throttled", "throttled", "refused"]
    assert len(connector.received) == 3


@pytest.mark.parametrize("status", [412, 502, 503, 504])
async def test_transient_errors_are_retried_a_bounded_number_of_times(connector, session, fake_time, status):
    connector.scripted = [(status, {}, {})] * 2
    result = await make_sender(session, fake_time).send(recipient(connector), "hi")
    assert result.outcome == "sent"
    assert [a.http_status for a in result.attempts] == [status, status, 200]

    connector.scripted = [(status, {}, {})] * 10
    result = await make_sender(session, fake_time, max_transient_retries=3).send(recipient(connector), "again")
    assert result.outcome == "failed"
    assert len(result.attempts) == 4 and result.attempts[-1].outcome == "failed"


async def test_other_errors_are_not_retried(connector, session, fake_time):
    connector.scripted = [(500, {}, {"error": {"code": "ServiceError"}})]
    result = await make_sender(session, fake_time).send(recipient(connector), "hi")
    assert result.outcome == "failed" and len(connector.received) == 1
    assert "ServiceError" in result.detail


async def test_403_message_writes_blocked_means_unreachable(connector, session, fake_time):
    connector.scripted = [(403, {}, {"error": {"code": "Forbidden", "message": "Thread is blocked"},
                                     "subCode": "MessageWritesBlocked"})]
    result = await make_sender(session, fake_time).send(recipient(connector), "hi")
    assert result.outcome == "unreachable" and len(connector.received) == 1

    connector.scripted = [(403, {}, {"error": {"code": "BotNotInConversationRoster"}})]
    result = await make_sender(session, fake_time).send(recipient(connector), "hi")
    assert result.outcome == "failed"


async def test_a_channel_reference_gets_a_new_1_to_1_conversation_in_the_user_s_tenant(connector, session, fake_time):
    result = await make_sender(session, fake_time).send(recipient(connector, personal=False), "hi")
    create, send = connector.received
    assert create.path == "/v3/conversations"
    assert create.body["members"] == [{"id": "29:user-1"}]
    assert create.body["channelData"] == {"tenant": {"id": TENANT}} and create.body["tenantId"] == TENANT
    assert create.body["bot"] == {"id": "28:sencobot"} and create.body["isGroup"] is False
    assert send.path == "/v3/conversations/a:new-29:user-1/activities"
    assert result.outcome == "sent" and result.created_conversation_id == "a:new-29:user-1"
    assert [a.outcome for a in result.attempts] == ["conversation", "sent"]


def test_recipient_from_a_stored_reference_reads_tenant_and_conversation_type():
    reference = {"bot": {"id": "28:b"}, "conversation": {"id": "19:x@thread.tacv2", "conversationType": "channel",
                                                         "tenantID": "t-1"}}
    r = Recipient.from_reference(user_id="29:u", conversation_id="19:x@thread.tacv2", service_url="https://s/",
                                 tenant_id=None, reference=reference)
    assert (r.personal, r.tenant_id, r.bot_id) == (False, "t-1", "28:b")


def test_the_conversation_pacer_honours_every_window():
    now = [0.0]
    pacer = ConversationPacer(((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800)), lambda: now[0])
    times = [pacer.reserve("a:1") for _ in range(9)]
    assert times == [0.0] * 7 + [1.0, 2.0]
    assert pacer.reserve("a:2") == 0.0            # another conversation is not held back
    times = [pacer.reserve("a:3") for _ in range(61)]
    assert times[60] >= 30.0                       # the 61st in 30 s waits for the window
    pacer.hold("a:2", 42.0)                        # a 429 told us to wait
    assert pacer.reserve("a:2") == 42.0


async def test_tenant_slots_are_evenly_spaced_and_shared_between_pacers():
    now = [100.0]
    store = LocalSlots()
    one = TenantPacer(store, per_second=50, headroom=1.0, chunk=5, now=lambda: now[0])
    two = TenantPacer(store, per_second=50, headroom=1.0, chunk=5, now=lambda: now[0])
    slots = []
    for _ in range(20):
        slots.append(await one.reserve(TENANT))
        slots.append(await two.reserve(TENANT))
    slots.sort()
    assert len(set(round(s, 9) for s in slots)) == 40
    assert all(abs((b - a) - 0.02) < 1e-9 for a, b in zip(slots, slots[1:]))
    assert await one.reserve("another-tenant") == 100.0


@pytest.fixture
async def token_endpoint():
    issued = []

    async def token(request):
        form = await request.post()
        issued.append(dict(form))
        return web.json_response({"access_token": f"token-{len(issued)}", "expires_in": 3600, "token_type": "Bearer"})

    async with serving_route("POST", "/{tenant}/oauth2/v2.0/token", token) as url:
        yield url, issued


async def test_with_an_app_id_a_cached_client_credentials_token_is_sent(connector, session, fake_time, token_endpoint):
    template, issued = token_endpoint
    tokens = ClientCredentialsTokens(session, app_id="app-1", app_password="secret-1",
                                     token_url=token_url_for(template, app_type="SingleTenant", tenant_id="t-9"),
                                     now=fake_time.now)
    sender = make_sender(session, fake_time, tokens=tokens)
    await sender.send(recipient(connector), "one")
    await sender.send(recipient(connector, "29:user-2"), "two")
    assert len(issued) == 1                                  # cached
    assert issued[0]["grant_type"] == "client_credentials" and issued[0]["client_id"] == "app-1"
    assert issued[0]["scope"] == "https://api.botframework.com/.default"
    assert [r.headers["Authorization"] for r in connector.received] == ["Bearer token-1"] * 2

    connector.scripted = [(401, {}, {})]                     # revoked early: fetch a new one, once
    result = await sender.send(recipient(connector), "three")
    assert result.outcome == "sent" and len(issued) == 2
    assert connector.received[-1].headers["Authorization"] == "Bearer token-2"

    fake_time.clock.advance(dt.timedelta(hours=1))           # expired: refreshed before use
    await sender.send(recipient(connector), "four")
    assert len(issued) == 3


def test_multi_tenant_bots_get_tokens_from_the_botframework_tenant():
    template = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
    assert token_url_for(template, app_type="MultiTenant", tenant_id="t") == \
        "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    assert token_url_for(template, app_type="SingleTenant", tenant_id="t") == \
        "https://login.microsoftonline.com/t/oauth2/v2.0/token"
