"""Makefile recipes: each recipe line is a shell command run from the Makefile's directory.

Make expands `$(VAR)`/`${VAR}` before the shell sees the line and turns `$$` into `$`; each
line runs in its own shell (GNU make manual, "Recipe Execution"), so a `cd` does not carry over
to the next line. Make functions (`$(shell ...)`, `$(wildcard ...)`) are left dynamic.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.core.scope import initial_scope
from aipack_compat.load.scripts.make.functions import call_function, matches, parse_call
from aipack_compat.load.scripts.shell.scanner import scan_shell

_ASSIGNMENT = re.compile(r"^(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(\?=|:::=|::=|:=|\+=|!=|=)\s*(.*)$")
_RULE = re.compile(r"^([^\s:=#][^:=#]*?)\s*::?(?!=)\s*([^=;#]*)(?:;(.*))?$")
_UNKNOWN = "__aipack_make_dynamic"


def scan_makefile(collector: Collector, text: str, makefile_path: str) -> None:
    variables: dict[str, str | None] = {}
    directory = posixpath.dirname(makefile_path)
    lines = text.split("\n")
    index = 0
    target = ""
    prerequisites: list[str] = []
    wanted: list[str] = []  # every prerequisite named by a rule: the targets make may build
    patterns: list[tuple[str, list[str], list[tuple[int, str]]]] = []  # (pattern, prerequisites, recipe lines)

    def run(recipe: str, start: int, rule_target: str, rule_prerequisites: list[str], stem: str | None = None) -> None:
        shell_text = expand(recipe, variables, rule_target, rule_prerequisites, stem=stem)
        scan_shell(collector, shell_text, makefile_path, line_offset=start, scope=initial_scope(makefile_path, directory))

    while index < len(lines):
        line = lines[index]
        start = index
        while line.endswith("\\") and index + 1 < len(lines):
            index += 1
            line = line + "\n" + lines[index]
        index += 1
        if line.startswith("\t") and target:
            if "%" in target:  # a pattern rule: run for each wanted target it matches, once all rules are read
                patterns[-1][2].append((start, _strip_recipe_prefix(line[1:])))
            else:
                run(_strip_recipe_prefix(line[1:]), start, target, prerequisites)
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
            wanted.extend(p for p in prerequisites if _UNKNOWN not in p)
            if "%" in target:
                patterns.append((target, prerequisites, []))
                if rule.group(3):
                    patterns[-1][2].append((start, _strip_recipe_prefix(rule.group(3).strip())))
            elif rule.group(3):
                run(_strip_recipe_prefix(rule.group(3).strip()), start, target, prerequisites)
        elif stripped and not stripped.startswith(("define", "endef", "ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "include", "-include", ".")):
            target = ""
    for pattern, pattern_prerequisites, recipe in patterns:
        stems: list[str | None] = list(dict.fromkeys(stem for name in wanted if (stem := matches(pattern, name)) is not None))
        for stem in stems or [None]:  # no target asks for it: `$*` stays unknown, reported as such
            name = pattern.replace("%", stem, 1) if stem is not None else pattern
            concrete = [p.replace("%", stem, 1) if stem is not None else p for p in pattern_prerequisites]
            for start, line_text in recipe:
                run(line_text, start, name, concrete, stem=stem)


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


def expand(text: str, variables: dict[str, str | None], target: str, prerequisites: list[str], depth: int = 0,
           stem: str | None = None) -> str:
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
            out.append(_reference(text[index + 2:close], variables, target, prerequisites, depth, stem))
            index = close + 1
        else:
            automatic = {"@": target, "<": prerequisites[0] if prerequisites else "", "^": " ".join(prerequisites)}
            if stem is not None:
                automatic["*"] = stem
            out.append(automatic.get(nxt, _reference(nxt, variables, target, prerequisites, depth, stem)))
            index += 2
    return "".join(out)


def _reference(name: str, variables: dict[str, str | None], target: str, prerequisites: list[str], depth: int,
               stem: str | None = None) -> str:
    if depth > 10:
        return "${" + _UNKNOWN + "}"
    call = parse_call(name) if (" " in name or "\t" in name) else None
    if call is not None:  # `$(addprefix eval-,$(MODELS))`: text functions are computed (functions.py)
        def expander(bound: dict[str, str | None]) -> Callable[[str], str | None]:
            def run(argument: str) -> str | None:
                value = expand(argument, bound, target, prerequisites, depth + 1, stem)
                return None if _UNKNOWN in value else value
            return run

        result = call_function(call[0], call[1], expander(variables),
                               lambda variable, word: expander({**variables, variable: word}))
        return "${" + _UNKNOWN + "}" if result is None else result
    if " " in name or "," in name:
        return "${" + _UNKNOWN + "}"  # a make function call: value known only to make
    if name in variables:
        value = variables[name]
        if value is None:
            return "${" + _UNKNOWN + "}"
        return expand(value, variables, target, prerequisites, depth + 1, stem)
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
