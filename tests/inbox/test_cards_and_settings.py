"""Inbox cards render as valid Adaptive Cards whatever the text; the inbox settings are validated;
published entries survive a reload of the knowledge files."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone

import pytest

from bot.cards import card_choices, plain, render_card
from bot.clock import FixedClock
from bot.faq.service import FaqService
from bot.settings import DEFAULT_CONFIG, REPO_ROOT, SettingsError, load_settings
from knowledge.engine import Thresholds
from knowledge.models import FaqEntry, Source

HOSTILE = 'Quote " backslash \\ brace } newline\n{{ jinja }} </script>'


def cluster_card(status: str, merge_targets: list) -> dict:
    return render_card(
        "inbox_cluster",
        cluster={"id": "c1", "question": HOSTILE, "status": status},
        asked_line="Asked 2 times (2 in Teams).",
        status_line="",
        wordings=[HOSTILE],
        faq_question=HOSTILE,
        answer=HOSTILE,
        topics=[{"title": "Questions from schools", "value": "questions-from-schools"}],
        default_topic="questions-from-schools",
        merge_targets=merge_targets,
    )


def test_cluster_card_is_valid_json_and_buttons_follow_the_status():
    card = cluster_card("open", [{"title": "Other", "value": "c2"}])
    # Shown as typed: escaped for the card's Markdown, every character still there.
    assert card["version"] == "1.5" and plain(card["body"][0]["text"]) == HOSTILE
    assert [t for t, _ in card_choices(card)] == ["Answer", "Merge", "Dismiss", "Publish"]
    assert all(d["cluster_id"] == "c1" for _, d in card_choices(card))
    inputs = {i["id"]: i for i in card["body"] if i["type"].startswith("Input.")}
    assert set(inputs) == {"question", "answer", "topic", "merge_into"}
    assert inputs["answer"]["value"] == HOSTILE and inputs["answer"]["isMultiline"]
    dismiss = next(a for a in card["actions"] if a["title"] == "Dismiss")
    assert dismiss["associatedInputs"] == "none"

    answered = cluster_card("answered", [{"title": "Other", "value": "c2"}])
    assert [t for t, _ in card_choices(answered)] == ["Answer", "Publish"]
    alone = cluster_card("open", [])
    assert [t for t, _ in card_choices(alone)] == ["Answer", "Dismiss", "Publish"]


def test_answer_notice_card_is_valid_json():
    card = render_card("inbox_answer", question=HOSTILE, answer=HOSTILE, team_name="Inclusion team")
    assert [plain(b["text"]) for b in card["body"]][1:] == ["You asked: " + HOSTILE, HOSTILE]
    json.dumps(card)


def test_inbox_settings_defaults_and_validation():
    settings = load_settings(DEFAULT_CONFIG, environ={})
    assert settings.inbox.digest_interval_hours == 24 and settings.inbox.digest_time == "08:00"
    assert settings.inbox.cluster_threshold == 80
    for env, key in [({"SENCOBOT_INBOX__DIGEST_TIME": "8am"}, "inbox.digest_time"),
                     ({"SENCOBOT_INBOX__DIGEST_INTERVAL_HOURS": "0"}, "inbox.digest_interval_hours"),
                     ({"SENCOBOT_INBOX__CLUSTER_THRESHOLD": "150"}, "inbox.cluster_threshold")]:
        with pytest.raises(SettingsError) as caught:
            load_settings(DEFAULT_CONFIG, environ=env)
        assert str(caught.value).startswith(key)


def test_published_entries_survive_a_reload_of_the_knowledge_files(tmp_path):
    data = tmp_path / "kb"
    shutil.copytree(REPO_ROOT / "knowledge" / "data", data)
    clock = FixedClock(datetime(2026, 11, 26, 10, tzinfo=timezone.utc))
    faq = FaqService.from_directory(data, Thresholds(answer=0.55, suggest=0.35), clock)
    entry = FaqEntry(id="inbox-refreshments-abc123", question="Will refreshments be provided at the forum?",
                     answer="Tea and coffee are provided.", source=Source(session="Inclusion team answer, 26 November 2026"),
                     tags=("questions-from-schools", "inbox"))
    faq.publish(entry)
    assert faq.ask("will refreshments be provided at the forum?").entry.id == entry.id

    forum = data / "faq" / "forum.yaml"
    forum.write_text(forum.read_text() + "\n# touched\n")
    import os

    os.utime(forum, ns=(forum.stat().st_atime_ns, forum.stat().st_mtime_ns + 10**9))
    assert faq.refresh_if_changed()
    assert faq.entry(entry.id) == entry
    assert faq.ask("will refreshments be provided at the forum?").entry.id == entry.id
