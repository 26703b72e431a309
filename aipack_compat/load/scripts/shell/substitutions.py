"""`$(...)` idioms the scanner can evaluate without running anything.

Scripts name directories with `$(dirname "$0")`, `$(cd X && pwd)`, `$(realpath X)`, and name
output files after their input with `$(basename "$f" .md)`. Applied to a loop variable, `basename`
and `dirname` give a value derived per iteration (a new loop frame), so a per-file loop's output
name keeps its shape (`{input_stem}`) instead of collapsing to the glob text.
"""

from __future__ import annotations

import posixpath
from typing import Any

from aipack_compat.load.scripts.core.scope import LOOP_TOKEN_RE, Scope, Value, resolve_path
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol


def known_substitution(scanner: ScannerProtocol, node: Any, scope: Scope) -> Value:
    """`$(dirname "$0")`, `$(pwd)`, `$(cd X && pwd)`, `$(basename X)`: values a script relies on."""
    commands = [c for c in _flatten(node) if c.type == "command"]
    if not commands:
        return None
    inner = scope.copy()
    result: Value = None
    for command in commands:
        argv = scanner.words.argv(command, inner)
        head = argv[0] if argv else None
        if head == "dirname" and len(argv) == 2 and argv[1] is not None and LOOP_TOKEN_RE.search(argv[1]):
            result = scanner.derive_loop_value(argv[1], _dirname, ("dirname",))
        elif head == "dirname" and len(argv) == 2:
            path = resolve_path(inner.cwd, argv[1])
            result = posixpath.dirname(path) if path else None
        elif head == "basename":
            operands = _basename_operands(argv[1:])
            name, suffix = operands if operands is not None else (None, None)
            if name is None or suffix is None:
                return None
            if LOOP_TOKEN_RE.search(name):
                result = scanner.derive_loop_value(name, lambda value: basename(value, suffix), ("basename", suffix))
            else:
                result = basename(name, suffix)
        elif head == "pwd":
            result = inner.cwd
        elif head == "cd" and len(argv) == 2:
            inner.cwd = resolve_path(inner.cwd, argv[1])
            result = None
        elif head == "realpath" and len(argv) == 2:
            result = resolve_path(inner.cwd, argv[1])
        else:
            return None
    return result


def basename(path: str, suffix: str = "") -> str:
    """POSIX `basename PATH [SUFFIX]`: the suffix goes only when something is left of the name."""
    name = path.rstrip("/").rpartition("/")[2] or ("/" if path.startswith("/") else "")
    if suffix and name.endswith(suffix) and name != suffix:
        return name[: -len(suffix)]
    return name


def _basename_operands(args: list[Value]) -> tuple[Value, Value] | None:
    """(name, suffix) of `basename NAME [SUFFIX]`, `basename -s SUFFIX NAME`, `basename -- NAME`."""
    suffix: Value = ""
    index = 0
    while index < len(args) and args[index] is not None and (args[index] or "").startswith("-"):
        option = args[index] or ""
        if option == "--":
            index += 1
            break
        if option in ("-s", "--suffix"):
            suffix = args[index + 1] if index + 1 < len(args) else None
            index += 2
        elif option.startswith("--suffix="):
            suffix = option.partition("=")[2]
            index += 1
        else:
            return None  # `-a` (several names) and unknown options: not one value
    operands = args[index:]
    if len(operands) == 2 and suffix == "":
        return operands[0], operands[1]
    if len(operands) == 1:
        return operands[0], suffix
    return None


def _dirname(path: str) -> str:
    """POSIX `dirname` of a (possibly relative) path: `a.md` -> `.`, `a/b.md` -> `a`."""
    stripped = path.rstrip("/")
    head = stripped.rpartition("/")[0] if "/" in stripped else "."
    return head.rstrip("/") or ("/" if path.startswith("/") else ".")


def _flatten(node: Any) -> list[Any]:
    out: list[Any] = []
    for child in node.named_children:
        if child.type in ("list", "pipeline", "redirected_statement"):
            out.extend(_flatten(child))
        else:
            out.append(child)
    return out
