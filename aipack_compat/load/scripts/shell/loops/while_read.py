"""`while read` loops over lines known at migrate time become loops with known values.

    while IFS= read -r model; do … done < models.txt        cat models.txt | while read m; do … done
    grep -v '^#' models.txt | while read m; do … done       while read m; do … done <<< "$MODELS"
    while read -r m; do … done <<EOF … EOF                    printf '%s\\n' a b | while read m; do … done

A list file in the migrated workspace is data, not code: its lines are read (never anything run),
split the way `read` would (read_semantics.py), filtered by the loop's own skip tests
(filters.py), and frozen into the job; the migration note names the file, its digest and the
date it was read. A file outside the root, missing, over 1 MB or not text stays unresolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aipack_compat.load.scripts.core.loop_input import LoopInput
from aipack_compat.load.scripts.core.records import LoopFrame, loop_header
from aipack_compat.load.scripts.core.scope import Scope, Value
from aipack_compat.load.scripts.shell.loops.filters import skip_tests
from aipack_compat.load.scripts.shell.loops.read_semantics import DEFAULT_IFS, ReadOptions, read_records
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.words import node_text

_READ_FLAGS_WITHOUT_VALUE = frozenset("rse")
_READ_FLAGS_WITH_VALUE = frozenset("pt")  # prompt, timeout: no effect on what is read from a file


@dataclass(slots=True)
class ReadLoop:
    """A `while read` header: its names, and per iteration their values (None: unknown, see problem)."""

    names: tuple[str, ...]
    records: list[tuple[str, ...]] | None = None
    problem: str | None = None
    note: str | None = None


def plan_read_loop(scanner: ScannerProtocol, node: Any, scope: Scope, loop_input: LoopInput | None) -> ReadLoop | None:
    """The names and values of a `while read` loop; None when the condition reads nothing."""
    conditions = [c for i, c in enumerate(node.children) if node.field_name_for_child(i) == "condition" and c.is_named]
    options, names, problem = _read_condition(scanner, conditions, scope)
    if not names:
        return None
    loop = ReadLoop(tuple(names))
    if problem is not None or options is None:
        loop.problem = problem
        return loop
    if loop_input is None:
        loop.problem = "it reads the script's own stdin"
        return loop
    if loop_input.text is None:
        loop.problem = loop_input.problem
        return loop
    records, dropped = read_records(loop_input.text, options)
    body = node.child_by_field_name("body")
    skips = skip_tests(scanner, body, options.names, scope) if body is not None else None
    if skips is not None and skips.problem is not None:
        loop.problem = skips.problem
        return loop
    if loop_input.listing is not None and (skips is not None and skips.tests or len(options.names) > 1):
        # the values stand for globs, not for each file: a per-file test or split has nothing to act on
        loop.problem = f"it tests or splits each file name {loop_input.described} lists, which a glob cannot carry"
        return loop
    kept = [r for r in records if skips is None or not skips.skips(dict(zip(options.names, r)))]
    loop.records = kept
    loop.note = _note(scanner, node, loop_input, options, len(records), kept, dropped, skips.tests if skips else [])
    return loop


def bind_read_loop(scanner: ScannerProtocol, node: Any, scope: Scope, loop_input: LoopInput | None) -> LoopFrame | None:
    """Loop frames for the names a `while read` fills, bound in `scope`; returns the loop's own frame.

    Further names are frames derived from the first (the same line's other fields), so a sweep
    over `read -r model temp` is one loop, not a cross product."""
    plan = plan_read_loop(scanner, node, scope, loop_input)
    if plan is None:
        return None
    header = node_text(node).split("\n", 1)[0][:160]
    root = None
    for position, name in enumerate(plan.names):
        values: list[Value] | None = [record[position] for record in plan.records] if plan.records is not None else None
        frame = scanner.collector.new_frame(name, values, scanner.where(node), header,
                                            parent=root.frame_id if root is not None else None)
        if root is None:
            root, frame.values_problem, frame.note = frame, plan.problem, plan.note
            frame.from_listing = loop_input is not None and loop_input.listing is not None
        else:
            frame.shape = None  # another field of the same line, not a function of the first name
        scope.variables[name] = frame.token
    return root


def reads_lines(stage: Any) -> bool:
    """A pipeline stage that is a `while` loop (possibly with its own redirections)."""
    if stage.type == "redirected_statement":
        body = stage.child_by_field_name("body")
        return body is not None and bool(body.type == "while_statement")
    return bool(stage.type == "while_statement")


def _read_condition(scanner: ScannerProtocol, conditions: list[Any],
                    scope: Scope) -> tuple[ReadOptions | None, list[str], str | None]:
    """`[IFS=…] read [-r] NAME…` alone, or with `|| [ -n "$NAME" ]`: ReadOptions; else the names and why not."""
    commands = [c for node in conditions for c in _commands_in(node)]
    reads = [c for c in commands if _command_name(scanner, c) == "read"]
    if not reads:
        return None, [], None
    names: list[str] = []
    for read in reads:
        names += [a for a in scanner.words.argv(read, scope)[1:] if a and not a.startswith("-")]
    if len(conditions) != 1 or len(reads) != 1:
        return None, names, "its condition is more than one `read`"
    condition = conditions[0]
    keeps_last = False
    if condition.type == "list":
        parts = condition.children
        if len(parts) != 3 or parts[0] != reads[0] or node_text(parts[1]) != "||":
            return None, names, "its condition is more than one `read`"
        keeps_last = _tests_not_empty(scanner, parts[2])
        if not keeps_last:
            return None, names, "its condition is more than one `read`"
    elif condition.type != "command":
        return None, names, "its condition is more than one `read`"
    return _read_options(scanner, reads[0], scope, keeps_last, names)


def _read_options(scanner: ScannerProtocol, read: Any, scope: Scope, keeps_last: bool,
                  names: list[str]) -> tuple[ReadOptions | None, list[str], str | None]:
    current = scope.variables.get("IFS", DEFAULT_IFS)
    ifs: Value = current if isinstance(current, str) else None
    for child in read.named_children:
        if child.type == "variable_assignment":
            name = child.child_by_field_name("name")
            value = child.child_by_field_name("value")
            if name is not None and node_text(name) == "IFS":
                ifs = scanner.words.value(value, scope) if value is not None else ""
    if ifs is None:
        return None, names, "IFS is set at run time"
    raw = False
    operands: list[str] = []
    args = scanner.words.argv(read, scope)[1:]
    index = 0
    while index < len(args):
        token = args[index]
        index += 1
        if token is None:
            return None, names, "a `read` argument is dynamic"
        if token.startswith("-") and len(token) > 1:
            for position, flag in enumerate(token[1:]):
                if flag in _READ_FLAGS_WITH_VALUE:
                    if position == len(token) - 2:
                        index += 1  # the value is the next word
                    break
                if flag not in _READ_FLAGS_WITHOUT_VALUE:
                    return None, names, f"`read -{flag}` is not modelled"
                raw = raw or flag == "r"
            continue
        operands.append(token)
    if not operands:
        return None, names, "`read` without a name fills REPLY"
    return ReadOptions(tuple(operands), raw, ifs, keeps_last), operands, None


def _tests_not_empty(scanner: ScannerProtocol, node: Any) -> bool:
    """`[ -n "$m" ]` / `[[ -n $m ]]` / `[[ $m ]]` after `read m ||`."""
    text = " ".join(node_text(node).split())
    return bool(re.fullmatch(r'(\[\[?|test) (-n )?"?\$\{?\w+\}?"?( \]\]?)?', text))


def _commands_in(node: Any) -> list[Any]:
    if node.type == "command":
        return [node]
    return [c for child in node.named_children for c in _commands_in(child)]


def _command_name(scanner: ScannerProtocol, command: Any) -> str | None:
    name = command.child_by_field_name("name")
    return node_text(name) if name is not None else None


def _note(scanner: ScannerProtocol, node: Any, loop_input: LoopInput, options: ReadOptions, total: int,
          kept: list[tuple[str, ...]], dropped: bool, tests: list[tuple[str, Any]]) -> str:
    header = loop_header(node_text(node).split("\n", 1)[0][:160])
    values = ", ".join(record[0] for record in kept[:6]) + (", …" if len(kept) > 6 else "")
    if loop_input.listing is not None:
        return f"`{header}` reads the output of {loop_input.listing}"
    if loop_input.file is not None:
        note = (f"`{header}` reads {loop_input.described}: {loop_input.file} was read at migrate time (sha256 "
                f"{loop_input.digest}) and its {len(kept)} value(s) ({values}) are frozen into the job; "
                f"migrate again when {loop_input.file} changes")
    else:
        note = f"`{header}` reads {loop_input.described}: {len(kept)} value(s) ({values})"
    if total != len(kept):
        shown = "; ".join(f"`{text}`" for text, _ in tests)
        note += f"; {total - len(kept)} of {total} line(s) skipped by {shown}"
    if dropped:
        note += "; the last line has no newline, so `read` fails on it and the script never ran it"
    if any("\r" in value for record in kept for value in record):
        note += "; the lines end in CRLF and `read` keeps the `\\r` in each value, as the script did"
    return note
