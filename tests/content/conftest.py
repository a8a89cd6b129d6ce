"""Fixtures for the shared content store and the live answers: a PostgreSQL or SQLite database, the CLI
as a separate process, and assistants built on that database at a fixed "now" in 2027."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SENCOBOT = [sys.executable, "-m", "bot.cli"] if not (Path(sys.executable).parent / "sencobot").exists() \
    else [str(Path(sys.executable).parent / "sencobot")]
# Monday 1 March 2027, 09:00 London (GMT).
NOW_2027 = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
NOW_TEXT = "2027-03-01T09:00"


def cli_env(url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENCOBOT_")}
    env.update({"DATABASE_URL": url, "SENCOBOT_NOW": NOW_TEXT, "SENCOBOT_LINK_SIGNING_KEY": "test-signing-key",
                "SENCOBOT_MAIL__ENABLED": "false"})
    env.update(extra)
    return env


def sencobot(url: str, *args: str, stdin: str | None = None, **extra) -> subprocess.CompletedProcess:
    """Runs the CLI as its own process, as staff would on another server."""
    done = subprocess.run(SENCOBOT + list(args), env=cli_env(url, **extra), cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"sencobot {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done
