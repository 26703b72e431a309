"""What changes from one iteration of a loop to the next, so a loop body is never read as a single pass.

The scanner visits a loop body once. A variable the body assigns (`i=$((i+1))`, `((n++))`,
`let k+=2`) has another value on the next iteration, so inside the body it is unknown rather
than the value it had before the loop. `for ((i=0; i<3; i++))` with literal bounds is walked
here, so its variable is a loop with known values like any `for i in 0 1 2`.
"""

from __future__ import annotations

import re
from typing import Any

from aipack_compat.load.scripts.core.scope import Scope
from aipack_compat.load.scripts.shell.words import node_text

MAX_ITERATIONS = 512
_ARITHMETIC_TARGET_RE = re.compile(r"(?:\b([A-Za-z_]\w*)\s*(?:\+\+|--|[-+*/%&|^]?=(?!=)|<<=|>>=))|(?:(?:\+\+|--)\s*([A-Za-z_]\w*))")
_INIT_RE = re.compile(r"\s*([A-Za-z_]\w*)\s*=\s*(\S+)\s*")
_CONDITION_RE = re.compile(r"\s*\$?([A-Za-z_]\w*)\s*(<=|<|>=|>|!=)\s*(\S+)\s*")
_UPDATE_RE = re.compile(r"\s*(?:([A-Za-z_]\w*)(\+\+|--)|(\+\+|--)([A-Za-z_]\w*)|([A-Za-z_]\w*)\s*([-+])=\s*(\S+)"
                        r"|([A-Za-z_]\w*)\s*=\s*\$?([A-Za-z_]\w*)\s*([-+])\s*(\S+))\s*")


def assigned_in(body: Any) -> set[str]:
    """Names the body assigns on each pass (not inside functions it defines: those run when called)."""
    names: set[str] = set()
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "function_definition":
            continue
        if node.type == "variable_assignment" and node.parent is not None and node.parent.type == "command":
            pass  # `IFS=, read …` / `MODEL=x cmd`: the command's environment, not the shell's variable
        elif node.type == "variable_assignment":
            name = node.child_by_field_name("name")
            if name is not None:
                names.add(node_text(name).split("[", 1)[0])
        elif node.type in ("arithmetic_expansion", "compound_statement") and node_text(node).startswith(("$((", "((")):
            names.update(a or b for a, b in _ARITHMETIC_TARGET_RE.findall(node_text(node)))
        elif node.type == "command":
            name = node.child_by_field_name("name")
            if name is not None and node_text(name) == "let":
                names.update(a or b for a, b in _ARITHMETIC_TARGET_RE.findall(node_text(node)[3:]))
        stack.extend(node.named_children)
    return names


def c_style_values(node: Any, scope: Scope) -> tuple[str | None, list[str] | None, str | None]:
    """(variable, values, problem) of `for ((i=START; i OP END; i STEP))` with literal or known bounds."""
    parts = {name: node.child_by_field_name(name) for name in ("initializer", "condition", "update")}
    texts = {name: node_text(part) if part is not None else "" for name, part in parts.items()}
    init = _INIT_RE.fullmatch(texts["initializer"])
    condition = _CONDITION_RE.fullmatch(texts["condition"])
    update = _UPDATE_RE.fullmatch(texts["update"])
    variable = init.group(1) if init else None
    if init is None or condition is None or update is None:
        return variable, None, "its `((…))` header is not a simple counter"
    start, limit = _number(init.group(2), scope), _number(condition.group(3), scope)
    step = _step(update, scope)
    names = {condition.group(1), next(n for n in (update.group(1), update.group(4), update.group(5), update.group(8)) if n)}
    if start is None or limit is None or step is None or names != {variable}:
        return variable, None, "its bounds are only known at run time"
    values: list[str] = []
    current = start
    compare = {"<": int.__lt__, "<=": int.__le__, ">": int.__gt__, ">=": int.__ge__, "!=": int.__ne__}[condition.group(2)]
    while compare(current, limit):
        values.append(str(current))
        if len(values) > MAX_ITERATIONS:
            return variable, None, f"it runs more than {MAX_ITERATIONS} times (or never stops)"
        current += step
    return variable, values, None


def _step(update: re.Match[str], scope: Scope) -> int | None:
    if update.group(2) or update.group(3):
        return 1 if "++" in (update.group(2) or update.group(3)) else -1
    if update.group(6):
        amount = _number(update.group(7), scope)
        return None if amount is None else (amount if update.group(6) == "+" else -amount)
    if update.group(8) and update.group(8) == update.group(9):
        amount = _number(update.group(11), scope)
        return None if amount is None else (amount if update.group(10) == "+" else -amount)
    return None


def _number(text: str, scope: Scope) -> int | None:
    """An integer literal, or a variable (`N`, `$N`, `${N}`) known to hold one."""
    text = text.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    match = re.fullmatch(r"\$?\{?([A-Za-z_]\w*)\}?", text)
    if match is None:
        return None
    value = scope.variables.get(match.group(1))
    return int(value) if isinstance(value, str) and re.fullmatch(r"-?\d+", value) else None
