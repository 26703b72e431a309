"""Progress reporting: a rich bar on a TTY, quiet lines otherwise (CI logs). All on stderr."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from aipack_compat.model.run import CellSummary, RunRecord


class Progress:
    """No-op base: used by `--format json` runs and by tests."""

    def start_cell(self, job: str, cell: str, total: int) -> None: ...
    def advance(self, record: RunRecord) -> None: ...
    def end_cell(self, row: CellSummary) -> None: ...
    def note(self, message: str) -> None: ...
    def close(self) -> None: ...


class LineProgress(Progress):
    """One line when a cell starts and ends, plus a heartbeat every 10 s for long cells."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr  # the current stderr, not the one at import
        self.done = 0
        self.total = 0
        self.label = ""
        self.last = time.monotonic()

    def start_cell(self, job: str, cell: str, total: int) -> None:
        self.label, self.total, self.done = f"{job} [{cell}]", total, 0
        print(f"run {self.label}: {total} item(s)", file=self.stream, flush=True)

    def advance(self, record: RunRecord) -> None:
        self.done += 1
        if record.status == "error" and record.error is not None:
            print(f"  item {record.input_index}: {record.error.type}: {record.error.message}",
                  file=self.stream, flush=True)
        now = time.monotonic()
        if now - self.last >= 10:
            self.last = now
            print(f"  {self.label}: {self.done}/{self.total}", file=self.stream, flush=True)

    def end_cell(self, row: CellSummary) -> None:
        print(f"done {self.label}: {row.succeeded} ok, {row.failed + row.errored} failed, "
              f"{row.skipped} skipped, {row.cached} cached", file=self.stream, flush=True)

    def note(self, message: str) -> None:
        print(message, file=self.stream, flush=True)


class RichProgress(Progress):
    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        self.console = Console(stderr=True)
        self.bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), console=self.console, transient=False)
        self.bar.start()
        self.task: Any = None

    def start_cell(self, job: str, cell: str, total: int) -> None:
        self.task = self.bar.add_task(f"{job} [{cell}]", total=total)

    def advance(self, record: RunRecord) -> None:
        self.bar.advance(self.task)
        if record.status == "error" and record.error is not None:
            self.console.print(f"  item {record.input_index}: {record.error.type}: {record.error.message}",
                               markup=False, highlight=False)

    def note(self, message: str) -> None:
        self.console.print(message, markup=False, highlight=False)

    def close(self) -> None:
        self.bar.stop()


def choose_progress(output_format: str, quiet: bool = False) -> Progress:
    if quiet:
        return Progress()
    if sys.stderr.isatty():
        return RichProgress()
    return LineProgress()
