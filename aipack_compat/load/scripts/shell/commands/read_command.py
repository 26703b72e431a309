"""`read` outside a `while` loop: `IFS='|' read -r model temp <<< "$pair"` splits a known line.

In a sweep over pairs (`for pair in "llama3.2:1b|0.2" …`), the names `read` fills are values
derived from the loop's value per iteration, split as bash's `read` splits (loops/read_semantics.py), so
a model × temperature list written as pairs becomes one matrix. A line only known at run time (or
`read` from the terminal) leaves the names unknown.
"""

from __future__ import annotations

from typing import Any

from aipack_compat.load.scripts.core.scope import LOOP_TOKEN_RE, Scope, Value
from aipack_compat.load.scripts.shell.loops.read_semantics import DEFAULT_IFS, ReadOptions, split_fields
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.redirects import Redirects, apply_redirects
from aipack_compat.load.scripts.shell.words import node_text


def read_names(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    redirects = apply_redirects(scanner.words, node, scope, redirects)  # `<<<` can sit on the command itself
    names = [a for a in args if a is not None and not a.startswith("-")]
    flags = [a for a in args if a is None or a.startswith("-")]
    line = redirects.heredoc.split("\n", 1)[0] if redirects.heredoc_set and redirects.heredoc is not None else None
    ifs = _ifs(scanner, node, scope)
    if line is None or ifs is None or not names or any(flag not in ("-r",) for flag in flags):
        for name in names:
            scope.variables[name] = None
        return
    options = ReadOptions(tuple(names), raw="-r" in flags, ifs=ifs)
    tokens = set(LOOP_TOKEN_RE.findall(line))
    for position, name in enumerate(names):
        if not tokens:
            scope.variables[name] = split_fields(line, options)[position]
        elif len(tokens) == 1:
            scope.variables[name] = scanner.collector.derive(
                line, lambda value, at=position: split_fields(value, options)[at], ("read", ifs, str(position)))
        else:
            scope.variables[name] = None


def _ifs(scanner: ScannerProtocol, node: Any, scope: Scope) -> str | None:
    """`IFS=… read`, else the script's IFS (None when only known at run time)."""
    for child in node.named_children:
        if child.type == "variable_assignment":
            name = child.child_by_field_name("name")
            value = child.child_by_field_name("value")
            if name is not None and node_text(name) == "IFS":
                return scanner.words.value(value, scope) if value is not None else ""
    current = scope.variables.get("IFS", DEFAULT_IFS)
    return current if isinstance(current, str) else None
