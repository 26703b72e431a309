"""Assignments the shell scanner tracks: `X=…`, `A=(…)`, `T[k]=v`, `declare`/`export`/`local` (a mixin of ShellScanner)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aipack_compat.load.shell_words import Value

if TYPE_CHECKING:
    from aipack_compat.load.shell_redirects import Redirects
    from aipack_compat.load.shell_scan import ShellScanner
    from aipack_compat.load.shell_words import Scope


class AssignmentVisits:
    def _visit_variable_assignment(self: "ShellScanner", node: Any, scope: "Scope", redirects: "Redirects") -> None:
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        if name_node is None:
            return
        name = self.text(name_node)
        if name_node.type == "subscript":
            base = name_node.child_by_field_name("name")
            index = name_node.child_by_field_name("index")
            table = scope.variables.get(self.text(base)) if base is not None else None
            if isinstance(table, dict) and index is not None and value_node is not None:
                key = self.words.value(index, scope)  # `T[llama3.2:1b]=0.2` after `declare -A T`
                if key is not None:
                    table[key] = self.words.value(value_node, scope)
                    return
            if base is not None:
                scope.variables[self.text(base)] = None  # element assignment: give up on the array
            return
        if value_node is None:
            scope.variables[name] = ""
        elif value_node.type == "array":
            items: list[Value] = []
            self.array_notes.pop(name, None)
            self.array_problems.pop(name, None)
            for item in value_node.named_children:
                if item.type == "command_substitution":  # `A=($(cat models.txt))`: its words, read as data
                    from aipack_compat.load.array_sources import array_from_words

                    self.visit_substitution(item, scope)
                    items.extend(array_from_words(self, name, item, scope))
                else:
                    items.extend(self.words.fields(item, scope))
            appended = self.text(node).startswith(name + "+=")
            previous = scope.variables.get(name)
            scope.variables[name] = (previous if isinstance(previous, list) and appended else []) + items
        else:
            value = self.words.value(value_node, scope)
            if self.text(node).startswith(name + "+="):
                previous = scope.variables.get(name)
                value = None if value is None or not isinstance(previous, str) else previous + value
            scope.variables[name] = value

    def _visit_declaration_command(self: "ShellScanner", node: Any, scope: "Scope", redirects: "Redirects") -> None:
        keyword = self.text(node.children[0]) if node.children else ""
        associative = any(c.type == "word" and self.text(c).startswith("-") and "A" in self.text(c) for c in node.named_children)
        for child in node.named_children:
            if associative and child.type in ("variable_assignment", "variable_name"):
                from aipack_compat.load.array_sources import declare_associative

                declare_associative(self, child, scope)
            elif child.type == "variable_assignment":
                self._visit_variable_assignment(child, scope, redirects)
                name = child.child_by_field_name("name")
                if keyword == "export" and name is not None:
                    variable = self.text(name)
                    bound = scope.variables.get(variable)
                    scope.exported[variable] = bound if not isinstance(bound, list) else None
            elif child.type == "variable_name":
                variable = self.text(child)
                if keyword == "export":
                    bound = scope.variables.get(variable)
                    scope.exported[variable] = bound if not isinstance(bound, list) else None
                elif keyword == "local":
                    scope.variables[variable] = ""
