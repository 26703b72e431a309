"""`source ./env.sh` / `. config.sh`: a workspace shell file run in the current shell.

Its assignments (`MODELS=…`, `export AGENT=…`) and functions carry over to the script, so the file
is read as data (inside the root, at most 1 MB, UTF-8) and walked in the same scope, never run;
anything recorded while walking it is located at the `source` line of the script.
"""

from __future__ import annotations

from typing import Any

from aipack_compat.load.scripts.core.loop_input import read_workspace_file
from aipack_compat.load.scripts.core.scope import Scope, Value
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.redirects import Redirects

MAX_SOURCE_DEPTH = 8


def source_file(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    """Walk the sourced file in `scope` (no copy: sourcing changes this shell)."""
    if not args or args[0] is None or scanner.depth >= MAX_SOURCE_DEPTH:
        return
    loaded = read_workspace_file(scanner.collector.root, args[0], scope.cwd)
    if loaded.text is None:
        scanner.assumptions.append(f"`source {args[0]}` not followed: {loaded.problem}")
        return
    collector = scanner.collector
    line, column = node.start_point[0] + 1 + scanner.line_offset, node.start_point[1] + 1
    previous = collector.translate
    at = previous(line, column) if previous is not None else (line, column)
    collector.translate = lambda _line, _column: at  # findings inside the sourced file point at `source`
    try:
        scanner.scan_sourced(loaded.text, scope, redirects)
    finally:
        collector.translate = previous
    scanner.assumptions.append(f"`source {args[0]}`: {loaded.file} was read at migrate time (sha256 {loaded.digest})")
