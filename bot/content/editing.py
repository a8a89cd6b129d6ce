"""Staff correct live content: an FAQ entry, an event, a forum or a deadline, from Teams or the CLI.

Both channels call ``ContentEditor``, so the rules are the same: only the fields below can be changed,
text a person typed goes through the redactor first (children's names must never be stored), a reason
is required, and the change goes through the shared content store, which validates it with the
catalogue's own parser and records who, when and why (``sencobot kb history``; ``kb revert`` undoes it).
Plain Python: staff identity is checked by the callers.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable, Optional

from bot.content.store import ContentError, ContentStore, Revision, StoredItem
from knowledge.dates import DateProblem, parse_british_date, parse_british_datetime
from knowledge.london import london_today

# What staff may correct on each kind: field -> input kind. An FAQ entry's fields are inside doc["entry"].
CORRECTABLE: dict[str, dict[str, str]] = {
    "faq": {"question": "text", "answer": "text"},
    "event": {"title": "text", "description": "text", "start": "datetime", "end": "datetime", "venue": "text",
              "join_url": "link", "capacity": "number"},
    "deadline": {"title": "text", "on": "date", "until": "date", "detail": "text", "category": "word"},
    "forum": {"title": "text", "display": "text", "venue": "text", "booking_url": "link", "status": "word"},
}
LABELS = {
    "question": "Question", "answer": "Answer", "title": "Title", "description": "Description",
    "start": "Starts (e.g. 9 March 2027 16:00, London time)", "end": "Ends (e.g. 9 March 2027 17:00, London time)",
    "venue": "Venue (empty if online)", "join_url": "Joining link", "capacity": "Places", "on": "Date",
    "until": "Until (optional)", "detail": "Detail", "category": "Category (funding, tribunal, training, events, forum)",
    "display": "Shown as", "booking_url": "Booking link", "status": "Status (proposed, scheduled, held, cancelled)",
}
REDACTED = {"text"}
MULTILINE = {"answer", "description", "detail"}


class EditError(ValueError):
    """A correction that cannot be made; the message is safe to show to staff."""


@dataclass(frozen=True)
class Found:
    kind: str
    key: str
    title: str


def title_of(item: StoredItem) -> str:
    doc = item.doc["entry"] if item.kind == "faq" else item.doc
    return str(doc.get("question") or doc.get("title") or doc.get("term") or item.key)


class ContentEditor:
    def __init__(self, store: ContentStore, *, redactor, seed_dir: Optional[Path] = None,
                 refresh: Optional[Callable[[], Awaitable]] = None):
        self._store = store
        self._redactor = redactor
        self._seed_dir = seed_dir
        self._refresh = refresh

    async def _ready(self, by: str) -> None:
        # Before the store is seeded the YAML files are what is answered; seed it so a correction
        # edits the item everybody reads rather than a store nobody reads yet.
        await self._store.seed_if_empty(self._seed_dir)

    def redact(self, text: str) -> str:
        return self._redactor.redact(" ".join((text or "").split()))

    async def refreshed(self) -> None:
        """Brings this process's copy of the store up to date after a change made elsewhere in it."""
        if self._refresh is not None:
            await self._refresh()

    async def find(self, kind: str, words: str = "", *, by: str = "staff", limit: int = 40) -> list[Found]:
        """Items of a kind whose id starts with ``words`` or whose title has all of its words."""
        if kind not in CORRECTABLE:
            raise EditError(f"Only {', '.join(CORRECTABLE)} can be corrected here.")
        await self._ready(by)
        items = await self._store.items(kind)
        wanted = words.strip().lower()
        exact = [i for i in items if i.key.lower() == wanted]
        if exact:
            return [Found(kind, i.key, title_of(i)) for i in exact]
        terms = re.findall(r"[a-z0-9]+", wanted)
        # Typing the whole question or title picks that item, even when others share all its words.
        same = [i for i in items if re.findall(r"[a-z0-9]+", title_of(i).lower()) == terms]
        if same and terms:
            return [Found(kind, i.key, title_of(i)) for i in same]
        found = [i for i in items if i.key.lower().startswith(wanted)
                 or all(t in f"{i.key} {title_of(i)}".lower() for t in terms)]
        found.sort(key=lambda i: i.key)
        return [Found(kind, i.key, title_of(i)) for i in found[:limit]]

    async def item(self, kind: str, key: str) -> StoredItem:
        if kind not in CORRECTABLE:
            raise EditError(f"Only {', '.join(CORRECTABLE)} can be corrected here.")
        item = await self._store.get(kind, key)
        if item is None:
            raise EditError(f"There is no {kind} with id {key} (it may have been withdrawn).")
        return item

    @staticmethod
    def values(item: StoredItem) -> dict[str, str]:
        """The correctable fields as text, as a card or the terminal shows them."""
        doc = item.doc["entry"] if item.kind == "faq" else item.doc
        return {name: "" if doc.get(name) is None else str(doc.get(name)) for name in CORRECTABLE[item.kind]}

    async def correct(self, kind: str, key: str, changes: dict, *, by: str, why: str,
                      revision: Optional[int] = None) -> Revision:
        """Applies the changed fields; ``revision`` (what the card showed) refuses a stale edit."""
        why = self._redactor.redact(" ".join((why or "").split()))
        if not why:
            raise EditError("Say why you are making the change (it is kept in the history).")
        await self._ready(by)
        item = await self.item(kind, key)
        if revision is not None and item.revision != revision:
            raise EditError(f"That {kind} was changed by someone else since you opened it; open it again.")
        fields = CORRECTABLE[kind]
        target = dict(item.doc["entry"] if kind == "faq" else item.doc)
        for name, raw in changes.items():
            if name not in fields:
                raise EditError(f"A {kind} has no field '{name}' to correct (it has: {', '.join(fields)}).")
            target[name] = self._value(name, fields[name], raw)
        doc = {**item.doc, "entry": target} if kind == "faq" else target
        if doc == item.doc:
            raise EditError("Nothing was changed.")
        try:
            made = await self._store.edit(kind, key, doc, by=by, why=why)
        except ContentError as exc:
            raise EditError(f"Not saved: {exc}.") from None
        if self._refresh is not None:
            await self._refresh()
        return made

    def _value(self, name: str, kind: str, raw):
        value = " ".join(str(raw).split()) if raw is not None else ""
        if kind == "text" and name in MULTILINE:
            value = str(raw or "").strip()
        if not value:
            if name in ("question", "answer", "title", "detail", "display", "on", "start", "end", "status",
                        "category"):
                raise EditError(f"The {name} can't be empty.")
            return None
        # Dates as staff type them ("9 March 2027", "9/3/2027", "Tue 9 Mar 2027") or ISO, through the one reader.
        today = london_today(self._store.clock.now())
        try:
            if kind == "date":
                return parse_british_date(value, today=today).isoformat()
            if kind == "datetime":
                return parse_british_datetime(value, today=today).strftime("%Y-%m-%dT%H:%M")
        except DateProblem as problem:
            raise EditError(f"{name}: {problem}") from None
        try:
            if kind == "number":
                number = int(value)
                if number < 1:
                    raise ValueError
                return number
        except ValueError:
            raise EditError(f"'{value}' is not right for {name}: write it as a whole number.") from None
        if kind in REDACTED:
            return self._redactor.redact(value)
        return value
