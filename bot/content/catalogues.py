"""The forum and deadline catalogues as the live answers read them: re-read when a file changes."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

from knowledge.deadlines import DeadlineError, deadlines_path, load_deadlines
from knowledge.forums import ForumsError, forums_file_in, load_forums

log = logging.getLogger(__name__)


class FileCatalogues:
    def __init__(self, data_dir: Optional[Path]):
        self._data_dir = data_dir
        self._cache: dict[str, tuple[tuple, tuple]] = {}

    def forums(self):
        return self._read("forums", forums_file_in(self._data_dir), lambda p: load_forums(p).forums, ForumsError)

    def deadlines(self):
        return self._read("deadlines", deadlines_path(self._data_dir),
                          lambda p: load_deadlines(p.parent).deadlines, DeadlineError)

    def _read(self, key, path: Path, load, error):
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            return ()
        cached = self._cache.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
        try:
            items = tuple(load(path))
        except error as exc:
            # A broken edit keeps the last good catalogue; `sencobot kb check` names the problem.
            log.warning("%s not reloaded: %s", path.name, exc)
            return cached[1] if cached else ()
        self._cache[key] = (stamp, items)
        return items
