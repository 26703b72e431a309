"""`if`/`elif`/`else`, `case` and `TEST && cmd` around `aip run` (visitors of ShellScanner).

The script runs one branch, chosen at run time (an environment variable, `$1`, a file that exists);
migrate keeps every branch's runs as jobs, so each run inside a branch carries a note naming the
condition it depended on: `run --job NAME` picks the ones the user wants. The branches themselves
are walked as before (every branch, in order).
"""

from __future__ import annotations

from typing import Any

from aipack_compat.load.scripts.core.scope import Scope
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.redirects import Redirects
from aipack_compat.load.scripts.shell.words import node_text

_TESTS = frozenset({"test_command"})


def visit_if_statement(scanner: ScannerProtocol, node: Any, scope: Scope, redirects: Redirects) -> None:
    conditions: list[str] = []
    branch: list[Any] = []
    for index, child in enumerate(node.children):
        if node.field_name_for_child(index) == "condition":
            if child.is_named:
                scanner.visit(child, scope, redirects)
                conditions.append(_shown(child))
        elif child.type in ("elif_clause", "else_clause"):
            break
        elif child.is_named:
            branch.append(child)
    first = " ".join(conditions)
    _in_branch(scanner, f"when `{first}` succeeds", branch, scope, redirects)
    previous = [first]
    for clause in (c for c in node.named_children if c.type in ("elif_clause", "else_clause")):
        parts = [c for c in clause.named_children if c.type != "comment"]
        failed = " and ".join(f"`{text}`" for text in previous)
        if clause.type == "else_clause":
            _in_branch(scanner, f"when {failed} fail{'s' if len(previous) == 1 else ''}", parts, scope, redirects)
            continue
        condition, body = (parts[0], parts[1:]) if parts else (None, [])
        if condition is None:
            continue
        scanner.visit(condition, scope, redirects)
        text = _shown(condition)
        _in_branch(scanner, f"when `{text}` succeeds after {failed} failed", body, scope, redirects)
        previous.append(text)


def visit_case_statement(scanner: ScannerProtocol, node: Any, scope: Scope, redirects: Redirects) -> None:
    value = node.child_by_field_name("value")
    subject = _shown(value) if value is not None else "?"
    for item in (c for c in node.named_children if c.type == "case_item"):
        patterns = [node_text(c) for i, c in enumerate(item.children) if item.field_name_for_child(i) == "value"]
        body = [c for i, c in enumerate(item.children)
                if c.is_named and item.field_name_for_child(i) not in ("value", "termination") and c.type != "comment"]
        _in_branch(scanner, f"when `{subject}` matches `{'|'.join(patterns)}`", body, scope, redirects)


def visit_list(scanner: ScannerProtocol, node: Any, scope: Scope, redirects: Redirects) -> None:
    """`[ -n "$QUICK" ] && aip run …` / `[ -f out.txt ] || aip run …`: the right side is conditional."""
    parts = node.children
    if len(parts) == 3 and parts[0].type in _TESTS and node_text(parts[1]) in ("&&", "||"):
        scanner.visit(parts[0], scope, redirects)
        verb = "succeeds" if node_text(parts[1]) == "&&" else "fails"
        _in_branch(scanner, f"when `{_shown(parts[0])}` {verb}", [parts[2]], scope, redirects)
        return
    for child in node.named_children:
        scanner.visit(child, scope, redirects)


def _in_branch(scanner: ScannerProtocol, condition: str, statements: list[Any], scope: Scope,
               redirects: Redirects) -> None:
    scanner.branches.append(condition)
    try:
        for statement in statements:
            scanner.visit(statement, scope, redirects)
    finally:
        scanner.branches.pop()


def _shown(node: Any) -> str:
    text = " ".join(node_text(node).split()).rstrip(";").strip()
    return text if len(text) <= 80 else text[:77] + "…"
