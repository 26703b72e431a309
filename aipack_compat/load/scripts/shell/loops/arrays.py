"""Arrays filled from data: `mapfile -t MODELS < models.txt`, `MODELS=($(cat models.txt))`.

    mapfile -t MODELS < models.txt                readarray -t MODELS < <(grep -v '^#' models.txt)
    MODELS=($(jq -r '.models[]' models.json))     for m in "${MODELS[@]}"; do … done

The array gets the values bash would give it (lines for mapfile, with `-t` dropping each newline,
`-s N` skipping and `-n N` keeping; IFS-split words for `(…)`), read at migrate time like a
`while read` list, and the loops over it carry the note naming the file and its digest. A mapfile
at the end of a pipeline runs in a subshell, so the array stays empty there, as in bash.
"""

from __future__ import annotations

import re
from typing import Any

from aipack_compat.load.scripts.core.loop_input import LoopInput
from aipack_compat.load.scripts.core.scope import Scope, Value
from aipack_compat.load.scripts.shell.loops.sources import input_from_redirects, substitution_words
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.redirects import Redirects
from aipack_compat.load.scripts.shell.words import node_text

_VALUED = frozenset({"-d", "-n", "-O", "-s", "-u", "-C", "-c"})


def mapfile(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    """`mapfile`/`readarray [-t] [-s N] [-n N] [NAME]`: NAME (default MAPFILE) gets the input's lines."""
    strip = False
    skip = 0
    count: int | None = None
    names: list[str] = []
    problem: str | None = None
    index = 0
    while index < len(args):
        token = args[index]
        index += 1
        if token is None:
            problem = "a `mapfile` argument is only known at run time"
            continue
        if token == "-t":
            strip = True
        elif token in _VALUED:
            value = args[index] if index < len(args) else None
            index += 1
            if token in ("-s", "-n") and value is not None and value.isdigit():
                skip, count = (int(value), count) if token == "-s" else (skip, int(value) or None)
            else:
                problem = f"`mapfile {token}` is not modelled"
        elif token.startswith("-"):
            problem = f"`mapfile {token}` is not modelled"
        else:
            names.append(token)
    name = names[-1] if names else "MAPFILE"
    parent = node.parent
    if parent is not None and parent.type == "pipeline":
        scope.variables[name] = []  # the last stage of a pipeline runs in a subshell: the array stays empty
        return
    source = input_from_redirects(scanner, parent, scope) if parent is not None and parent.type == "redirected_statement" else None
    if problem is None and (source is None or source.text is None):
        problem = source.problem if source is not None else "it reads the script's own stdin"
    if problem is not None or source is None or source.text is None:
        scope.variables[name] = None
        scanner.array_problems[name] = problem or "its lines are only known at run time"
        return
    lines = source.text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # text after the last newline: none
        terminated = [line + ("" if strip else "\n") for line in lines]
    else:
        terminated = [line + ("" if strip else "\n") for line in lines[:-1]] + lines[-1:]
    values = terminated[skip:]
    if count is not None:
        values = values[:count]
    scope.variables[name] = list(values)
    scanner.array_notes[name] = _note(name, source, values)
    scanner.array_problems.pop(name, None)


def array_from_words(scanner: ScannerProtocol, name: str, item: Any, scope: Scope) -> list[Value]:
    """One element node of `NAME=(…)` that is `$(…)`: its IFS-split words, noting where they came from."""
    words, source = substitution_words(scanner, item, scope)
    if words is None:
        scanner.array_problems[name] = source.problem or "its words come from a command"
        return [None]
    scanner.array_notes[name] = _note(name, source, words)
    return list(words)


def _note(name: str, source: LoopInput, values: list[str]) -> str:
    shown = ", ".join(v.rstrip("\n") for v in values[:6]) + (", …" if len(values) > 6 else "")
    if source.file is not None:
        return (f"array `{name}` holds the values of {source.described}: {source.file} was read at migrate time "
                f"(sha256 {source.digest}) and its {len(values)} value(s) ({shown}) are frozen into the job; "
                f"migrate again when {source.file} changes")
    return f"array `{name}` holds {len(values)} value(s) from {source.described} ({shown})"


_ELEMENT_RE = re.compile(r"\[(.+?)\]=(.*)", re.DOTALL)


def declare_associative(scanner: ScannerProtocol, node: Any, scope: Scope) -> None:
    """`declare -A T=([llama3.2:1b]=0.2 [qwen2.5:0.5b]=0.7)`: a key -> value table, in written order."""
    name_node = node.child_by_field_name("name") if node.type == "variable_assignment" else node
    if name_node is None:
        return
    name = node_text(name_node)
    table: dict[str, Value] = {}
    value_node = node.child_by_field_name("value") if node.type == "variable_assignment" else None
    if value_node is not None and value_node.type == "array":
        for item in value_node.named_children:
            text = scanner.words.value(item, scope)
            match = _ELEMENT_RE.fullmatch(text) if text is not None else None
            if match is None:
                scope.variables[name] = None
                scanner.array_problems[name] = f"an element of `{name}` is only known at run time"
                return
            table[match.group(1)] = match.group(2)
    scope.variables[name] = table
    scanner.array_notes[name] = (f"associative array `{name}`: bash walks its keys in its own (hash) order; the "
                                 "job's cells follow the order they are written in")
