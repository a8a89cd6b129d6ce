"""Where the tests find the forum's source deck (the product reads it from ``../shared/sources``)."""
import os
from pathlib import Path

_NAME = "senco-forum-term4-2025.txt"
_REPO = Path(__file__).resolve().parents[2]


def _find_deck() -> Path:
    # A clone next to ``shared`` (the project's layout) first; a clone made elsewhere on this machine, e.g. in a
    # temporary directory, still finds the workplace's copy; SENCOBOT_DECK names any other.
    candidates = [os.environ.get("SENCOBOT_DECK"), _REPO.parent / "shared" / "sources" / _NAME,
                  Path("/work/shared/sources") / _NAME]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return _REPO.parent / "shared" / "sources" / _NAME


DECK = _find_deck()
