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


def test_import_then_review_from_the_terminal(sencobot, tmp_path, data_dir):
    broken = tmp_path / "deck.pptx"
    broken.write_bytes(b"PK\x03\x04 not really a presentation")
    failed = sencobot("import", "deck", str(broken))
    assert failed.returncode == 1 and "not a valid PowerPoint file" in failed.stderr
    assert "0 drafts" in sencobot("drafts", "list").stdout          # nothing was queued

    imported = sencobot("import", "deck", str(DECK), "--by", "Clara Green")
    assert imported.returncode == 0, imported.stderr
    assert "drafts queued for review" in imported.stdout

    deadlines = sencobot("drafts", "list", "--kind", "deadline").stdout.splitlines()
    summer = next(line for line in deadlines if "Summer Term" in line or "re application" in line)
    summer_id = summer.split()[0]
    shown = sencobot("drafts", "show", summer_id[:6]).stdout
    assert "CHECK: 'Summer Term' names a term, not a day" in shown

    rejected = sencobot("drafts", "reject", summer_id, "--by", "Clara Green", "--note", "not a deadline")
    assert rejected.returncode == 0 and "rejected" in rejected.stdout
    history = sencobot("drafts", "show", summer_id).stdout
    assert "rejected by Clara Green at 2026-11-26 10:00 UTC: not a deadline" in history

    faq_line = next(line for line in sencobot("drafts", "list", "--kind", "faq").stdout.splitlines()
                    if "New Ways of Working" in line)
    accepted = sencobot("drafts", "accept", faq_line.split()[0], "--by", "Ruth Gately")
    assert accepted.returncode == 0, accepted.stderr
    assert "communities-schools-new-ways-working" in (data_dir / "faq" / "imported.yaml").read_text()
    assert "accepted by Ruth Gately" in sencobot("drafts", "show", faq_line.split()[0]).stdout

    again = sencobot("drafts", "accept", faq_line.split()[0], "--by", "Ruth Gately")
    assert again.returncode == 1 and "already accepted by Ruth Gately" in again.stderr
