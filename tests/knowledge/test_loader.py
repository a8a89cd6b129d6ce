import logging
import os

import pytest

from knowledge.loader import KnowledgeError, KnowledgeWatcher, load_knowledge
from knowledge.models import FORUM_LABELS

from .conftest import ENTRIES, write_kb


def test_loads_entries_glossary_and_synonyms(kb_dir):
    kb = load_knowledge(kb_dir)
    assert [e.id for e in kb.entries] == [e["id"] for e in ENTRIES]
    npq = kb.by_id()["npq-deadline"]
    assert npq.date.on.isoformat() == "2025-04-06"
    assert npq.source.forum == "term4-2025" and npq.source.presenter == "Ruth Gately"
    assert npq.origin == "sample.yaml"
    assert any(t.term == "EHCP" for t in kb.glossary)
    assert ("tribunal", "appeal", "sendist") in kb.synonyms
    assert kb.forum_labels["term4-2025"] == FORUM_LABELS["term4-2025"]


def test_default_directory_is_the_package_data():
    kb = load_knowledge()
    assert kb.path.endswith(os.path.join("knowledge", "data"))


def test_unquoted_on_key_is_accepted(tmp_path):
    root = tmp_path / "kb"
    write_kb(root, entries=[])
    (root / "faq" / "dated.yaml").write_text(
        "entries:\n"
        "  - id: dated\n"
        "    question: When?\n"
        "    answer: Then.\n"
        "    source: {session: S, presenter: null}\n"
        "    date:\n"
        "      on: 2025-05-21\n"          # YAML 1.1 reads this key as True
        "      label: The thing\n", encoding="utf-8")
    assert load_knowledge(root).entries[0].date.on.isoformat() == "2025-05-21"


def test_an_empty_faq_file_is_no_entries(tmp_path):
    root = write_kb(tmp_path / "kb")
    (root / "faq" / "zz-empty.yaml").write_text("", encoding="utf-8")
    assert len(load_knowledge(root).entries) == len(ENTRIES)


@pytest.mark.parametrize("change, message", [
    (lambda e: e[1].update(id=e[0]["id"]), "duplicate id"),
    (lambda e: e[0].pop("source"), "source"),
    (lambda e: e[0].update(date={"on": "6 April", "label": "x"}), "ISO date"),
    (lambda e: e[0].update(answer=""), "answer"),
])
def test_malformed_entries_raise_with_file_and_entry(tmp_path, change, message):
    entries = [dict(e) for e in ENTRIES]
    change(entries)
    root = write_kb(tmp_path / "kb", entries=entries)
    with pytest.raises(KnowledgeError, match=message) as err:
        load_knowledge(root)
    assert "sample.yaml" in str(err.value)


def test_forum_labels_come_from_forums_yaml_when_present(tmp_path):
    root = write_kb(tmp_path / "kb")
    (root / "forums.yaml").write_text(
        "forums:\n  - {id: term5-2025, display: 'Countywide SENCO Forum, May 2025'}\n",
        encoding="utf-8")
    assert load_knowledge(root).forum_labels["term5-2025"] == "Countywide SENCO Forum, May 2025"


def _touch_later(path):
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_watcher_returns_a_new_kb_only_after_a_change(kb_dir):
    watcher = KnowledgeWatcher(kb_dir)
    assert watcher.poll() is None
    entries = [dict(e) for e in ENTRIES[:2]]
    write_kb(kb_dir, entries=entries)
    _touch_later(kb_dir / "faq" / "sample.yaml")
    assert watcher.changed()
    kb = watcher.poll()
    assert kb is not None and [e.id for e in kb.entries] == ["npq-deadline", "npq-funding"]
    assert watcher.poll() is None


def test_watcher_sees_new_and_removed_files(kb_dir):
    watcher = KnowledgeWatcher(kb_dir)
    extra = kb_dir / "faq" / "more.yaml"
    extra.write_text("entries: []\n", encoding="utf-8")
    assert watcher.poll() is not None
    extra.unlink()
    assert watcher.poll() is not None


def test_watcher_keeps_the_old_kb_when_the_new_files_do_not_load(kb_dir, caplog):
    watcher = KnowledgeWatcher(kb_dir)
    broken = kb_dir / "faq" / "sample.yaml"
    broken.write_text("entries:\n  - id: [unclosed\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="knowledge.loader"):
        assert watcher.poll() is None
        assert watcher.poll() is None          # same broken state: no second warning
    assert len([r for r in caplog.records if "reload failed" in r.getMessage()]) == 1
    assert watcher.last_error
    write_kb(kb_dir)
    _touch_later(broken)
    assert watcher.poll() is not None and watcher.last_error is None
