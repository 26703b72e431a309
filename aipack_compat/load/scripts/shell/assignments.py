"""Assignments the shell scanner tracks: `X=…`, `A=(…)`, `T[k]=v`, `declare`/`export`/`local` (visitors of ShellScanner)."""

from __future__ import annotations

from typing import Any

from aipack_compat.load.scripts.core.scope import Scope, Value, VariableValue
from aipack_compat.load.scripts.shell.loops.arrays import array_from_words, declare_associative
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.redirects import Redirects
from aipack_compat.load.scripts.shell.words import node_text


def visit_variable_assignment(scanner: ScannerProtocol, node: Any, scope: Scope, redirects: Redirects) -> None:
    name_node = node.child_by_field_name("name")
    value_node = node.child_by_field_name("value")
    if name_node is None:
        return
    name = node_text(name_node)
    if name_node.type == "subscript":
        base = name_node.child_by_field_name("name")
        index = name_node.child_by_field_name("index")
        table = scope.variables.get(node_text(base)) if base is not None else None
        if isinstance(table, dict) and index is not None and value_node is not None:
            key = scanner.words.value(index, scope)  # `T[llama3.2:1b]=0.2` after `declare -A T`
            if key is not None:
                table[key] = scanner.words.value(value_node, scope)
                return
        if base is not None:
            scope.variables[node_text(base)] = None  # element assignment: give up on the array
        return
    if value_node is None:
        scope.variables[name] = ""
    elif value_node.type == "array":
        items: list[Value] = []
        scanner.array_notes.pop(name, None)
        scanner.array_problems.pop(name, None)
        for item in value_node.named_children:
            if item.type == "command_substitution":  # `A=($(cat models.txt))`: its words, read as data
                scanner.visit_substitution(item, scope)
                items.extend(array_from_words(scanner, name, item, scope))
            else:
                items.extend(scanner.words.fields(item, scope))
        appended = node_text(node).startswith(name + "+=")
        previous = scope.variables.get(name)
        scope.variables[name] = (previous if isinstance(previous, list) and appended else []) + items
    else:
        value = scanner.words.value(value_node, scope)
        if node_text(node).startswith(name + "+="):
            previous = scope.variables.get(name)
            value = None if value is None or not isinstance(previous, str) else previous + value
        scope.variables[name] = value


def visit_declaration_command(scanner: ScannerProtocol, node: Any, scope: Scope, redirects: Redirects) -> None:
    keyword = node_text(node.children[0]) if node.children else ""
    associative = any(c.type == "word" and node_text(c).startswith("-") and "A" in node_text(c) for c in node.named_children)
    for child in node.named_children:
        if associative and child.type in ("variable_assignment", "variable_name"):
            declare_associative(scanner, child, scope)
        elif child.type == "variable_assignment":
            visit_variable_assignment(scanner, child, scope, redirects)
            name = child.child_by_field_name("name")
            if keyword == "export" and name is not None:
                variable = node_text(name)
                scope.exported[variable] = _exported(scope.variables.get(variable))
        elif child.type == "variable_name":
            variable = node_text(child)
            if keyword == "export":
                scope.exported[variable] = _exported(scope.variables.get(variable))
            elif keyword == "local":
                scope.variables[variable] = ""


def _exported(value: VariableValue) -> Value:
    """What `export NAME` puts in the environment: a string; bash exports no arrays."""
    return value if isinstance(value, str) else None
