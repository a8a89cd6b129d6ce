"""Logs at INFO and above carry no message text and no personal data, through a whole conversation."""
import json
import logging
import uuid

from tests.e2e.conftest import payload

USER = {"id": "29:1a2B3c4D5e6F7g8H9i0JkLmNoPqRsTuVwXyZ-priya", "name": "Priya Ramaswamy",
        "aadObjectId": "5b0c1d2e-aaaa-4bbb-8ccc-1d2e3f4a5b6c"}
CONVERSATION = "a:1Qm9vZ3lXb29neVBlcnNvbmFsQ2hhdA"

# (what the user types, fragments of it that must never reach a log)
CONVERSATION_SCRIPT = [
    ("Can Jamie Fletcher's mum ring you on 07700 900123 about his EHCP? Or email jfletcher@example.org",
     ["Jamie", "Fletcher", "07700", "900123", "07700 900123", "jfletcher@example.org", "his EHCP"]),
    ("what will the weather be like in Lisbon next Tuesday?", ["Lisbon", "weather"]),
    ("help", []),
    ("book the induction meeting in Maidstone", ["Maidstone"]),
    ("cancel", []),
    ("Tom Okafor (DOB 03/02/2015, NHS 943 476 5919) lives at 12 Acacia Avenue, ME14 1XX", [
        "Okafor", "03/02/2015", "943 476 5919", "Acacia", "ME14 1XX"]),
]


def _activity(name: str, **changes) -> dict:
    activity = payload(name, id=uuid.uuid4().hex, **changes)
    activity["from"] = dict(USER)
    activity["conversation"] = {**activity["conversation"], "id": CONVERSATION}
    return activity


async def test_a_whole_conversation_leaves_no_text_or_personal_data_in_the_logs(running_bot, caplog):
    caplog.set_level(logging.INFO)
    welcome = _activity("teams_conversation_update")
    welcome["membersAdded"] = [dict(USER)]
    assert (await running_bot.post(welcome))[0] in (200, 201)
    for text, _ in CONVERSATION_SCRIPT:
        status, _ = await running_bot.post(_activity("teams_message", text=text))
        assert status == 201, text
    replies = running_bot.connector.activities(CONVERSATION)
    assert len(replies) >= len(CONVERSATION_SCRIPT) + 1, "every message was answered"
    answered = " ".join(json.dumps(reply) for reply in replies)
    assert "Here's what I can do" in answered, "help was shown"
    assert "I don't know the answer to that" in answered, "a question was declined"

    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert records, "the conversation was logged at all (otherwise this test proves nothing)"
    logged = "\n".join(_everything_in(record) for record in records)
    forbidden = [USER["name"], "Priya", "Ramaswamy", USER["aadObjectId"], USER["id"]]
    for text, fragments in CONVERSATION_SCRIPT:
        # Whole messages, unless they are one-word commands a log may name ("help" shown, "cancel" pressed).
        forbidden += [*fragments, *([text] if len(text) > 15 else [])]
    leaks = sorted({fragment for fragment in forbidden if fragment.lower() in logged.lower()})
    assert leaks == [], f"personal data or message text in the logs: {leaks}"


def _everything_in(record: logging.LogRecord) -> str:
    """The formatted message plus anything a handler could print: arguments, exception, extras."""
    parts = [record.getMessage(), repr(record.args)]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(repr(record.exc_info[1]))
    if record.exc_text:
        parts.append(record.exc_text)
    standard = set(vars(logging.makeLogRecord({})))
    parts += [repr(value) for key, value in vars(record).items() if key not in standard]
    return " ".join(parts)
