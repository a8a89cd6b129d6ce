"""End-to-end: real HTTP into /api/messages, replies read from the Bot Connector stand-in."""
import asyncio
import json
import uuid

import aiohttp
from botbuilder.core import MessageFactory
from botbuilder.dialogs import PromptOptions, TextPrompt, WaterfallDialog

from bot.app import ASSISTANT_KEY, create_app
from bot.router import Intent
from integrations.db import Database
from tests.e2e.conftest import payload
from tests.fakes.http import serving


def card_texts(activity: dict) -> str:
    parts = [activity.get("text") or ""]
    for attachment in activity.get("attachments") or []:
        parts.append(json.dumps(attachment.get("content")))
    return " ".join(parts)


async def test_a_teams_question_is_answered_with_a_cited_card(running_bot):
    status, _ = await running_bot.post(payload("teams_message"))
    assert status in (200, 201)
    [reply] = await running_bot.connector.wait_for(1)
    assert reply["conversation"]["id"] == "a:1xYzPersonalChatWithSamSenco"
    card = reply["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    text = card_texts(reply)
    assert "6 April 2025" in text and "NPQ" in text
    assert "Countywide SENCO Forum, March 2025" in text


async def test_new_member_gets_a_welcome_card(running_bot):
    status, _ = await running_bot.post(payload("teams_conversation_update"))
    assert status in (200, 201)
    replies = await running_bot.connector.wait_for(1)
    assert "SENCO Forum Assistant" in card_texts(replies[0])


async def test_invoke_card_action_returns_200_with_json_body_once_serialised(running_bot):
    status, body = await running_bot.post(payload("teams_invoke_card_action"))
    assert status == 200
    parsed = json.loads(body)
    assert isinstance(parsed, dict), "invoke body must be a JSON object, not a JSON string"
    assert parsed["statusCode"] == 200
    assert parsed["type"] == "application/vnd.microsoft.activity.message"
    [reply] = await running_bot.connector.wait_for(1)
    assert "Here's what I can do" in card_texts(reply)


async def test_the_same_activity_delivered_twice_is_processed_once(running_bot):
    activity = payload("teams_message", id="retry-me-1")
    results = await asyncio.gather(running_bot.post(activity), running_bot.post(activity))
    assert all(status in (200, 201) for status, _ in results)
    # Both POSTs have returned, so both turns (and any reply they sent) are over: no waiting needed.
    await running_bot.connector.wait_for(1)
    assert len(running_bot.connector.activities()) == 1


async def test_malformed_bodies_get_400_with_a_short_json_error(running_bot):
    session, url = running_bot.session, running_bot.url + "/api/messages"
    cases = [
        b"{not json",
        b"[1, 2, 3]",
        json.dumps({"text": "no type"}).encode(),
        json.dumps({"type": "message", "text": "hi", "conversation": {"id": "c"}, "from": {"id": "u"}}).encode(),
        json.dumps({"type": "message", "serviceUrl": "http://x/", "from": {"id": "u"}}).encode(),
        json.dumps({"type": "message", "serviceUrl": "http://x/", "conversation": {"id": "c"}, "from": {"id": 5}}).encode(),
        "\udcff".encode("utf-8", "surrogatepass"),
    ]
    for body in cases:
        async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as response:
            assert response.status == 400, body
            assert "error" in await response.json()
    async with session.post(url, data=b"hello", headers={"Content-Type": "text/plain"}) as response:
        assert response.status == 415


async def test_garbage_authorization_header_in_anonymous_mode_is_not_a_500(running_bot):
    status, _ = await running_bot.post(payload("teams_message", id="auth-1"),
                                       headers={"Authorization": "Bearer not-a-jwt"})
    assert status in (200, 201)


async def test_oversized_body_is_413(running_bot):
    huge = payload("teams_message", text="x" * 300_000, id="huge-1")
    status, _ = await running_bot.post(huge)
    assert status == 413


async def test_an_exception_in_a_turn_apologises_with_a_code_and_keeps_state(running_bot):
    bot = running_bot.app[ASSISTANT_KEY].bot
    counter = bot._conversation_state.create_property("counter")

    async def explode(turn_context, dc, text):
        await counter.set(turn_context, 99)
        raise RuntimeError("boom")

    async def count(turn_context, dc, text):
        value = (await counter.get(turn_context)) or 0
        await counter.set(turn_context, value + 1)
        await turn_context.send_activity(f"count={value + 1}")

    bot.router.add_intent(Intent("explode", explode, patterns=(r"^explode$",)))
    bot.router.add_intent(Intent("count", count, patterns=(r"^count$",)))
    await running_bot.say("count")
    await running_bot.say("explode")
    await running_bot.say("count")
    replies = [a.get("text") or "" for a in await running_bot.connector.wait_for(3)]
    assert replies[0] == "count=1"
    assert replies[1].startswith("Sorry, something went wrong") and "reference" in replies[1]
    assert replies[2] == "count=2", "the failed turn must not have saved its partial state"


async def test_healthz_reports_database_and_version(running_bot):
    async with running_bot.session.get(running_bot.url + "/healthz") as response:
        assert response.status == 200
        body = await response.json()
    assert body["database"] == "reachable" and body["version"]


async def test_healthz_is_503_when_the_database_is_unreachable(settings, clock):
    # Nothing listens on port 1: the database is down.
    database = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    app = create_app(settings, clock=clock, database=database, run_background=False)
    async with serving(app) as base:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/healthz") as response:
                assert response.status == 503
                assert (await response.json())["database"] == "unreachable"


async def test_a_dialog_resumes_after_the_app_restarts(settings, clock, tmp_path):
    """Process 1 asks a question and stops; process 2 on the same database receives the answer."""
    from tests.fakes.connector import ConnectorStandIn
    from integrations.db.migrate import upgrade

    connector = await ConnectorStandIn().start()
    await upgrade(Database(settings.database.url))

    def add_school_dialog(app):
        bot = app[ASSISTANT_KEY].bot
        bot.dialogs.add(TextPrompt("school-prompt"))

        async def ask(step):
            return await step.prompt("school-prompt", PromptOptions(prompt=MessageFactory.text("Which school?")))

        async def done(step):
            await step.context.send_activity(f"Thanks, {step.result}.")
            return await step.end_dialog()

        bot.dialogs.add(WaterfallDialog("school", [ask, done]))

        async def start(turn_context, dc, text):
            await dc.begin_dialog("school")

        bot.router.add_intent(Intent("school", start, patterns=(r"^set my school$",)))

    async def serve_one(text):
        app = create_app(settings, clock=clock, run_background=False)
        add_school_dialog(app)
        activity = payload("teams_message", text=text, id=uuid.uuid4().hex, serviceUrl=connector.url)
        async with serving(app) as base, aiohttp.ClientSession() as session:
            async with session.post(f"{base}/api/messages", json=activity) as response:
                assert response.status in (200, 201)

    try:
        await serve_one("set my school")
        await serve_one("Joy Lane Primary")
        texts = [a.get("text") for a in connector.activities()]
        assert texts == ["Which school?", "Thanks, Joy Lane Primary."]
    finally:
        await connector.stop()


async def test_a_sender_with_a_blank_id_is_answered_but_not_kept_as_someone_to_message_later(running_bot):
    activity = payload("teams_message", id="blank-sender-1")
    activity["from"]["id"] = "   "
    status, _ = await running_bot.post(activity)
    assert status < 500
    core = running_bot.app[ASSISTANT_KEY].core
    assert [r.user_id for r in await core.references.all() if not r.user_id.strip()] == []
