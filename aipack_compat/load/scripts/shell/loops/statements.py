"""The loop statements of the shell walk: `for`, `for ((…))`, `while`/`until` (visitors of ShellScanner).

Each loop the walk enters is a frame (core/records.LoopFrame) whose values are known or not, with
the reason; runs recorded inside carry the frames that are open. A body is visited once, so what
the body changes per pass (bodies.py) is unknown inside it, and a loop whose number of passes
is unknown (`while`, `until`, an unwalkable counter) adds a note to each run inside it.
"""

from __future__ import annotations

from typing import Any

from aipack_compat.load.scripts.core.loop_input import LoopInput
from aipack_compat.load.scripts.core.records import LoopFrame, loop_header
from aipack_compat.load.scripts.core.scope import Scope
from aipack_compat.load.scripts.shell.loops.bodies import assigned_in, c_style_values
from aipack_compat.load.scripts.shell.loops.jumps import apply_skips
from aipack_compat.load.scripts.shell.loops.sources import for_loop_words
from aipack_compat.load.scripts.shell.loops.while_read import bind_read_loop
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.redirects import Redirects
from aipack_compat.load.scripts.shell.words import node_text


def visit_for_statement(scanner: ScannerProtocol, node: Any, scope: Scope, redirects: Redirects) -> None:
    variable = node.child_by_field_name("variable")
    body = node.child_by_field_name("body")
    if variable is None or body is None:
        return
    value_nodes = [c for i, c in enumerate(node.children) if node.field_name_for_child(i) == "value"]
    header = node_text(node).split("\n", 1)[0][:160]
    if value_nodes:
        words = for_loop_words(scanner, value_nodes, scope, header)
        frame = scanner.collector.new_frame(node_text(variable), words.values, scanner.where(node), header)
        frame.values_problem, frame.note, frame.from_listing = words.problem, words.note, words.from_listing
        frame.globbed = words.globbed or words.from_listing
        apply_skips(scanner, frame, body, scope)
    else:
        values = list(scope.positional) if scope.positional is not None else None
        frame = scanner.collector.new_frame(node_text(variable), values, scanner.where(node), header)
    _walk_loop(scanner, frame, node_text(variable), body, scope, redirects)


def visit_c_style_for_statement(scanner: ScannerProtocol, node: Any, scope: Scope, redirects: Redirects) -> None:
    """`for ((i=0; i<3; i++))`: a loop over the counter's values when its bounds are known."""
    body = node.child_by_field_name("body")
    if body is None:
        return
    variable, values, problem = c_style_values(node, scope)
    header = node_text(node).split("\n", 1)[0][:160]
    frame = scanner.collector.new_frame(variable or "((…))", values, scanner.where(node), header)
    frame.values_problem = problem
    if values is None:
        scanner.repeating.append(_shown_header(header))  # how often it runs is unknown, like a `while` loop
    try:
        _walk_loop(scanner, frame, variable, body, scope, redirects)
    finally:
        if values is None:
            scanner.repeating.pop()


def _walk_loop(scanner: ScannerProtocol, frame: LoopFrame, variable: str | None, body: Any, scope: Scope, redirects: Redirects) -> None:
    for name in assigned_in(body) - {variable}:
        scope.variables[name] = None  # another value on the next pass: unknown inside the body
    frame.outer_stdout = (redirects.stdout, redirects.stdout_set)
    if variable is not None:
        scope.variables[variable] = frame.token
    scanner.loops.append(frame)
    try:
        scanner.visit(body, scope, redirects)
    finally:
        scanner.loops.pop()
        scanner.collector.close_loop(frame.frame_id)


def visit_while_statement(scanner: ScannerProtocol, node: Any, scope: Scope, redirects: Redirects,
                           loop_input: LoopInput | None = None) -> None:
    """`while read NAME…`: the names are loop variables, with values when the lines are known."""
    loop_input = loop_input or scanner.piped_input
    scanner.piped_input = None  # a loop nested in this body reads this loop's stdin only if it says so
    body = node.child_by_field_name("body")
    # the condition runs on every pass too (`until aip run …; do sleep 5; done` retries the run)
    scanner.repeating.append(_shown_header(node_text(node)))
    for name in assigned_in(body) if body is not None else ():
        scope.variables[name] = None  # another value on the next pass: unknown inside the loop
    try:
        for index, child in enumerate(node.children):
            if node.field_name_for_child(index) == "condition":
                scanner.visit(child, scope, redirects)
    finally:
        scanner.repeating.pop()
    root = bind_read_loop(scanner, node, scope, loop_input)
    if root is not None:
        scanner.loops.append(root)
    else:
        scanner.repeating.append(_shown_header(node_text(node)))
    try:
        if body is not None:
            scanner.visit(body, scope, redirects)
    finally:
        if root is not None:
            scanner.loops.pop()
            scanner.collector.close_loop(root.frame_id)
        else:
            scanner.repeating.pop()


def _shown_header(text: str) -> str:
    """`until aip run …; do` out of a loop's text, for the repetition note."""
    header = loop_header(text.split("\n", 1)[0])
    return header if len(header) <= 160 else header[:157] + "…"
