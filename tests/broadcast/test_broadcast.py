"""Staff broadcasts: drafted and confirmed in Teams (once per key, refused to anyone else), and from the CLI."""
import asyncio
import json

from bot.cli import main
from bot.console import Conversation
from integrations.db import Database
from integrations.db.migrate import upgrade
from tests.reminders.conftest import seed_many
# The reminder tests' set-up, reused: a broadcast goes out through the reminders' scheduler.
from tests.reminders.test_cli import connector_in_a_thread, database_url  # noqa: F401
from tests.reminders.conftest import STAFF, assistant, reminders_of, senco  # noqa: F401


async def test_staff_broadcast_is_confirmed_queued_once_and_refused_to_others(assistant):
    reminders = reminders_of(assistant)
    for n in range(3):
        user = senco(assistant, user_id=f"29:senco-{n}", aad=f"aad-{n}")
        await user.says("turn on forum reminders")
    staff = Conversation(assistant.bot, user_id="29:officer", name="Ina Officer", aad_object_id=STAFF,
                         channel_id="msteams")
    replies = await staff.says("broadcast forum The Term 5 forum is confirmed for 21 and 22 May.")
    assert "Send this to 3 Forum subscribers?" in replies[-1].text
    replies = await staff.button("Send broadcast")
    assert "Queued for 3 Forum subscribers" in replies[-1].text
    replies = await staff.button("Send broadcast")
    assert "already on its way" in replies[-1].text
    assert len(await reminders.announcements.all(kind="broadcast")) == 1

    sam = senco(assistant)
    forged = {"action": "reminders.broadcast_send", "category": "forum", "text": "spam", "key": "k"}
    replies = await sam.presses(forged)
    assert "only the inclusion team" in replies[-1].text
    assert len(await reminders.announcements.all(kind="broadcast")) == 1
    replies = await staff.says("broadcast nonsense hello")
    assert "where the category is one of" in replies[-1].text


def test_broadcast_then_run_once_delivers_to_each_subscriber_once(database_url, capsys):
    with connector_in_a_thread() as connector:
        async def seed():
            database = Database(database_url)
            await upgrade(database)
            await seed_many(database, ["29:a", "29:b"], categories=["forum"], service_url=connector.url)
            await seed_many(database, ["29:c"], categories=["funding"], service_url=connector.url)
            await database.dispose()

        asyncio.run(seed())
        argv = ["broadcast", "--category", "forum", "--text", "Term 5 forum confirmed", "--key", "t5"]
        assert main(argv) == 0
        assert "queued broadcast:t5 for 2 forum subscribers" in capsys.readouterr().out
        assert main(argv) == 0
        assert "queued before" in capsys.readouterr().out
        assert main(["reminders", "run-once"]) == 0
        summary = json.loads(capsys.readouterr().out)
        assert summary["sent"] == 2 and summary["announcements"] == 1
        assert main(["reminders", "run-once"]) == 0
        assert json.loads(capsys.readouterr().out)["sent"] == 0
        assert sorted(r.conversation_id for r in connector.received) == ["a:conv-29:a", "a:conv-29:b"]
    assert main(["reminders", "status"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["messages"] == {"sent": 2} and status["announcements"] == {"expanded": 1}


def test_broadcast_refuses_an_unknown_category(database_url, capsys):
    assert main(["broadcast", "--category", "gossip", "--text", "hello"]) == 2
    assert "unknown category" in capsys.readouterr().err
