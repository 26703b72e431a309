"""Values and the shell state every script front-end tracks: variables, the directory, loop tokens.

A value is a `str` when it is known, or `None` when it depends on something only a running
program knows (`$HOME`, `$(date)`, `read`). A loop variable evaluates to a sentinel (`loop_token`)
so that later stages can tell "the model of this iteration" apart from a guessed literal.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

Value = str | None
# what a shell variable holds: a string, unknown, an array, or an associative array (`declare -A
# T=([k]=v)`, a dict in the order its keys were written)
VariableValue = str | None | list[str | None] | dict[str, str | None]

# Printable, so it survives being pasted into shell text (CI `${{ matrix.x }}`, `sh -c`), and
# made of characters that end a bash variable name, so `$A%%loop-1%%` still reads `$A`.
_LOOP_TOKEN = "%%loop-{}%%"
LOOP_TOKEN_RE = re.compile(r"%%loop-(\d+)%%")


def loop_token(frame_id: int) -> str:
    return _LOOP_TOKEN.format(frame_id)


def loop_tokens(value: Value) -> set[int]:
    """The loop frames a value names (by frame id)."""
    if value is None:
        return set()
    return {int(m.group(1)) for m in LOOP_TOKEN_RE.finditer(value)}


@dataclass(slots=True)
class Scope:
    """The shell state the scanner tracks: variables, working directory, positional args."""

    variables: dict[str, VariableValue] = field(default_factory=dict)
    cwd: Value = None  # absolute, posix
    positional: list[Value] | None = None  # None: script arguments (unknown)
    script_path: str = ""
    exported: dict[str, Value] = field(default_factory=dict)
    dir_stack: list[Value] = field(default_factory=list)
    # `exec > log.txt`: where the rest of the script's stdout/stderr go (shell Redirects), else None
    exec_redirects: Any = None

    def copy(self) -> "Scope":
        return Scope(
            dict(self.variables), self.cwd, list(self.positional) if self.positional is not None else None,
            self.script_path, dict(self.exported), list(self.dir_stack), self.exec_redirects,
        )


def initial_scope(script_path: str, cwd: str | None = None) -> Scope:
    """A script is assumed to run from its own directory (noted in the migration report)."""
    return Scope(cwd=cwd or posixpath.dirname(script_path), script_path=script_path)


def resolve_path(base: Value, path: Value) -> Value:
    """`path` as seen from directory `base` (absolute posix), normalised; None when unknown."""
    if path is None:
        return None
    if path.startswith("~"):
        return None  # $HOME is not known statically
    if posixpath.isabs(path):
        return posixpath.normpath(path)
    if base is None:
        return None
    return posixpath.normpath(posixpath.join(base, path))
