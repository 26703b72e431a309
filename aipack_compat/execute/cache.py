"""On-disk response cache, content-addressed by the normalised request (WireRequest.digest).

Layout: `<dir>/<aa>/<digest>.json`, one parsed Reply per file, written atomically. A hit skips
HTTP entirely. Default location: $AIPACK_COMPAT_CACHE_DIR, else $XDG_CACHE_HOME/aipack-compat/responses,
else ~/.cache/aipack-compat/responses.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from aipack_compat.execute.wire import Reply
from aipack_compat.files import write_atomic


def default_cache_dir() -> Path:
    explicit = os.environ.get("AIPACK_COMPAT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aipack-compat" / "responses"


@dataclass(frozen=True, slots=True)
class CacheStats:
    directory: str
    entries: int
    bytes: int


class ResponseCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, digest: str) -> Path:
        return self.directory / digest[:2] / f"{digest}.json"

    def get(self, digest: str) -> Reply | None:
        try:
            data = json.loads(self._path(digest).read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        return Reply.from_json(data)

    def put(self, digest: str, reply: Reply) -> None:
        payload = json.dumps(reply.to_json(), ensure_ascii=False, separators=(",", ":"))
        # Same digest, same request: a different stored answer (sampling) is replaced.
        write_atomic(self._path(digest), payload, force=True)

    def stats(self) -> CacheStats:
        entries = 0
        size = 0
        if self.directory.is_dir():
            for path in self.directory.glob("*/*.json"):
                entries += 1
                size += path.stat().st_size
        return CacheStats(str(self.directory), entries, size)

    def clear(self) -> int:
        """Remove every entry; returns how many were removed."""
        removed = self.stats().entries
        if self.directory.is_dir():
            for child in self.directory.iterdir():
                if child.is_dir() and len(child.name) == 2:
                    shutil.rmtree(child)
        return removed
