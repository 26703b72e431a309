"""The tests a `while read` loop uses to skip lines, evaluated on lines known at migrate time.

Model lists carry blank lines and `#` comments, so loops start with one of a few static shapes:

    [ -z "$m" ] && continue            [[ $m == \\#* ]] && continue     [ -n "$m" ] || continue
    if [[ $m =~ ^# ]]; then continue; fi                 case $m in ''|\\#*) continue ;; esac

Those are evaluated per line (bash semantics: `[[ == ]]` and `case` match globs, `=~` an ERE
searched anywhere, `[ = ]` compares strings). Any other `continue`/`break` in the body makes the
lines the run sees unknowable, and the loop stays reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from aipack_compat.load.scripts.core.posix_regex import grep_to_python
from aipack_compat.load.scripts.core.scope import LOOP_TOKEN_RE, Scope
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.words import WordEvaluator, node_text

Record = dict[str, str]  # one iteration: read name -> value
Predicate = Callable[[Record], bool]
_NESTED_LOOPS = frozenset({"for_statement", "while_statement", "c_style_for_statement"})
_JUMPS = ("continue", "break")


@dataclass(slots=True)
class SkipTests:
    """The body's recognised skip statements, or why the lines reaching the run are unknown."""

    tests: list[tuple[str, Predicate]] = field(default_factory=list)  # (source text, skips this record?)
    problem: str | None = None

    def skips(self, record: Record) -> bool:
        return any(test(record) for _, test in self.tests)


def skip_tests(scanner: ScannerProtocol, body: Any, names: tuple[str, ...], scope: Scope,
               ignore: Callable[[Any], bool] | None = None) -> SkipTests:
    """`ignore`: statements the caller accounts for itself (a glob loop's `[ -f "$f" ] || continue`)."""
    found = SkipTests()
    reader = _TestReader(scanner.words, names, scope)
    for statement in body.named_children:
        if ignore is not None and ignore(statement):
            continue
        test = reader.skip_statement(statement)
        if test is not None:
            found.tests.append((" ".join(node_text(statement).split())[:80], test))
            continue
        jump = _first_jump(statement)
        if jump is not None:
            found.problem = (f"the loop skips lines with `{' '.join(node_text(statement).split())[:60]}` "
                             f"(line {jump.start_point[0] + 1 + scanner.line_offset})")
            return found
    return found


def _first_jump(node: Any, depth: int = 0) -> Any:
    """A `continue`/`break` of this loop: one in a nested loop belongs to that loop unless it says
    `continue 2` (bash manual, "Bourne Shell Builtins": `continue [n]` resumes the nth enclosing loop)."""
    if node.type in _NESTED_LOOPS:
        depth += 1
    if node.type == "command":
        name = node.child_by_field_name("name")
        if name is not None and node_text(name) in _JUMPS:
            words = node_text(node).split()
            levels = int(words[1]) if len(words) > 1 and words[1].isdigit() else 1
            if levels > depth:
                return node
    for child in node.named_children:
        found = _first_jump(child, depth)
        if found is not None:
            return found
    return None


class _TestReader:
    def __init__(self, words: WordEvaluator, names: tuple[str, ...], scope: Scope) -> None:
        self.words = words
        self.names = names
        self.scope = scope

    def skip_statement(self, node: Any) -> Predicate | None:
        """`TEST && continue`, `TEST || continue`, `if TEST; then continue; fi`, `case` with `continue` items."""
        if node.type == "list":
            parts = node.children
            if len(parts) == 3 and self._is_continue(parts[2]):
                test = self.condition(parts[0])
                operator = node_text(parts[1])
                if test is None or operator not in ("&&", "||"):
                    return None
                return test if operator == "&&" else _negate(test)
            return None
        if node.type == "if_statement":
            conditions = [c for i, c in enumerate(node.children) if node.field_name_for_child(i) == "condition" and c.is_named]
            rest = [c for i, c in enumerate(node.children) if c.is_named and node.field_name_for_child(i) != "condition"]
            if len(conditions) == 1 and len(rest) == 1 and self._is_continue(rest[0]):
                return self.condition(conditions[0])
            return None
        if node.type == "case_statement":
            return self._case(node)
        return None

    def _is_message(self, node: Any) -> bool:
        """`echo …` / `printf …` (possibly redirected to stderr): output only, no effect on the loop."""
        command = node.child_by_field_name("body") if node.type == "redirected_statement" else node
        if command is None or command.type != "command":
            return False
        name = command.child_by_field_name("name")
        return name is not None and node_text(name) in ("echo", "printf", ":")

    def _is_continue(self, node: Any) -> bool:
        return node.type == "command" and node_text(node).strip() == "continue"

    def condition(self, node: Any) -> Predicate | None:
        if node.type == "test_command":
            double = node_text(node).startswith("[[")
            inner = node.named_children
            return self.expression(inner[0], double) if len(inner) == 1 else None
        if node.type == "command":
            argv_nodes = [c for i, c in enumerate(node.children) if node.field_name_for_child(i) == "argument"]
            name = node.child_by_field_name("name")
            if name is None or node_text(name) != "test":
                return None
            return self._test_arguments(argv_nodes)
        return None

    def _test_arguments(self, nodes: list[Any]) -> Predicate | None:
        texts = [node_text(n) for n in nodes]
        if len(nodes) == 2 and texts[0] in ("-z", "-n"):
            return self._unary(texts[0], nodes[1])
        if len(nodes) == 3 and texts[1] in ("=", "==", "!="):
            return self._compare(nodes[0], texts[1], nodes[2], double=False)
        return None

    def expression(self, node: Any, double: bool) -> Predicate | None:
        kind = node.type
        if kind == "parenthesized_expression" and len(node.named_children) == 1:
            return self.expression(node.named_children[0], double)
        if kind == "unary_expression":
            operator = node_text(node.children[0])
            operand = node.named_children[-1] if node.named_children else None
            if operand is None:
                return None
            if operator == "!":
                inner = self.expression(operand, double)
                return _negate(inner) if inner is not None else None
            return self._unary(operator, operand)
        if kind == "binary_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            operator_node = node.child_by_field_name("operator")
            if left is None or right is None or operator_node is None:
                return None
            operator = node_text(operator_node)
            if operator in ("||", "&&"):
                first, second = self.expression(left, double), self.expression(right, double)
                if first is None or second is None:
                    return None
                return _either(first, second) if operator == "||" else _both(first, second)
            if left.type == "binary_expression" and self._operator(left) in ("||", "&&"):
                # tree-sitter-bash binds `[[ -z $m || $m =~ ^# ]]` as `(-z $m || $m) =~ ^#`; bash
                # gives `||` the lowest precedence (bash manual, "Conditional Constructs")
                inner_left, inner_right = left.child_by_field_name("left"), left.child_by_field_name("right")
                first = self.expression(inner_left, double) if inner_left is not None else None
                second = self._compare(inner_right, operator, right, double) if inner_right is not None else None
                if first is None or second is None:
                    return None
                return _either(first, second) if self._operator(left) == "||" else _both(first, second)
            return self._compare(left, operator, right, double)
        variable = self._variable(node)
        if variable is not None:  # `[[ $m ]]`: true when not empty
            return lambda record: record.get(variable, "") != ""
        return None

    def _operator(self, node: Any) -> str:
        operator = node.child_by_field_name("operator")
        return node_text(operator) if operator is not None else ""

    def _unary(self, operator: str, operand: Any) -> Predicate | None:
        variable = self._variable(operand)
        if variable is None or operator not in ("-z", "-n"):
            return None
        if operator == "-z":
            return lambda record: record.get(variable, "") == ""
        return lambda record: record.get(variable, "") != ""

    def _compare(self, left: Any, operator: str, right: Any, double: bool) -> Predicate | None:
        variable = self._variable(left)
        if variable is None:
            return None
        if operator == "=~" and double:
            pattern = self._regex(right)
            if pattern is None:
                return None
            return lambda record: pattern.search(record.get(variable, "")) is not None
        if operator not in ("==", "=", "!="):
            return None
        if double:
            matcher = self._glob(right)
        else:
            literal = self.words.value(right, self.scope)
            matcher = re.compile(re.escape(literal)) if literal is not None and not LOOP_TOKEN_RE.search(literal) else None
        if matcher is None:
            return None
        equal = matcher
        if operator == "!=":
            return lambda record: equal.fullmatch(record.get(variable, "")) is None
        return lambda record: equal.fullmatch(record.get(variable, "")) is not None

    def _variable(self, node: Any) -> str | None:
        """The read name an operand is (`$m`, `${m}`, `"$m"`), or None."""
        if node.type == "string" and len(node.named_children) == 1:
            if node_text(node) != '"' + node_text(node.named_children[0]) + '"':
                return None
            node = node.named_children[0]
        if node.type not in ("simple_expansion", "expansion"):
            return None
        text = node_text(node)
        name = text[2:-1] if text.startswith("${") else text[1:]
        return name if name in self.names else None

    def _glob(self, node: Any) -> re.Pattern[str] | None:
        regex = glob_regex(self.words, node, self.scope)
        try:
            return re.compile(regex, re.DOTALL) if regex is not None else None
        except re.error:
            return None

    def _regex(self, node: Any) -> re.Pattern[str] | None:
        if node.type == "regex":
            text = node_text(node)
        else:
            value = self.words.value(node, self.scope)
            if value is None or LOOP_TOKEN_RE.search(value):
                return None
            text = re.escape(value)  # a quoted part of an `=~` pattern matches literally
        try:
            return re.compile(grep_to_python(text, extended=True))
        except re.error:
            return None

    def _case(self, node: Any) -> Predicate | None:
        value = node.child_by_field_name("value")
        variable = self._variable(value) if value is not None else None
        if variable is None:
            return None
        items: list[tuple[list[re.Pattern[str]], bool]] = []
        for item in (c for c in node.named_children if c.type == "case_item"):
            patterns: list[re.Pattern[str]] = []
            body: list[Any] = []
            for index, child in enumerate(item.children):
                field_name = item.field_name_for_child(index)
                if field_name == "value":
                    pattern = self._glob(child)
                    if pattern is None:
                        return None
                    patterns.append(pattern)
                elif field_name == "termination":
                    if node_text(child) != ";;":
                        return None  # `;&` / `;;&` fall through: not modelled
                elif child.is_named and child.type != "comment":
                    body.append(child)
            # `qwen*) echo "skip $m" >&2; continue ;;`: messages before the `continue` change nothing
            skips = bool(body) and self._is_continue(body[-1]) and all(self._is_message(part) for part in body[:-1])
            if not skips and any(_first_jump(part) is not None for part in body):
                return None
            items.append((patterns, skips))
        if not any(skips for _, skips in items):
            return None

        def skipped(record: Record) -> bool:
            text = record.get(variable, "")
            for patterns, skips in items:
                if any(p.fullmatch(text) for p in patterns):
                    return skips
            return False

        return skipped


def _negate(test: Predicate) -> Predicate:
    return lambda record: not test(record)


def _either(first: Predicate, second: Predicate) -> Predicate:
    return lambda record: first(record) or second(record)


def _both(first: Predicate, second: Predicate) -> Predicate:
    return lambda record: first(record) and second(record)


def glob_regex(words: WordEvaluator, node: Any, scope: Scope) -> str | None:
    """A bash pattern word as a Python regex: quoted parts are literal, `*`, `?`, `[...]` match."""
    kind = node.type
    if kind in ("word", "extglob_pattern", "regex"):
        return _glob_text(node_text(node))
    if kind == "concatenation":
        parts = [glob_regex(words, child, scope) for child in node.children]
        return None if any(p is None for p in parts) else "".join(p for p in parts if p is not None)
    value = words.value(node, scope)
    if value is None or LOOP_TOKEN_RE.search(value):
        return None
    if kind in ("string", "raw_string", "ansi_c_string"):
        return re.escape(value)
    return _glob_text(value)  # an unquoted expansion is itself a pattern


def _glob_text(text: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            out.append(re.escape(text[index + 1]))
            index += 2
            continue
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[":
            end = text.find("]", index + 2)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = text[index + 1:end]
                negated = body[:1] in ("!", "^")
                body = body[1:] if negated else body
                out.append("[" + ("^" if negated else "") + body.replace("\\", "\\\\") + "]")
                index = end
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)
