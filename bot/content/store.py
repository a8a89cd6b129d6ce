"""The shared content store: forums, events, deadlines, FAQ entries and glossary terms in the database.

Write API (staff commands, the inbox's "publish", deck import):

    store = ContentStore(ContentRepository(database), clock)
    await store.add("event", doc, by="Clara Green", why="Term 3 webinar announced")
    await store.edit("event", "webinar-2027-03-10", doc, by=..., why=...)
    await store.withdraw("faq", "npq-funding", by=..., why="superseded")
    await store.revert(revision_id, by=..., why=...)       # puts back the item as it was before that change
    await store.history(kind="event", key="webinar-2027-03-10")
    await store.import_directory(path, by=..., why=...)    # seed from knowledge/data/ (YAML)
    await store.export_directory(path)                     # back to YAML

A ``doc`` is the item's YAML mapping (the catalogue file's format, documented in each file's header);
it is validated by the catalogue module's own parser before anything is written, so the store can
never hold an item the answerer or the booking service would refuse. Every change records who, when
and why and keeps the previous document; ``revert`` is itself a change, so it can be undone too.

Readers use ``ContentCache``: one snapshot per process, refreshed when the store's version number
moves (``refresh`` costs one SELECT), from which ``StoreCatalogues`` builds the catalogues.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import yaml

from bot.clock import Clock
from bot.privacy.edge import scrub
from bot.content.ports import ContentRecords
from integrations.db.content import Revision, StaleContent, StoredItem  # noqa: F401
from knowledge.deadlines import DeadlineCatalogue, DeadlineError, parse_deadline
from knowledge.events import Catalogue as EventsCatalogue
from knowledge.events import parse_catalogue as parse_events
from knowledge.events import parse_event
from knowledge.forums import ForumCatalogue, parse_forum
from knowledge.forums import parse_catalogue as parse_forums
from knowledge.loader import (KnowledgeError, faq_files, parse_entry, parse_glossary, parse_synonyms, raw_entries,
                              read_yaml)
from knowledge.models import KnowledgeBase

log = logging.getLogger(__name__)

KINDS = ("forum", "event", "deadline", "faq", "glossary")
# File order matters on import: deadlines may name events, so events go in first.
_FILES = (("forum", "forums.yaml", "forums"), ("event", "events.yaml", "events"),
          ("deadline", "deadlines.yaml", "deadlines"), ("glossary", "glossary.yaml", "terms"))


# Who the seed is credited to (see ContentStore.seed_if_empty).
SEEDED_BY = "the knowledge folder"


class ContentError(ValueError):
    """A change the store refuses (invalid document, unknown item, id taken); the message says why."""


def _plain(value: Any) -> Any:
    """YAML values as JSON-safe data: dates become ISO text, which every catalogue parser accepts."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def key_of(kind: str, doc: dict) -> str:
    if kind == "glossary":
        key = doc.get("term")
    elif kind == "faq":
        key = (doc.get("entry") or {}).get("id")
    else:
        key = doc.get("id")
    if not isinstance(key, str) or not key.strip():
        raise ContentError(f"{kind}: the document has no id")
    return key.strip()


class ContentStore:
    def __init__(self, repo: ContentRecords, clock: Clock, *, default_capacity: int = 60):
        self._repo = repo
        self._clock = clock
        self._default_capacity = default_capacity

    @property
    def repository(self) -> ContentRecords:
        return self._repo

    # -- validation ------------------------------------------------------------------------------

    async def _validate(self, kind: str, doc: dict) -> None:
        if kind not in KINDS:
            raise ContentError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
        if kind == "event":
            _, problems = parse_event(doc, 0, self._default_capacity)
        elif kind == "forum":
            _, problems = parse_forum(doc, 0)
        elif kind == "deadline":
            events = {i.key for i in (await self._repo.snapshot())[1] if i.kind == "event"}
            try:
                parse_deadline(doc, known_events=frozenset(events))
                problems = []
            except DeadlineError as exc:
                problems = [str(exc)]
        elif kind == "faq":
            try:
                parse_entry(doc.get("entry"))
                problems = [] if isinstance(doc.get("topic"), str) and doc["topic"] else ["faq: no topic"]
            except (ValueError, KnowledgeError) as exc:
                problems = [str(exc)]
        else:
            try:
                parse_glossary({"terms": [doc]})
                problems = []
            except (ValueError, KnowledgeError) as exc:
                problems = [str(exc)]
        if problems:
            raise ContentError("; ".join(str(p) for p in problems))

    # -- writing ---------------------------------------------------------------------------------

    async def add(self, kind: str, doc: dict, *, by: str, why: str) -> Revision:
        why = scrub(why)  # free text typed by staff: redacted at the edge like every channel
        doc = _plain(doc)
        key = key_of(kind, doc)
        await self._validate(kind, doc)
        try:
            [made] = await self._repo.change([(kind, key, doc, "add")], by=by, why=why, now=self._clock.now(),
                                             expect={(kind, key): None})
        except StaleContent:
            raise ContentError(f"{kind} {key} already exists") from None
        return made

    async def edit(self, kind: str, key: str, doc: dict, *, by: str, why: str) -> Revision:
        why = scrub(why)  # free text typed by staff: redacted at the edge like every channel
        doc = _plain(doc)
        if key_of(kind, doc) != key:
            raise ContentError(f"{kind} {key}: an edit cannot change the id")
        current = await self._repo.get(kind, key)
        if current is None:
            raise ContentError(f"{kind} {key} is not in the store")
        await self._validate(kind, doc)
        try:
            [made] = await self._repo.change([(kind, key, doc, "edit")], by=by, why=why, now=self._clock.now(),
                                             expect={(kind, key): current.revision})
        except StaleContent:
            raise ContentError(f"{kind} {key} was changed by someone else meanwhile; try again") from None
        return made

    async def withdraw(self, kind: str, key: str, *, by: str, why: str) -> Revision:
        why = scrub(why)  # free text typed by staff: redacted at the edge like every channel
        current = await self._repo.get(kind, key)
        if current is None:
            raise ContentError(f"{kind} {key} is not in the store")
        [made] = await self._repo.change([(kind, key, None, "withdraw")], by=by, why=why, now=self._clock.now(),
                                         expect={(kind, key): current.revision})
        return made

    async def revert(self, revision_id: int, *, by: str, why: str) -> Revision:
        """Undoes one change: the item goes back to the document it had before that change."""
        why = scrub(why)  # free text typed by staff: redacted at the edge like every channel
        target = await self._repo.revision(revision_id)
        if target is None:
            raise ContentError(f"no change number {revision_id}")
        if target.previous is not None:
            await self._validate(target.kind, target.previous)
        [made] = await self._repo.change([(target.kind, target.key, target.previous, "revert")], by=by,
                                         why=why or f"revert change {revision_id}", now=self._clock.now())
        return made

    # -- reading ---------------------------------------------------------------------------------

    async def get(self, kind: str, key: str) -> Optional[StoredItem]:
        return await self._repo.get(kind, key)

    async def items(self, kind: str) -> list[StoredItem]:
        return [i for i in (await self._repo.snapshot())[1] if i.kind == kind]

    async def history(self, *, kind: Optional[str] = None, key: Optional[str] = None,
                      limit: int = 50) -> list[Revision]:
        return await self._repo.history(kind=kind, key=key, limit=limit)

    async def is_seeded(self) -> bool:
        return await self._repo.count() > 0

    # -- YAML in and out -------------------------------------------------------------------------

    async def import_directory(self, root: Path, *, by: str, why: str, replace: bool = False) -> dict[str, int]:
        """Adds every item of a knowledge folder; existing items are kept unless ``replace``."""
        why = scrub(why)  # free text typed by staff: redacted at the edge like every channel
        root = Path(root)
        docs: list[tuple[str, dict]] = []
        for kind, name, list_key in _FILES:
            path = root / name
            if path.is_file():
                raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                docs += [(kind, _plain(item)) for item in raw.get(list_key) or []]
        for path in faq_files(root):
            for entry in raw_entries(read_yaml(path)):
                docs.append(("faq", {"topic": path.stem, "entry": _plain(entry)}))
        _, existing = await self._repo.snapshot()
        have = {(i.kind, i.key) for i in existing}
        counts: dict[str, int] = {}
        changes = []
        for kind, doc in docs:
            key = key_of(kind, doc)
            if (kind, key) in have and not replace:
                continue
            changes.append((kind, key, doc, "import"))
            counts[kind] = counts.get(kind, 0) + 1
        problems = []
        for kind, key, doc, _ in changes:
            try:
                if kind != "deadline":
                    await self._validate(kind, doc)
            except ContentError as exc:
                problems.append(f"{kind} {key}: {exc}")
        if problems:
            raise ContentError("; ".join(problems))
        if changes:
            await self._repo.change(changes, by=by, why=why, now=self._clock.now())
        return counts

    async def seed_if_empty(self, root: Optional[Path]) -> bool:
        """Seeds an empty store from the knowledge folder before its first change.

        Readers switch from the YAML files to the store as soon as it holds anything, so a store whose
        first item came from Teams would otherwise answer from that one item alone. The seed is credited to
        the folder, not to the staff member whose change set it off: it is not their work, and erasing them
        must not touch it."""
        if await self.is_seeded():
            return False
        from knowledge.loader import data_dir

        await self.import_directory(data_dir(str(root) if root else None), by=SEEDED_BY,
                                    why="seeded from the knowledge folder before the first change")
        return True

    async def export_directory(self, root: Path) -> list[Path]:
        """Writes the live state as the knowledge folder's YAML files (FAQ grouped by topic)."""
        root = Path(root)
        (root / "faq").mkdir(parents=True, exist_ok=True)
        version, items = await self._repo.snapshot()
        written = []
        header = f"# Exported from the content store (version {version}).\n"
        for kind, name, list_key in _FILES:
            chosen = [i.doc for i in items if i.kind == kind]
            path = root / name
            path.write_text(header + yaml.safe_dump({list_key: chosen}, sort_keys=False, allow_unicode=True,
                                                    width=110), encoding="utf-8")
            written.append(path)
        topics: dict[str, list] = {}
        for item in items:
            if item.kind == "faq":
                topics.setdefault(item.doc["topic"], []).append(item.doc["entry"])
        for topic, entries in sorted(topics.items()):
            path = root / "faq" / f"{topic}.yaml"
            path.write_text(header + yaml.safe_dump({"entries": entries}, sort_keys=False, allow_unicode=True,
                                                    width=110), encoding="utf-8")
            written.append(path)
        return written


# -- what readers see ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    version: int
    items: tuple[StoredItem, ...]

    def docs(self, kind: str) -> list[dict]:
        return [i.doc for i in self.items if i.kind == kind]


class ContentCache:
    """This process's copy of the store; ``refresh`` reloads it when the version number has moved."""

    def __init__(self, repo: ContentRecords):
        self._repo = repo
        self.snapshot = Snapshot(0, ())
        self._lock = asyncio.Lock()

    @property
    def active(self) -> bool:
        """False until the store holds content: until then the YAML files are the catalogues."""
        return bool(self.snapshot.items)

    async def refresh(self) -> bool:
        version = await self._repo.version()
        if version == self.snapshot.version:
            return False
        async with self._lock:
            version, items = await self._repo.snapshot()
            if version == self.snapshot.version:
                return False
            self.snapshot = Snapshot(version, tuple(items))
            log.info("content store version %d: %d items", version, len(items))
            return True


class StoreCatalogues:
    """The catalogues built from the cache's snapshot (rebuilt only when the snapshot changes).

    Invalid items cannot be in the store (every change is validated), but a catalogue that still
    fails to build keeps the last good one, as the file watchers did.
    """

    def __init__(self, cache: ContentCache, *, default_capacity: int = 60, synonyms_dir: Optional[Path] = None):
        self.cache = cache
        self._default_capacity = default_capacity
        self._synonyms_dir = synonyms_dir
        self._built: dict[str, tuple[int, Any]] = {}

    @property
    def version(self) -> int:
        return self.cache.snapshot.version

    def _build(self, name: str, make):
        version = self.cache.snapshot.version
        cached = self._built.get(name)
        if cached and cached[0] == version:
            return cached[1]
        try:
            value = make(self.cache.snapshot)
        except Exception as exc:  # noqa: BLE001 - a bad build must not take the answerer down
            log.warning("content %s not rebuilt, keeping the previous one: %s", name, exc)
            return cached[1] if cached else None
        self._built[name] = (version, value)
        return value

    def events(self) -> EventsCatalogue:
        def make(snapshot):
            catalogue, problems = parse_events({"events": snapshot.docs("event")}, self._default_capacity)
            if problems:
                raise ContentError("; ".join(str(p) for p in problems))
            return catalogue
        return self._build("events", make) or EventsCatalogue(())

    def forum_catalogue(self) -> ForumCatalogue:
        def make(snapshot):
            catalogue, problems = parse_forums({"forums": snapshot.docs("forum")})
            if problems:
                raise ContentError("; ".join(problems))
            return catalogue
        return self._build("forums", make) or ForumCatalogue(())

    def forums(self):
        return self.forum_catalogue().forums

    def deadline_catalogue(self) -> DeadlineCatalogue:
        def make(snapshot):
            events = frozenset(d["id"] for d in snapshot.docs("event"))
            return DeadlineCatalogue(tuple(parse_deadline(d, known_events=events) for d in snapshot.docs("deadline")))
        return self._build("deadlines", make) or DeadlineCatalogue(())

    def deadlines(self):
        return self.deadline_catalogue().deadlines

    def knowledge(self, base: Optional[KnowledgeBase] = None) -> Optional[KnowledgeBase]:
        """The FAQ entries and glossary from the store; synonyms stay in YAML (matching settings)."""
        def make(snapshot):
            entries = tuple(parse_entry(d["entry"], origin=f"{d['topic']}.yaml") for d in snapshot.docs("faq"))
            glossary = parse_glossary({"terms": snapshot.docs("glossary")})
            synonyms = base.synonyms if base is not None else ()
            if base is None and self._synonyms_dir is not None and (self._synonyms_dir / "synonyms.yaml").is_file():
                synonyms = parse_synonyms(read_yaml(self._synonyms_dir / "synonyms.yaml"))
            labels = {f["id"]: f["display"] for f in snapshot.docs("forum") if "display" in f}
            defaults = base.forum_labels if base is not None else {}
            return KnowledgeBase(entries, glossary, synonyms, {**defaults, **labels}, None)
        return self._build("knowledge", make)

