"""The review queue: imported drafts wait here until a member of staff accepts, edits or rejects them.

Plain Python (no botbuilder, no SQLAlchemy): the repository and the sink come in through the
constructor. Every decision records who and when; rejected drafts are kept. Accepting adds the
draft to the shared content store first and marks it accepted only if that worked, so a draft the
catalogue refuses stays pending with the reason shown. The sink refreshes this process's copy of
the store, so an accepted FAQ entry is answered at once (and by other replicas within seconds).
Text staff type into a draft goes through the redactor before it is stored.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Optional, Protocol

from bot.clock import Clock
from bot.drafts.sink import SinkError
from bot.drafts.ports import DraftStore
from integrations.db.drafts import DeckImport, NewDraft, StoredDraft
from knowledge.deck_import.models import DeckDrafts, to_jsonable

log = logging.getLogger(__name__)

# What staff may change on each kind of draft (the card's inputs and `drafts edit --set`).
EDITABLE: dict[str, dict[str, str]] = {
    "faq": {"question": "text", "answer": "text"},
    "event": {"title": "text", "kind_of_event": "text", "day": "date", "start": "time", "end": "time",
              "venue": "text", "booking_url": "text", "description": "text"},
    "deadline": {"title": "text", "on": "date", "until": "date", "detail": "text", "category": "text"},
    "forum": {"title": "text", "display": "text", "venue": "text"},
}


# Free text a person may type; dates, times, links and categories are not redacted (they hold no names).
REDACTED_FIELDS = frozenset({"question", "answer", "title", "description", "detail", "venue", "display"})


class DraftSink(Protocol):
    async def add(self, kind: str, data: dict, *, by: str, why: str, now: dt.datetime) -> str: ...


class DraftError(Exception):
    """A review action that cannot be done; the message is safe to show to staff."""


@dataclass(frozen=True)
class Decision:
    draft: StoredDraft
    published_as: Optional[str] = None


def draft_title(data: dict) -> str:
    return str(data.get("title") or data.get("question") or data.get("id") or "")


class DraftService:
    def __init__(self, repo: DraftStore, sink: DraftSink, clock: Clock, *, redactor=None):
        self._repo = repo
        self._sink = sink
        self._clock = clock
        self._redactor = redactor

    async def queue(self, drafts: DeckDrafts, *, by: str) -> DeckImport:
        items = [NewDraft(kind=d.kind, key=d.id, title=draft_title(to_jsonable(d)), data=to_jsonable(d),
                          flags=tuple(d.flags)) for d in drafts.all()]
        return await self._repo.add_import(file_name=drafts.file, forum_id=drafts.forum.id, drafts=items, by=by,
                                           now=self._clock.now())

    async def start_new(self, kind: str, *, by: str, forum: str) -> StoredDraft:
        """A blank draft of one kind for staff to fill in (a new FAQ entry, event or deadline typed in Teams).

        It goes through the same review card and the same sink as an imported draft, so the catalogue's
        checks apply to content typed by hand too."""
        day = self._clock.now()
        from bot.clock import london

        local = london(day)
        source = {"forum": forum, "session": f"Inclusion team, {local.day} {local:%B %Y}", "presenter": None,
                  "slides": []}
        templates = {
            "faq": {"question": "", "answer": "", "topic": "", "tags": ["staff"]},
            "event": {"kind_of_event": "webinar", "title": "", "description": "", "day": None, "start": None,
                      "end": None, "venue": None, "booking_url": None, "area": None, "online": False},
            "deadline": {"category": "forum", "title": "", "on": None, "precision": "day", "until": None,
                         "as_written": "", "detail": ""},
        }
        if kind not in templates:
            raise DraftError(f"New {kind} entries can't be typed in; use one of: {', '.join(templates)}.")
        data = {"id": None, "kind": kind, **templates[kind], "source": source, "flags": []}
        record = await self._repo.add_import(file_name="(typed by staff)", forum_id=forum,
                                             drafts=[NewDraft(kind=kind, key=f"new-{kind}", title=f"New {kind}",
                                                              data=data, flags=())], by=by, now=day)
        [draft] = [d for d in await self._repo.list(status="pending", kind=kind) if d.import_id == record.id]
        return draft

    async def pending(self, kind: Optional[str] = None) -> list[StoredDraft]:
        return await self._repo.list(status="pending", kind=kind)

    async def all(self, status: Optional[str] = None, kind: Optional[str] = None) -> list[StoredDraft]:
        return await self._repo.list(status=status, kind=kind)

    async def get(self, draft_id: str) -> StoredDraft:
        draft = await self._repo.get(draft_id)
        if draft is None:
            raise DraftError(f"There is no draft {draft_id}.")
        return draft

    async def edit(self, draft_id: str, changes: dict, *, by: str) -> StoredDraft:
        draft = await self.get(draft_id)
        if draft.status != "pending":
            raise DraftError(f"That draft was already {draft.status} by {draft.decided_by}; it can't be edited.")
        data = apply_changes(draft.kind, draft.data, self._redacted(changes))
        if data == draft.data:
            return draft
        if not await self._repo.edit(draft.id, data, revision=draft.revision, by=by, now=self._clock.now()):
            raise DraftError("Someone else changed that draft meanwhile; open it again.")
        return await self.get(draft.id)

    async def accept(self, draft_id: str, *, by: str, changes: Optional[dict] = None) -> Decision:
        draft = await self.get(draft_id)
        if draft.status != "pending":
            raise DraftError(f"That draft was already {draft.status} by {draft.decided_by}.")
        if changes:
            draft = await self.edit(draft_id, changes, by=by)
        now = self._clock.now()
        data = draft.data if draft.data.get("id") else {**draft.data, "id": new_id(draft.kind, draft.data)}
        record = await self._repo.get_import(draft.import_id)
        why = f"accepted from the review queue ({record.file_name if record else 'imported deck'})"
        try:
            published = await self._sink.add(draft.kind, data, by=by, why=why, now=now)
        except SinkError as exc:
            raise DraftError(f"Not accepted: {exc}.") from None
        if not await self._repo.decide(draft.id, "accepted", revision=draft.revision, by=by, now=now,
                                       published_as=published):
            # The content is written; the queue row lost a race with another decision on it.
            log.warning("draft %s was written but decided by someone else meanwhile", draft.id)
            raise DraftError("Someone else decided that draft meanwhile.")
        return Decision(await self.get(draft.id), published)

    def _redacted(self, changes: dict) -> dict:
        if self._redactor is None:
            return changes
        return {name: self._redactor.redact(value) if name in REDACTED_FIELDS and isinstance(value, str) else value
                for name, value in changes.items()}

    async def reject(self, draft_id: str, *, by: str, note: Optional[str] = None) -> Decision:
        draft = await self.get(draft_id)
        if draft.status != "pending":
            raise DraftError(f"That draft was already {draft.status} by {draft.decided_by}.")
        if not await self._repo.decide(draft.id, "rejected", revision=draft.revision, by=by, now=self._clock.now(),
                                       note=note):
            raise DraftError("Someone else decided that draft meanwhile.")
        return Decision(await self.get(draft.id))


def new_id(kind: str, data: dict) -> str:
    """The id a draft typed by staff goes live under, made as the importer makes them."""
    from knowledge.deck_import.extract import slug

    words = slug(str(data.get("question") or data.get("title") or kind), 6)
    day = data.get("day") or data.get("on")
    if kind == "event":
        return f"{data.get('kind_of_event') or 'event'}-{day}" if day else words
    return f"{words}-{day}" if day else words


def apply_changes(kind: str, data: dict, changes: dict) -> dict:
    """The draft's data with staff changes applied; refuses fields that kind has not and malformed values."""
    allowed = EDITABLE.get(kind, {})
    updated = dict(data)
    for name, raw in changes.items():
        if name not in allowed:
            raise DraftError(f"A {kind} draft has no field '{name}' to edit "
                             f"(it has: {', '.join(allowed)}).")
        value = raw.strip() if isinstance(raw, str) else raw
        if value == "":
            value = None
        kind_of = allowed[name]
        try:
            if value is not None and kind_of == "date":
                value = dt.date.fromisoformat(str(value)).isoformat()
            elif value is not None and kind_of == "time":
                if not re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", str(value)):
                    raise ValueError
                value = dt.time.fromisoformat(str(value).zfill(5)).isoformat()
        except ValueError:
            expected = "YYYY-MM-DD" if kind_of == "date" else "HH:MM"
            raise DraftError(f"'{raw}' is not a {kind_of} ({expected}) for {name}.") from None
        if name in ("question", "answer", "title") and not value:
            raise DraftError(f"The {name} can't be empty.")
        updated[name] = value
    if kind == "deadline" and "on" in changes and updated.get("precision") in ("term", "week", None):
        updated["precision"] = "day"       # a person typed a day: it is a day now
    return updated
