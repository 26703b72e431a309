"""Makefile recipes: each recipe line is a shell command run from the Makefile's directory.

Make expands `$(VAR)`/`${VAR}` before the shell sees the line and turns `$$` into `$`; each
line runs in its own shell (GNU make manual, "Recipe Execution"), so a `cd` does not carry over
to the next line. Make functions (`$(shell ...)`, `$(wildcard ...)`) are left dynamic.
"""

from __future__ import annotations

import posixpath
import re

from aipack_compat.load.script_collect import Collector

_ASSIGNMENT = re.compile(r"^(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(\?=|:::=|::=|:=|\+=|!=|=)\s*(.*)$")
_RULE = re.compile(r"^([^\s:=#][^:=#]*?)\s*::?(?!=)\s*([^=;#]*)(?:;(.*))?$")
_UNKNOWN = "__aipack_make_dynamic"


def scan_makefile(collector: Collector, text: str, makefile_path: str) -> None:
    from aipack_compat.load.scripts import initial_scope, scan_shell

    variables: dict[str, str | None] = {}
    directory = posixpath.dirname(makefile_path)
    lines = text.split("\n")
    index = 0
    target = ""
    prerequisites: list[str] = []
    while index < len(lines):
        line = lines[index]
        start = index
        while line.endswith("\\") and index + 1 < len(lines):
            index += 1
            line = line + "\n" + lines[index]
        index += 1
        if line.startswith("\t") and target:
            recipe = _strip_recipe_prefix(line[1:])
            shell_text = expand(recipe, variables, target, prerequisites)
            scan_shell(collector, shell_text, makefile_path, line_offset=start, scope=initial_scope(makefile_path, directory))
            continue
        logical = line.replace("\\\n", " ")
        stripped = logical.split("#", 1)[0].rstrip()
        assignment = _ASSIGNMENT.match(stripped)
        if assignment:
            _assign(variables, *assignment.groups())
            continue
        rule = _RULE.match(stripped)
        if rule and not stripped.startswith((" ", "\t")):
            target = rule.group(1).split()[0] if rule.group(1).split() else ""
            prerequisites = expand(rule.group(2), variables, target, []).split()
            if rule.group(3):
                shell_text = expand(_strip_recipe_prefix(rule.group(3).strip()), variables, target, prerequisites)
                scan_shell(collector, shell_text, makefile_path, line_offset=start, scope=initial_scope(makefile_path, directory))
        elif stripped and not stripped.startswith(("define", "endef", "ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "include", "-include", ".")):
            target = ""


def _strip_recipe_prefix(recipe: str) -> str:
    return recipe.lstrip(" ").lstrip("@-+").lstrip()


def _assign(variables: dict[str, str | None], name: str, operator: str, value: str) -> None:
    if operator == "?=" and name in variables:
        return
    if operator == "!=":
        variables[name] = None  # shell assignment: known only at make time
        return
    if operator in (":=", "::=", ":::="):
        variables[name] = expand(value, variables, "", [])
        return
    if operator == "+=":
        previous = variables.get(name, "")
        variables[name] = None if previous is None else (previous + " " + value).strip()
        return
    variables[name] = value.strip()


def expand(text: str, variables: dict[str, str | None], target: str, prerequisites: list[str], depth: int = 0) -> str:
    """Make's expansion of one line; unknown values become a shell variable that stays unset."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "$" or index + 1 >= len(text):
            out.append(char)
            index += 1
            continue
        nxt = text[index + 1]
        if nxt == "$":
            out.append("$")
            index += 2
        elif nxt in "({":
            close = _matching(text, index + 1)
            if close < 0:
                out.append(text[index:])
                break
            out.append(_reference(text[index + 2:close], variables, target, prerequisites, depth))
            index = close + 1
        else:
            automatic = {"@": target, "<": prerequisites[0] if prerequisites else "", "^": " ".join(prerequisites)}
            out.append(automatic.get(nxt, _reference(nxt, variables, target, prerequisites, depth)))
            index += 2
    return "".join(out)


def _reference(name: str, variables: dict[str, str | None], target: str, prerequisites: list[str], depth: int) -> str:
    if " " in name or "," in name or depth > 10:
        return "${" + _UNKNOWN + "}"  # a make function call: value known only to make
    if name in variables:
        value = variables[name]
        if value is None:
            return "${" + _UNKNOWN + "}"
        return expand(value, variables, target, prerequisites, depth + 1)
    return "${" + name + "}"  # not set in the Makefile: make falls back to the environment


def _matching(text: str, open_index: int) -> int:
    opening = text[open_index]
    closing = ")" if opening == "(" else "}"
    depth = 0
    for position in range(open_index, len(text)):
        if text[position] == opening:
            depth += 1
        elif text[position] == closing:
            depth -= 1
            if depth == 0:
                return position
    return -1
