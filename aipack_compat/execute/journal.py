"""The results journal: append-only JSONL, one RunRecord per line, durable before it counts.

Records are appended by a single writer task; each batch of records ready at the same moment is
written and then fsync'ed once (group commit), and only then do the waiting items complete. So a
record an item reported is on disk, and a run killed with SIGKILL loses at most the items that were
still in flight. A torn last line (killed mid-write) is cut off when the journal is reopened.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from aipack_compat.model.run import RunRecord


def completed_keys(path: Path) -> set[str]:
    """Keys of the records that `--resume` must not run again (success, failure, skipped)."""
    keys: set[str] = set()
    if not path.exists():
        return keys
    with open(path, "rb") as handle:
        for line in handle:
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, dict) and data.get("status") in ("success", "failure", "skipped"):
                keys.add(str(data.get("key")))
    return keys


def read_records(path: Path) -> list[RunRecord]:
    records = []
    with open(path, "rb") as handle:
        for line in handle:
            if line.strip():
                try:
                    records.append(RunRecord.model_validate_json(line))
                except ValueError:
                    continue
    return records


def _cut_torn_tail(path: Path) -> None:
    """Drop a last line without its newline: the writer was killed while appending it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "r+b") as handle:
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) == b"\n":
            return
        size = handle.seek(0, os.SEEK_END)
        position = size
        while position > 0:
            step = min(65536, position)
            handle.seek(position - step)
            block = handle.read(step)
            newline = block.rfind(b"\n")
            if newline >= 0:
                handle.truncate(position - step + newline + 1)
                return
            position -= step
        handle.truncate(0)


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._pending: list[tuple[bytes, asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._handle: Any = None
        self._closing = False
        self.written = 0

    async def __aenter__(self) -> "Journal":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _cut_torn_tail(self.path)
        self._handle = open(self.path, "ab", buffering=0)
        self._writer = asyncio.create_task(self._write_loop())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def append(self, record: RunRecord) -> None:
        """Returns once the record is written and fsync'ed."""
        line = record.model_dump_json(exclude_none=True).encode("utf-8") + b"\n"
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((line, done))
        self._wake.set()
        await asyncio.shield(done)

    async def _write_loop(self) -> None:
        while True:
            if not self._pending:
                if self._closing:
                    return
                await self._wake.wait()
                self._wake.clear()
                continue
            batch, self._pending = self._pending, []
            try:
                await asyncio.to_thread(self._write, b"".join(line for line, _ in batch))
            except OSError as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            self.written += len(batch)
            for _, done in batch:
                if not done.done():
                    done.set_result(None)

    def _write(self, data: bytes) -> None:
        self._handle.write(data)
        os.fsync(self._handle.fileno())

    async def close(self) -> None:
        """Write what is pending, then close the file."""
        if self._writer is None:
            return
        self._closing = True
        self._wake.set()
        writer, self._writer = self._writer, None
        await writer
        self._handle.close()
