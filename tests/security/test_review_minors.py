"""The review's minor HTTP items: a 16 KB Authorization header, unknown invokes, a refused invoke."""
from __future__ import annotations

import json
import logging
import uuid

from tests.e2e.conftest import payload

TOKEN_START = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImFiYyJ9"


async def test_a_16_kb_authorization_header_is_refused_quietly_without_quoting_the_token(secured_bot, caplog):
    caplog.set_level(logging.DEBUG)
    header = "Bearer " + TOKEN_START + "." + "A" * 16_384 + ".sig"
    status, text = await secured_bot.post(payload("teams_message", id=uuid.uuid4().hex),
                                          headers={"Authorization": header})
    assert status in (400, 401, 431)
    assert TOKEN_START not in text and "AAAA" not in text
    assert not any(r.exc_info for r in caplog.records), "no traceback"
    assert not any(TOKEN_START in r.getMessage() or "AAAA" in r.getMessage() for r in caplog.records)


async def test_an_invoke_that_is_not_a_card_action_gets_200_with_an_empty_body(running_bot):
    activity = payload("teams_invoke_card_action", id=uuid.uuid4().hex)
    activity["name"] = "application/search"
    status, text = await running_bot.post(activity)
    assert status == 200 and text == ""


async def test_a_refused_staff_action_does_not_answer_done(running_bot):
    activity = payload("teams_invoke_card_action", id=uuid.uuid4().hex)
    activity["value"] = {"action": {"type": "Action.Execute", "data": {"action": "inbox.dismiss", "cluster_id": "1"}}}
    status, text = await running_bot.post(activity)
    assert status == 200
    assert json.loads(text)["value"] != "Done"
    assert "only the inclusion team" in json.loads(text)["value"]
