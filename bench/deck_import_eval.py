"""Score deck-import drafts against the hand-curated catalogues, for each format of the deck.

    python bench/deck_import_eval.py [DECK.txt] [--out DIR] [--show]

Generates the .pptx, .pdf and .docx versions of the deck (bench/make_deck_fixtures.py), imports
all four, and for each prints:

  events_found     catalogue events (events.yaml) with a draft on the right day at the right start
                   time (and, for area meetings, the right area), and the share with the right end
                   time and venue or joining link too;
  deadlines_found  catalogue deadlines (deadlines.yaml) with a draft on the right day (a month-only
                   item: the right month, drafted as month-only); an item tied to an event counts when
                   that event is found; the next forum's days count for the forum item;
  found            events and deadlines together (goal >= 90%);
  wrong_silent     drafts with a date that is not flagged for review and that the curated knowledge
                   (every catalogue date and every date written in the catalogues and FAQ answers)
                   never states (goal 0). This over-counts on purpose: a date the curators never wrote
                   down is counted wrong unless a person was asked to check it;
  sections         sessions the curated FAQ entries cite (source.session) that got at least one FAQ
                   draft (goal: all).

The last line per format is machine-readable: ``deck_import format=… found=… wrong_silent=… sections=…``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from make_deck_fixtures import DEFAULT_DECK, make_all  # noqa: E402

from knowledge.deck_import import glossary_forms, import_deck  # noqa: E402
from knowledge.deck_import.dates import DateContext, find_dates  # noqa: E402

DATA = REPO / "knowledge" / "data"


class _DatesAsText(yaml.SafeLoader):
    pass


def _load(name: str):
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def _norm(text: str | None) -> str:
    return " ".join((text or "").replace("–", "-").split()).lower()


def curated_dates() -> set[dt.date]:
    """Every day the curated knowledge states: catalogue fields and dates written in its texts."""
    days: set[dt.date] = set()
    context = DateContext(year=2025)
    texts: list[str] = []
    for event in _load("events.yaml")["events"]:
        days.add(dt.date.fromisoformat(event["start"][:10]))
        texts.append(event.get("description") or "")
    for item in _load("deadlines.yaml")["deadlines"]:
        days.add(item["on"] if isinstance(item["on"], dt.date) else dt.date.fromisoformat(str(item["on"])))
        if item.get("until"):
            days.add(item["until"] if isinstance(item["until"], dt.date) else dt.date.fromisoformat(str(item["until"])))
        texts.append(item.get("detail") or "")
    for forum in _load("forums.yaml")["forums"]:
        for session in forum.get("sessions") or []:
            days.add(session["date"] if isinstance(session["date"], dt.date) else dt.date.fromisoformat(session["date"]))
    for path in sorted((DATA / "faq").glob("*.yaml")):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("entries") or []:
            texts.append(entry.get("answer") or "")
            date = (entry.get("date") or {}).get("on")
            if date:
                days.add(date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date)))
    for text in texts:
        for mention in find_dates(text, context):
            if mention.on is not None:
                days.add(mention.on)
    return days


def curated_sessions() -> list[str]:
    sessions: list[str] = []
    for path in sorted((DATA / "faq").glob("*.yaml")):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("entries") or []:
            session = (entry.get("source") or {}).get("session")
            if session and session not in sessions:
                sessions.append(session)
    return sessions


def score(drafts) -> dict:
    events = _load("events.yaml")["events"]
    deadlines = _load("deadlines.yaml")["deadlines"]
    found_events, complete_events, misses = {}, 0, []
    for event in events:
        day, start = event["start"].split("T")
        hit = next((d for d in drafts.events if d.day.isoformat() == day and d.start
                    and d.start.strftime("%H:%M") == start and (event["area"] is None or d.area == event["area"])),
                   None)
        found_events[event["id"]] = hit is not None
        if hit is None:
            misses.append(f"event {event['id']}")
            continue
        end_ok = event["end_assumed"] or (hit.end is not None and hit.end.strftime("%H:%M") == event["end"][11:])
        place_ok = hit.venue == event["venue"] and hit.booking_url == event["join_url"]
        complete_events += end_ok and place_ok
    found_deadlines = 0
    for item in deadlines:
        on = item["on"]
        if item.get("event"):
            ok = found_events.get(item["event"], False)
        elif item.get("until"):
            ok = any(d.on == on and d.until == item["until"] for d in drafts.deadlines)
        elif item.get("precision") == "month":
            ok = any(d.on == on and d.precision == "month" for d in drafts.deadlines)
        else:
            ok = any(d.on == on and d.precision in ("day", "term") for d in drafts.deadlines)
        found_deadlines += ok
        if not ok:
            misses.append(f"deadline {item['id']} ({on})")
    known = curated_dates()
    wrong = []
    for draft in list(drafts.events) + list(drafts.deadlines):
        day = draft.day if draft.kind == "event" else draft.on
        if day is not None and not draft.flags and day not in known:
            wrong.append(f"{draft.kind} {draft.id} ({day})")
    sessions = curated_sessions()
    drafted = {_norm(f.source.session) for f in drafts.faqs}
    missing_sections = [s for s in sessions if _norm(s) not in drafted]
    flagged = sum(1 for d in list(drafts.events) + list(drafts.deadlines) if d.flags)
    return {
        "events": (sum(found_events.values()), len(events)),
        "events_complete": (complete_events, len(events)),
        "deadlines": (found_deadlines, len(deadlines)),
        "found": (sum(found_events.values()) + found_deadlines, len(events) + len(deadlines)),
        "wrong_silent": wrong,
        "sections": (len(sessions) - len(missing_sections), len(sessions)),
        "missing": misses + [f"section {s}" for s in missing_sections],
        "drafts": (len(drafts.events), len(drafts.deadlines), len(drafts.faqs), flagged),
    }


def _pct(pair) -> str:
    return f"{pair[0]}/{pair[1]} ({100 * pair[0] / pair[1]:.1f}%)" if pair[1] else "0/0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deck", nargs="?", default=str(DEFAULT_DECK))
    parser.add_argument("--out", default=str(REPO / "var" / "deck-fixtures"))
    parser.add_argument("--show", action="store_true", help="list what was missed and each date counted wrong")
    args = parser.parse_args(argv)
    files = make_all(Path(args.deck), Path(args.out))
    glossary = glossary_forms()
    failed = False
    for suffix in (".txt", ".pptx", ".pdf", ".docx"):
        started = time.perf_counter()
        drafts = import_deck(files[suffix], glossary=glossary)
        seconds = time.perf_counter() - started
        result = score(drafts)
        events, deadlines, faqs, flagged = result["drafts"]
        print(f"{suffix}: events {_pct(result['events'])} (end time and place right too: "
              f"{_pct(result['events_complete'])}), deadlines {_pct(result['deadlines'])}, "
              f"found {_pct(result['found'])}, wrong dates not flagged {len(result['wrong_silent'])}, "
              f"sections with an FAQ draft {_pct(result['sections'])}; drafted {events} events, {deadlines} deadlines "
              f"({flagged} events/deadlines flagged), {faqs} FAQ entries in {seconds:.2f} s")
        if args.show:
            for line in result["missing"]:
                print(f"    missed: {line}")
            for line in result["wrong_silent"]:
                print(f"    wrong date, not flagged: {line}")
        found = result["found"]
        print(f"deck_import format={suffix[1:]} found={found[0] / found[1]:.3f} "
              f"wrong_silent={len(result['wrong_silent'])} sections={result['sections'][0]}/{result['sections'][1]}")
        failed |= (found[0] / found[1] < 0.9 or bool(result["wrong_silent"])
                   or result["sections"][0] < result["sections"][1])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
