"""Bot Framework ``Storage`` persisted in the application database.

User, conversation and dialog state survive restarts and are shared by every
process on one PostgreSQL database. Documents are serialised with jsonpickle,
which the SDK itself uses, so dialog stacks (DialogState objects) round-trip.
"""
from __future__ import annotations

import contextvars
import uuid
from typing import Dict, List, Optional

import jsonpickle
from botbuilder.core import Storage, StoreItem

from bot.clock import Clock
from integrations.db.host import EtagConflict, StateDocuments
from integrations.db.turns import StateWrite

# Set by the handler for the length of a turn: state writes are collected here and committed with
# the turn's end (bot.handler), so state, the activity's done mark and the replies land together.
_held_writes: contextvars.ContextVar[Optional[list]] = contextvars.ContextVar("held_state_writes", default=None)


def hold_state_writes() -> tuple[list[StateWrite], contextvars.Token]:
    writes: list[StateWrite] = []
    return writes, _held_writes.set(writes)


def release_state_writes(token: contextvars.Token) -> None:
    _held_writes.reset(token)


class SqlStorage(Storage):
    def __init__(self, documents: StateDocuments, clock: Clock):
        self._documents = documents
        self._clock = clock

    async def read(self, keys: List[str]) -> Dict[str, object]:
        if not keys:
            return {}
        found = await self._documents.read(list(keys))
        items: Dict[str, object] = {}
        for key, (etag, document) in found.items():
            value = jsonpickle.decode(document, keys=True)
            if isinstance(value, dict):
                value["e_tag"] = etag
            elif hasattr(value, "e_tag"):
                value.e_tag = etag
            items[key] = value
        return items

    async def write(self, changes: Dict[str, StoreItem]) -> None:
        if changes is None:
            raise TypeError("changes are required when writing")
        for key, value in changes.items():
            etag = value.get("e_tag") if isinstance(value, dict) else getattr(value, "e_tag", None)
            if etag == "":
                raise ValueError("storage write: empty e-tag")
            document = jsonpickle.encode(_without_etag(value), keys=True)
            held = _held_writes.get()
            if held is not None:
                new_etag = uuid.uuid4().hex
                held.append(StateWrite(key=key, document=document, etag=etag, new_etag=new_etag))
                _set_etag(value, new_etag)
                continue
            try:
                new_etag = await self._documents.write(key, document, etag, self._clock.now())
            except EtagConflict:
                # The SDK treats any exception from write as a failed save; KeyError mirrors MemoryStorage.
                raise KeyError(f"Etag conflict for {key}") from None
            _set_etag(value, new_etag)

    async def delete(self, keys: List[str]) -> None:
        await self._documents.delete(list(keys))


def _without_etag(value):
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "e_tag"}
    return value


def _set_etag(value, etag: str) -> None:
    if isinstance(value, dict):
        value["e_tag"] = etag
    elif hasattr(value, "e_tag"):
        value.e_tag = etag
