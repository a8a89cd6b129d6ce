import copy

import pytest

from knowledge import check as kcheck
from knowledge.check import CHECKERS, Problem, check, errors, register_checker

from .conftest import ENTRIES, write_kb


def _entries():
    return copy.deepcopy(ENTRIES)


def _messages(problems, severity="error"):
    return [f"{p.where}: {p.message}" for p in problems if p.severity == severity]


def test_the_sample_kb_is_clean(kb_dir):
    assert errors(check(kb_dir)) == []


def test_the_real_kb_has_no_errors():
    problems = check()
    assert errors(problems) == [], "\n".join(map(str, errors(problems)))


def test_duplicate_ids_across_files(tmp_path):
    root = write_kb(tmp_path / "kb")
    write_kb(root, entries=[_entries()[0]], faq_name="zz-other.yaml")
    found = errors(check(root))
    assert any(p.where == "npq-deadline" and "duplicate id" in p.message and p.file == "faq/zz-other.yaml"
               for p in found)


def test_dangling_related_id(tmp_path):
    entries = _entries()
    entries[0]["related"] = ["npq-funding", "no-such-entry"]
    found = _messages(check(write_kb(tmp_path / "kb", entries=entries)))
    assert "npq-deadline: related id 'no-such-entry' does not exist" in found


def test_missing_source_and_session(tmp_path):
    entries = _entries()
    del entries[0]["source"]
    entries[1]["source"] = {"presenter": "Ruth Gately"}
    found = _messages(check(write_kb(tmp_path / "kb", entries=entries)))
    assert any(m.startswith("npq-deadline: missing 'source'") for m in found)
    assert any(m.startswith("npq-funding: source needs a 'session'") for m in found)


def test_answer_over_120_words(tmp_path):
    entries = _entries()
    entries[2]["answer"] = " ".join(["word"] * 121)
    entries[3]["answer"] = " ".join(["word"] * 120)
    found = _messages(check(write_kb(tmp_path / "kb", entries=entries)))
    assert "appeal-window: answer has 121 words (limit 120)" in found
    assert not any(m.startswith("stls-funding: answer") for m in found)


@pytest.mark.parametrize("date", [{"on": "6 April 2025", "label": "x"}, {"on": "2025-02-30", "label": "x"},
                                  {"label": "x"}, {"on": "2025-04-06"}, "2025-04-06"])
def test_bad_dates(tmp_path, date):
    entries = _entries()
    entries[0]["date"] = date
    found = _messages(check(write_kb(tmp_path / "kb", entries=entries)))
    assert any(m.startswith("npq-deadline: date") for m in found), found


def test_shape_problems_are_reported_not_raised(tmp_path):
    entries = _entries()
    entries[0]["id"] = "Not Kebab"
    entries[1]["alternatives"] = "just one string"
    del entries[2]["question"]
    entries.append("not a mapping")
    found = _messages(check(write_kb(tmp_path / "kb", entries=entries)))
    assert "Not Kebab: id should be kebab-case (a-z, 0-9, hyphens)" in found
    assert "npq-funding: 'alternatives' must be a list of strings" in found
    assert "appeal-window: missing or empty 'question'" in found
    assert "#9: entry is not a mapping" in found


def test_broken_yaml_is_an_error_naming_the_file(tmp_path):
    root = write_kb(tmp_path / "kb")
    (root / "faq" / "broken.yaml").write_text("entries: [\n", encoding="utf-8")
    assert any(p.file == "faq/broken.yaml" for p in errors(check(root)))


def test_glossary_needs_an_allowed_source(tmp_path):
    glossary = {"terms": [{"term": "PINS", "expansion": "A guess", "source": "internet"},
                          {"term": "EHCP", "expansion": None, "source": "deck"},
                          {"term": "ehcp", "expansion": None, "source": "deck"}]}
    found = _messages(check(write_kb(tmp_path / "kb", glossary=glossary)))
    assert any(m.startswith("PINS: source must be one of") for m in found)
    assert "ehcp: term defined twice" in found


def test_warnings_do_not_count_as_errors(tmp_path):
    entries = _entries()
    entries[0]["alternatives"] = ["only one"]
    entries[0]["colour"] = "blue"
    problems = check(write_kb(tmp_path / "kb", entries=entries))
    assert errors(problems) == []
    warnings = _messages(problems, "warning")
    assert "npq-deadline: 1 alternatives (aim for 5-10)" in warnings
    assert "npq-deadline: unknown field(s): colour" in warnings


def test_extra_checkers_plug_in(tmp_path, monkeypatch):
    monkeypatch.setattr(kcheck, "CHECKERS", list(CHECKERS))
    root = write_kb(tmp_path / "kb")
    (root / "events.yaml").write_text("events: []\n", encoding="utf-8")

    @register_checker
    def events_not_empty(files):
        if not files.yaml("events.yaml")["events"]:
            yield Problem("error", "events.yaml", "", "no events")
        yield "a plain string counts as an error"

    found = [str(p) for p in errors(check(root))]
    assert "error: events.yaml: no events" in found
    assert any("a plain string counts as an error" in m for m in found)
    # an explicit list replaces the registered ones
    assert errors(check(root, checkers=[])) == []


def test_cli_exit_status(tmp_path, capsys):
    root = write_kb(tmp_path / "kb")
    assert kcheck.main([str(root)]) == 0
    entries = _entries()
    entries[0]["related"] = ["missing"]
    write_kb(root, entries=entries)
    assert kcheck.main([str(root)]) == 1
    assert "does not exist" in capsys.readouterr().out
