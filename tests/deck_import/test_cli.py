"""`sencobot import deck` and `sencobot drafts …` as staff run them, against a throwaway database and folder."""
import os
import subprocess
import sys

import pytest

from tests.deck_import.conftest import DECK, REPO


@pytest.fixture
def sencobot(tmp_path, data_dir):
    env = {**os.environ, "SENCOBOT_DATABASE__URL": f"sqlite:///{tmp_path}/cli.db",
           "SENCOBOT_KNOWLEDGE__DATA_DIR": str(data_dir), "SENCOBOT_NOW": "2026-11-26T10:00:00+00:00"}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, cwd=REPO,
                              env=env, timeout=120)

    return run


async def _drafts(tmp_path):
    """The queue as the CLI left it, read directly (each `sencobot` run costs seconds on a busy machine)."""
    from integrations.db import Database
    from integrations.db.drafts import DraftRepository

    database = Database(f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    try:
        return await DraftRepository(database).list(status=None)
    finally:
        await database.dispose()


async def _history(tmp_path, key):
    from integrations.db import Database
    from integrations.db.content import ContentRepository

    database = Database(f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    try:
        return await ContentRepository(database).history(kind="faq", key=key, limit=10)
    finally:
        await database.dispose()


# Six `sencobot` processes, each starting Python and migrating the database: slow when the machine is busy.
@pytest.mark.timeout(400)
async def test_import_then_review_from_the_terminal(sencobot, tmp_path, data_dir):
    broken = tmp_path / "deck.pptx"
    broken.write_bytes(b"PK\x03\x04 not really a presentation")
    failed = sencobot("import", "deck", str(broken))
    assert failed.returncode == 1 and "not a valid PowerPoint file" in failed.stderr

    imported = sencobot("import", "deck", str(DECK), "--by", "Clara Green")
    assert imported.returncode == 0, imported.stderr
    assert "drafts queued for review" in imported.stdout
    drafts = await _drafts(tmp_path)
    # One import, queued once: the broken file before it added nothing.
    assert len({d.import_id for d in drafts}) == 1 and all(d.status == "pending" for d in drafts)

    summer = next(d for d in drafts if d.kind == "deadline" and d.data["as_written"] == "Summer Term")
    rejected = sencobot("drafts", "reject", summer.id[:6], "--by", "Clara Green", "--note", "not a deadline")
    assert rejected.returncode == 0 and "rejected" in rejected.stdout
    history = sencobot("drafts", "show", summer.id).stdout
    assert "CHECK: 'Summer Term' names a term, not a day" in history
    assert "rejected by Clara Green at 2026-11-26 10:00 UTC: not a deadline" in history

    faq = next(d for d in drafts if d.kind == "faq" and d.data["topic"] == "New Ways of Working")
    accepted = sencobot("drafts", "accept", faq.id, "--by", "Ruth Gately")
    assert accepted.returncode == 0, accepted.stderr
    assert "live as faq communities-schools-new-ways-working" in accepted.stdout
    [change] = await _history(tmp_path, "communities-schools-new-ways-working")
    assert (change.action, change.changed_by) == ("add", "Ruth Gately")
    assert not (data_dir / "faq" / "imported.yaml").exists()
    again = sencobot("drafts", "accept", faq.id, "--by", "Ruth Gately")
    assert again.returncode == 1 and "already accepted by Ruth Gately" in again.stderr
    stored = {d.id: d for d in await _drafts(tmp_path)}[faq.id]
    assert (stored.status, stored.decided_by) == ("accepted", "Ruth Gately")
