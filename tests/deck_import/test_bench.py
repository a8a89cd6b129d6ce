"""The benchmark's measures move when the drafts are wrong (so its figures mean something)."""
from deck_import_eval import score

from knowledge.deck_import import import_deck
from tests.deck_import.conftest import DECK


def test_the_march_deck_meets_the_goals():
    result = score(import_deck(DECK))
    found, total = result["found"]
    assert found / total >= 0.9
    assert result["wrong_silent"] == []
    assert result["sections"][0] == result["sections"][1]


def test_a_date_changed_in_the_deck_is_counted_wrong_and_not_found(tmp_path):
    deck = tmp_path / "deck.txt"
    text = DECK.read_text(encoding="utf-8")
    assert "LIFT will cease to exist 31st July 2025" in text
    deck.write_text(text.replace("LIFT will cease to exist 31st July 2025", "LIFT will cease to exist 30th July 2025")
                    .replace("West Friday 2nd May 9am", "West Friday 2nd May 10am"), encoding="utf-8")
    honest = score(import_deck(DECK))
    result = score(import_deck(deck))
    assert "deadline lift-will-cease-exist-30th-2025-07-30 (2025-07-30)" in result["wrong_silent"]
    # LIFT ceasing, and the West meeting's deadline item, which counts only when its event is found.
    assert result["deadlines"][0] == honest["deadlines"][0] - 2
    assert result["events"][0] == honest["events"][0] - 1       # the right day at the wrong time is not found
