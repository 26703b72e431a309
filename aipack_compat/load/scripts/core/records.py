"""What the script front-ends record while walking: loops, runs, config rewrites, greps.

Mutable records, filled in as the walk goes (a loop's values can still be narrowed by its body);
`finish_scan` (invocations.py) turns them into frozen `Invocation`s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aipack_compat.load.scripts.core.aip_argv import ParsedRun
from aipack_compat.load.scripts.core.scope import Value, loop_token
from aipack_compat.model.invocation import RewriteKind, Unresolved
from aipack_compat.model.location import Location

GLOB_CHARS = ("*", "?", "[")


@dataclass(slots=True)
class LoopFrame:
    frame_id: int
    variable: str
    values: list[Value] | None  # None: the values are only known at run time
    location: Location
    source_text: str
    parent: int | None = None  # derived per iteration from this frame (`${model//:/_}`)
    open: bool = True  # False once the walk has left the loop body (the last value then sticks)
    # Derived frames: the operations from the loop variable to this value (`(("##", "*/"),)` for
    # `${f##*/}`); () for the variable itself; None when the value is not a function of it alone.
    shape: tuple[tuple[str, ...], ...] | None = ()
    outer_stdout: tuple[Value, bool] | None = None  # stdout redirect in effect where the loop starts
    values_problem: str | None = None  # why `values` is None, for the report (`models.txt does not exist`)
    note: str | None = None  # migration note for runs using this loop (`while read` values read from a file)
    from_listing: bool = False  # the values are globs standing for `ls`/`find`/Python glob output, not bash globs
    # whether the values are file globs: set where the quoting is known (`for f in *.md` yes,
    # `for q in "Why?"` no); None: judged from the text (has_glob_value)
    globbed: bool | None = None

    @property
    def token(self) -> str:
        return loop_token(self.frame_id)


@dataclass(slots=True)
class PendingRewrite:
    kind: RewriteKind
    target: str  # absolute path
    location: Location
    sed_script: Value = None
    content: Value = None
    copy_from: Value = None
    backup_suffix: str | None = None
    extended_regex: bool = False
    restored: bool = False
    dynamic: bool = False  # the new content could not be determined


@dataclass(slots=True)
class PendingRun:
    location: Location
    command_text: str
    parsed: ParsedRun
    cwd: Value
    env: dict[str, Value]
    timeout_seconds: float | None
    stdout: Value
    stdout_redirected: bool
    stderr: Value
    stderr_redirected: bool
    append: bool
    frames: list[LoopFrame]
    rewrites: list[PendingRewrite]
    notes: list[str] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    open_frames: set[int] = field(default_factory=set)  # loops the run is inside (set by Collector.add_run)
    unquoted_globs: list[tuple[str, int]] = field(default_factory=list)  # see Invocation.unquoted_globs


@dataclass(slots=True)
class GrepUse:
    pattern: str
    extended: bool
    files: list[Value]  # absolute paths (may contain loop tokens or globs)
    location: Location


def loop_header(source_text: str) -> str:
    """`for f in a/*.md; do` out of a loop's first line (which may hold the whole one-line loop)."""
    match = re.match(r"\s*(.*?;?\s*\bdo)\b", source_text)
    return match.group(1) if match else source_text.strip()


def has_glob_value(frame: LoopFrame) -> bool:
    """Whether the loop walks file globs (each value stands for files, not for itself)."""
    if frame.globbed is not None or frame.from_listing:
        return bool(frame.globbed) or frame.from_listing
    # data lines and items: a value with spaces is text (`What is 2+2?`), not a path glob
    return any(value is not None and any(c in value for c in GLOB_CHARS) and not any(c.isspace() for c in value)
               for value in frame.values or [])


def root_of(by_id: dict[int, LoopFrame], fid: int) -> int:
    """The loop a (possibly derived) frame comes from."""
    parent = by_id[fid].parent
    return parent if parent is not None and parent in by_id else fid
