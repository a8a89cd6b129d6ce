"""The reminder commands: deadlines add/list, reminders run-once/status (broadcast: tests/broadcast/)."""
import asyncio
import contextlib
import json
import shutil
import threading

import pytest

from bot.cli import main
from integrations.db import Database
from integrations.db.migrate import upgrade
from knowledge.deadlines import DEFAULT_DATA_DIR, load_deadlines
from tests.fakes.connector import ConnectorStandIn
from tests.reminders.conftest import seed_many


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "kb"
    folder.mkdir()
    for name in ("deadlines.yaml", "events.yaml"):
        shutil.copy(DEFAULT_DATA_DIR / name, folder / name)
    return folder


@pytest.fixture
def database_url(tmp_path, monkeypatch):
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SENCOBOT_REMINDERS__DEADLINE_LEAD_DAYS", "7,1")
    return url


def test_deadlines_add_appends_a_validated_item(data_dir, capsys):
    code = main(["deadlines", "add", "--id", "summer-census", "--category", "funding", "--title", "Summer census",
                 "--on", "6 June 2030", "--detail", "Check every top-up claim.", "--session", "Staff note",
                 "--data-dir", str(data_dir)])
    assert code == 0, capsys.readouterr().err
    assert "added summer-census (funding, Thursday 6 June 2030)" in capsys.readouterr().out
    added = load_deadlines(data_dir).by_id()["summer-census"]
    assert added.on.isoformat() == "2030-06-06" and added.source.session == "Staff note"


@pytest.mark.parametrize("change, says", [
    (["--category", "money"], "category must be one of"),
    (["--on", "31/02/2030"], "doesn't exist"),
    (["--id", "lift-ceases"], "id used twice"),
    (["--event", "no-such-event"], "not in events.yaml"),
])
def test_deadlines_add_refuses_bad_input_and_leaves_the_file_alone(data_dir, capsys, change, says):
    before = (data_dir / "deadlines.yaml").read_text()
    args = {"--id": "x-item", "--category": "funding", "--title": "T", "--on": "2030-06-06", "--detail": "D",
            "--session": "S"}
    for flag, value in zip(change[::2], change[1::2]):
        args[flag] = value
    argv = ["deadlines", "add", "--data-dir", str(data_dir)] + [part for pair in args.items() for part in pair]
    assert main(argv) == 2
    assert says in capsys.readouterr().err
    assert (data_dir / "deadlines.yaml").read_text() == before


def test_deadlines_list_marks_passed_items(data_dir, capsys):
    assert main(["deadlines", "list", "--data-dir", str(data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(load_deadlines(data_dir).deadlines)
    assert any("npq-senco-applications-close" in line and "passed" in line for line in lines)


@contextlib.contextmanager
def connector_in_a_thread():
    """The stand-in on its own loop, so the command's own asyncio.run can talk to it."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder = {}

    def serve():
        asyncio.set_event_loop(loop)
        holder["connector"] = loop.run_until_complete(ConnectorStandIn().start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield holder["connector"]
    finally:
        asyncio.run_coroutine_threadsafe(holder["connector"].stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
