"""Shared bookkeeping for the script front-ends (bash, Makefile, CI YAML, Python, task runners).

Front-ends record what they see while walking (runs, config rewrites, greps, loops) in one
`Collector` per file (records.py); `finish_scan` (invocations.py) then turns them into frozen
`Invocation`s. Locations go through the collector, so a front-end that scans text it assembled
from another file (source_map.py) reports positions in that file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aipack_compat.load.scripts.core.records import GrepUse, LoopFrame, PendingRewrite, PendingRun
from aipack_compat.load.scripts.core.scope import Value, loop_tokens
from aipack_compat.model.invocation import ScriptOrigin, ScriptScan
from aipack_compat.model.location import Location


class Collector:
    """Accumulates one file's findings, in the order the walk meets them."""

    def __init__(self, path: str, origin: ScriptOrigin, root: str) -> None:
        self.path = path
        self.origin = origin
        self.root = root
        self.frames: list[LoopFrame] = []
        self.runs: list[PendingRun] = []
        self.rewrites: list[PendingRewrite] = []
        self.active_rewrites: list[PendingRewrite] = []
        self.greps: list[GrepUse] = []
        self.scan = ScriptScan(path=path, origin=origin)
        # (line, column) in the scanned text -> in the original file; set while a front-end scans
        # text it generated (source_map.scan_mapped), None when the text is the file itself
        self.translate: Callable[[int, int], tuple[int, int]] | None = None

    def new_frame(self, variable: str, values: Sequence[Value] | None, location: Location, text: str,
                  parent: int | None = None) -> LoopFrame:
        frame = LoopFrame(len(self.frames) + 1, variable, list(values) if values is not None else None, location, text,
                          parent)
        self.frames.append(frame)
        return frame

    def derive(self, scalar: str, transform: Any, shape: tuple[str, ...]) -> Value:
        """A new loop value computed per iteration from one loop's value (`${f##*/}`, `Path(f).stem`).

        `shape` says which operation it was; the chain of shapes from the loop variable itself is
        kept (`LoopFrame.shape`) so a per-file loop's output name can become `{input_name}` etc.
        """
        ids = loop_tokens(scalar)
        if len(ids) != 1:
            return None
        frame = self.frames[ids.pop() - 1]
        values: list[Value] | None = None
        if frame.values is not None and all(v is not None for v in frame.values):
            values = [transform(scalar.replace(frame.token, v or "")) for v in frame.values]
        derived = self.new_frame(frame.variable, values, frame.location, frame.source_text,
                                 parent=frame.parent or frame.frame_id)
        # only an operation on the whole value (`${f%.*}`, not `${prefix_$f%.*}`) keeps a known shape
        derived.shape = (*frame.shape, shape) if scalar == frame.token and frame.shape is not None else None
        return derived.token

    def close_loop(self, frame_id: int) -> None:
        """Leaving a loop: it and the values derived from it keep their last iteration's value."""
        for frame in self.frames:
            if frame.frame_id == frame_id or frame.parent == frame_id:
                frame.open = False

    def add_run(self, run: PendingRun) -> None:
        run.open_frames = {f.frame_id for f in self.frames if f.open}
        self.runs.append(run)

    def add_rewrite(self, rewrite: PendingRewrite) -> None:
        self.rewrites.append(rewrite)
        self.active_rewrites = [r for r in self.active_rewrites if not _replaces(rewrite, r)]
        self.active_rewrites.append(rewrite)

    def restore(self, target: str) -> None:
        """`mv cfg.bak cfg` and friends: the rewrites of `target` so far are undone."""
        for rewrite in self.rewrites:
            if rewrite.target == target:
                rewrite.restored = True
        self.active_rewrites = [r for r in self.active_rewrites if r.target != target]

    def problem(self, location: Location, message: str) -> None:
        self.scan.parse_problems.append(location)
        self.scan.problem_messages.append(message)

    def location(self, line: int, column: int, end_line: int = 0, end_column: int = 0) -> Location:
        end_line, end_column = end_line or line, end_column or column
        if self.translate is not None:  # text a runner built from another file (justfile, tasks.json)
            (line, column), (end_line, end_column) = self.translate(line, column), self.translate(end_line, end_column)
        return Location(self.path, line, column, end_line, end_column)


def _replaces(new: PendingRewrite, old: PendingRewrite) -> bool:
    """A whole-file write supersedes earlier rewrites of the same file."""
    return new.target == old.target and new.kind in ("heredoc", "copy", "write")
