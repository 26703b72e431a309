"""Scripts that call `aip run`: shell, Makefile, CI YAML, Python, task runners. Parsed, never executed.

`scan_script_text(path, text, root)` picks the front-end from the file name (and shebang) among
`FRONT_ENDS`, walks the file, and returns a `ScriptScan`: the invocations with everything
resolved statically, the config rewrites seen, and located parse problems (partial results are
kept).
"""

from __future__ import annotations

import os
import posixpath

from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.core.invocations import finish_scan
from aipack_compat.load.scripts.front_ends import FRONT_ENDS
from aipack_compat.load.workspace import workspace_of
from aipack_compat.model.invocation import ScriptOrigin, ScriptScan
from aipack_compat.model.location import Location

MAX_SCRIPT_CHARS = 2_000_000
_SCANNERS = {front_end.origin: front_end.scan for front_end in FRONT_ENDS}


def script_kind(path: str, text: str) -> ScriptOrigin | None:
    """Which front-end reads this file (None: not a script we understand)."""
    parts = path.replace(os.sep, "/").split("/")
    name = parts[-1]
    for front_end in FRONT_ENDS:
        if front_end.reads(name, text):
            return front_end.origin
    if ".github" in parts:
        return "ci-yaml"  # what no other front-end reads under .github/ is a workflow
    return None


def default_root(script_path: str) -> str:
    """The directory a script's paths are read from and made relative to when none is given: the
    workspace the script belongs to (`workspace_of`), else the script's own directory."""
    absolute = _absolute(script_path)
    workspace = workspace_of(absolute)
    return _absolute(workspace.directory) if workspace is not None else posixpath.dirname(absolute)


def scan_script_text(path: str, text: str, root: str | None = None, kind: ScriptOrigin | None = None) -> ScriptScan:
    """Scan one script. `root`: the directory paths are read from and made relative to (default: the
    workspace the script belongs to, else its own directory)."""
    origin = kind or script_kind(path, text) or "shell"
    root_abs = _absolute(root) if root is not None else default_root(path)
    collector = Collector(path, origin, root_abs)
    if len(text) > MAX_SCRIPT_CHARS:
        collector.problem(collector.location(0, 0), f"script is {len(text):,} characters; only the first {MAX_SCRIPT_CHARS:,} are scanned")
        text = text[:MAX_SCRIPT_CHARS]
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")  # tree-sitter stops reading at NUL
    _SCANNERS[origin](collector, text, _absolute(path))
    return finish_scan(collector)


def scan_script_bytes(path: str, raw: bytes, root: str | None = None, kind: ScriptOrigin | None = None) -> ScriptScan:
    """Like `scan_script_text` for raw bytes: invalid UTF-8 is replaced, and reported."""
    try:
        text = raw.decode("utf-8")
        bad_at: int | None = None
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", "replace")
        bad_at = exc.start
    scan = scan_script_text(path, text, root, kind)
    if bad_at is not None:
        line = raw.count(b"\n", 0, bad_at) + 1
        column = bad_at - (raw.rfind(b"\n", 0, bad_at) + 1) + 1
        scan.parse_problems.append(_location(path, line, column))
        scan.problem_messages.append(f"invalid UTF-8 byte 0x{raw[bad_at]:02x}; replaced before scanning")
    return scan


def _absolute(path: str) -> str:
    return posixpath.normpath(os.path.abspath(path).replace(os.sep, "/"))


def _location(path: str, line: int, column: int) -> Location:
    return Location(path, line, column, line, column)
