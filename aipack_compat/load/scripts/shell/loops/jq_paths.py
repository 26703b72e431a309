"""`jq` path filters over a workspace JSON file, evaluated at migrate time (the file is data).

    for m in $(jq -r '.models[]' models.json)            jq -r '.runs[].model' plan.json | while read m

Only paths are modelled: `.`, `.key`, `."key"`, `.["key"]`, `.[N]`, `.[]`, chained (`.a.b[].c`).
With `-r` strings are printed raw, else as JSON; other values are printed as compact JSON, one per
line (jq's output for scalars and, with `-c`, for arrays and objects). Anything else (pipes,
`select`, `map`, `--arg`, several files, stdin) is left dynamic with the reason.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aipack_compat.load.scripts.core.loop_input import LoopInput, read_workspace_file
from aipack_compat.load.scripts.core.scope import Value

_STEP_RE = re.compile(r'\.(?:([A-Za-z_][A-Za-z0-9_]*)|"([^"\\]*)")|\.?\[(?:"([^"\\]*)"|(-?\d+))?\]')
_RAW_FLAGS = frozenset({"-r", "--raw-output", "-j", "--join-output"})
_COMPACT_FLAGS = frozenset({"-c", "--compact-output"})
_NEUTRAL_FLAGS = frozenset({"-M", "--monochrome-output", "-e", "--exit-status"})


def parse_path(expression: str) -> list[tuple[str, Any]] | None:
    """`.a.b[].c` -> [("key", "a"), ("key", "b"), ("each", None), ("key", "c")]; None if not a plain path."""
    text = expression.strip()
    if text == ".":
        return []
    steps: list[tuple[str, Any]] = []
    position = 0
    while position < len(text):
        match = _STEP_RE.match(text, position)
        if match is None:
            return None
        name, quoted, bracketed, index = match.groups()
        if name is not None or quoted is not None or bracketed is not None:
            steps.append(("key", name if name is not None else (quoted if quoted is not None else bracketed)))
        elif index is not None:
            steps.append(("index", int(index)))
        else:
            steps.append(("each", None))
        position = match.end()
    return steps


def evaluate(steps: list[tuple[str, Any]], document: Any) -> list[Any] | None:
    """The values a path yields, in jq's order; None where jq would stop with an error."""
    values = [document]
    for kind, argument in steps:
        produced: list[Any] = []
        for value in values:
            if kind == "key":
                if isinstance(value, dict):
                    produced.append(value.get(argument))
                elif value is None:
                    produced.append(None)
                else:
                    return None  # jq: Cannot index <type> with "key"
            elif kind == "index":
                if isinstance(value, list):
                    produced.append(value[argument] if -len(value) <= argument < len(value) else None)
                elif value is None:
                    produced.append(None)
                else:
                    return None
            elif isinstance(value, list):
                produced.extend(value)
            elif isinstance(value, dict):
                produced.extend(value.values())
            else:
                return None  # jq: Cannot iterate over <type>
        values = produced
    return values


def jq_lines(root: str, operands: list[str], cwd: Value, shown: str) -> LoopInput:
    """The lines `jq [-r|-c] PATH FILE` prints for a workspace FILE, or why they are unknown."""
    raw = compact = False
    rest: list[str] = []
    for operand in operands:
        if operand in _RAW_FLAGS:
            raw = True
        elif operand in _COMPACT_FLAGS:
            compact = True
        elif operand in _NEUTRAL_FLAGS:
            continue
        elif operand.startswith("-"):
            return LoopInput(None, f"`{shown}`", f"`jq {operand}` is not modelled")
        else:
            rest.append(operand)
    if len(rest) != 2:
        return LoopInput(None, f"`{shown}`", "`jq` reads its JSON from stdin or from several files here")
    steps = parse_path(rest[0])
    if steps is None:
        return LoopInput(None, f"`{shown}`", f"the jq filter `{rest[0]}` is more than a path")
    source = read_workspace_file(root, rest[1], cwd)
    if source.text is None:
        return source
    try:
        document = json.loads(source.text)
    except ValueError:
        return LoopInput(None, source.described, f"{source.described} is not JSON")
    values = evaluate(steps, document)
    if values is None:
        return LoopInput(None, source.described, f"jq stops with an error on `{rest[0]}` over {source.described}")
    if not compact and any(isinstance(value, (dict, list)) and value for value in values):
        return LoopInput(None, source.described, f"`{shown}` prints arrays or objects over several lines")
    lines = [value if raw and isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
             for value in values]
    return LoopInput("".join(f"{line}\n" for line in lines), f"{source.described} through `{shown}`", None,
                     source.file, source.digest)
