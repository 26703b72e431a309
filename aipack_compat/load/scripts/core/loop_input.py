"""What a loop walks, when it is known without running anything: the lines it reads, and from where.

A list file in the migrated workspace is data, not code: it is read (never run) with the limits
of `read_workspace_file`, and the record keeps its name and digest for the migration note.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass

from aipack_compat.load.scripts.core.scope import LOOP_TOKEN_RE, Value, resolve_path

MAX_LIST_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class LoopInput:
    """What a loop reads (a `while read` loop's stdin, `for x in $(…)`, xargs' items), when it is known statically."""

    text: str | None
    described: str  # `models.txt`, `a here-doc`, ...
    problem: str | None = None  # why `text` is unknown
    file: str | None = None  # the workspace file read (root-relative), for the migration note
    digest: str | None = None  # sha256 prefix of that file
    listing: str | None = None  # the lines are globs standing for `ls`/`find` output: what to tell the user


def read_workspace_file(root: str, path: Value, cwd: Value) -> LoopInput:
    """A list file of the migrated workspace (`path` from directory `cwd`), read as data with the limits
    the brief of migrate sets: inside `root`, at most 1 MB, UTF-8 text."""
    # imported here: most scripts read no list file, and hashlib's OpenSSL start-up costs validate
    import hashlib

    from aipack_compat.files import read_text_file
    from aipack_compat.model.diagnostic import Diagnostic

    absolute = resolve_path(cwd, path) if path is not None and not LOOP_TOKEN_RE.search(path) else None
    if absolute is None:
        return LoopInput(None, f"`{path or '?'}`", "read from a file named only at run time")
    shown = posixpath.relpath(absolute, root)
    real_root = os.path.realpath(root)
    real = os.path.realpath(absolute)
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        return LoopInput(None, shown, f"{shown} is outside the migrated directory")
    if not os.path.lexists(absolute):
        return LoopInput(None, shown, f"{shown} does not exist")
    loaded = read_text_file(absolute, max_bytes=MAX_LIST_BYTES)
    if isinstance(loaded, Diagnostic):
        reason = loaded.message.replace("cannot read file: ", "")
        if "bytes; files over" in reason:
            reason = f"it is over {MAX_LIST_BYTES:,} bytes"
        return LoopInput(None, shown, f"{shown} cannot be used: {reason}")
    digest = hashlib.sha256(loaded.text.encode("utf-8")).hexdigest()[:12]
    return LoopInput(loaded.text, shown, None, shown, digest)
