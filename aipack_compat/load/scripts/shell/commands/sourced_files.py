"""`source ./env.sh` / `. config.sh`: a workspace shell file run in the current shell.

Its assignments (`MODELS=…`, `export AGENT=…`) and functions carry over to the script, so the file
is read as data (inside the root, at most 1 MB, UTF-8) and walked in the same scope, never run;
anything recorded while walking it is located at the `source` line of the script.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aipack_compat.load.shell_words import Scope, Value

if TYPE_CHECKING:
    from aipack_compat.load.shell_redirects import Redirects
    from aipack_compat.load.shell_scan import ShellScanner

MAX_SOURCE_DEPTH = 8


def source_file(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
    """Walk the sourced file in `scope` (no copy: sourcing changes this shell)."""
    from aipack_compat.load.loop_sources import read_workspace_file

    if not args or args[0] is None or scanner.depth >= MAX_SOURCE_DEPTH:
        return
    loaded = read_workspace_file(scanner, args[0], scope)
    if loaded.text is None:
        scanner.assumptions.append(f"`source {args[0]}` not followed: {loaded.problem}")
        return
    from aipack_compat.load.shell_scan import ShellScanner, parser

    line, column = node.start_point[0] + 1 + scanner.line_offset, node.start_point[1] + 1
    nested = ShellScanner(scanner.collector, loaded.text.encode("utf-8"), line_offset=0)
    nested.loops, nested.functions, nested.depth = list(scanner.loops), scanner.functions, scanner.depth + 1
    nested.branches, nested.repeating, nested.assumptions = list(scanner.branches), list(scanner.repeating), scanner.assumptions
    previous = scanner.collector.translate
    at = previous(line, column) if previous is not None else (line, column)
    scanner.collector.translate = lambda _line, _column: at  # findings inside the sourced file point at `source`
    try:
        nested.visit(parser().parse(nested.source).root_node, scope, redirects)  # this shell's scope: no copy
    finally:
        scanner.collector.translate = previous
    scanner.assumptions.append(f"`source {args[0]}`: {loaded.file} was read at migrate time (sha256 {loaded.digest})")
