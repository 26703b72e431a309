"""Static evaluation of bash words from tree-sitter-bash nodes (argument text is raw source).

A word evaluates to a `Value` (core/scope.py): known text, `None` when only a running shell knows
it, or text holding a loop token for "the value of this iteration".
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Callable

from aipack_compat.load.scripts.core.scope import LOOP_TOKEN_RE, Scope, Value

_ANSI_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "a": "\a", "e": "\x1b", "0": "\0"}


# what an expansion gives: one value, or the fields of an array (`"${A[@]}"`, `$@`)
Expansion = Value | list[Value]
SubstitutionHook = Callable[[Any, Scope], Value]
# (loop-valued scalar, per-value transform, the expansion's shape: operator then operands, e.g. ("##", "*/"))
DeriveHook = Callable[[str, Callable[[str], str], tuple[str, ...]], Value]


class WordEvaluator:
    """Turns word-like nodes into lists of fields (after the splitting bash would do)."""

    def __init__(self, source: bytes, substitute: SubstitutionHook, derive: DeriveHook | None = None,
                 assume: Callable[[str, Value], None] | None = None) -> None:
        self.source = source
        self.substitute = substitute  # evaluates `$(...)`, visiting its body for invocations
        self.derive = derive  # `${model//:/_}` of a loop variable: a loop value derived per iteration
        # `${AGENT:-eval}` of a variable the script never set (the environment, an argument): the
        # default is taken, and the scanner tells the user it assumed so
        self.assume = assume

    # -- public -----------------------------------------------------------------------------
    def fields(self, node: Any, scope: Scope) -> list[Value]:
        """The fields one argument node expands to (arrays and unquoted splitting included)."""
        kind = node.type
        if kind == "expansion" or kind == "simple_expansion":
            expanded = self._expansion(node, scope)
            if isinstance(expanded, list):
                return expanded
            return _split(expanded)
        if kind == "string" and _is_single_array_expansion(node):
            inner = node.named_children[0]
            expanded = self._expansion(inner, scope)
            if isinstance(expanded, list):
                return expanded
            return [expanded]
        if kind == "concatenation" and _is_brace_list(node):
            return [part for part in _brace_list(node.text.decode("utf-8", "replace"))]
        if kind in ("brace_expression", "concatenation"):
            sequence = brace_sequence(node.text.decode("utf-8", "replace"))
            if sequence is not None:
                return list(sequence)
        return [self.value(node, scope)]

    def argv(self, command: Any, scope: Scope) -> list[Value]:
        """The words a `command` node runs: its name and arguments, expanded and split."""
        argv: list[Value] = []
        name = command.child_by_field_name("name")
        if name is not None:
            argv.extend(self.fields(name.named_children[0] if name.named_children else name, scope))
        for index, child in enumerate(command.children):
            if command.field_name_for_child(index) == "argument":
                argv.extend(self.fields(child, scope))
        return argv

    def value(self, node: Any, scope: Scope) -> Value:
        """The single string a node evaluates to (no splitting), or None when dynamic."""
        kind = node.type
        if kind in ("word", "number", "variable_name", "file_descriptor", "regex", "extglob_pattern"):
            return _unescape_word(node_text(node))
        if kind == "raw_string":
            return node_text(node)[1:-1]
        if kind == "ansi_c_string":
            return _ansi_c(node_text(node)[2:-1])
        if kind in ("string", "translated_string"):
            return self._double_quoted(node, scope)
        if kind in ("simple_expansion", "expansion"):
            expanded = self._expansion(node, scope)
            if isinstance(expanded, list):
                return _join(expanded)
            return expanded
        if kind == "concatenation":
            parts = [self.value(child, scope) for child in node.children]
            return None if any(p is None for p in parts) else "".join(p for p in parts if p is not None)
        if kind == "command_substitution":
            return self.substitute(node, scope)
        return None  # arithmetic, process substitution, brace expressions: not evaluated

    # -- internals --------------------------------------------------------------------------
    def _double_quoted(self, node: Any, scope: Scope) -> Value:
        out: list[str] = []
        pos = node.start_byte + (2 if node_text(node).startswith('$"') else 1)
        end = node.end_byte - 1
        for child in node.children:
            if child.start_byte < pos or child.type in ('"', '$"'):
                continue
            if child.start_byte > pos:
                out.append(_unescape_double(self.source[pos:child.start_byte].decode("utf-8", "replace")))
            if child.type == "string_content":
                out.append(_unescape_double(node_text(child)))
            else:
                part = self.value(child, scope)
                if part is None:
                    return None
                out.append(part)
            pos = child.end_byte
        if pos < end:
            out.append(_unescape_double(self.source[pos:end].decode("utf-8", "replace")))
        return "".join(out)

    def _expansion(self, node: Any, scope: Scope) -> Expansion:
        if node.type == "simple_expansion":
            name_node = node.named_children[0] if node.named_children else None
            if name_node is None:
                return None
            return lookup(scope, node_text(name_node), None)
        named = node.named_children
        if not named:
            return None
        operators: list[str] = []
        operands: list[list[Any]] = []
        for index, child in enumerate(node.children):
            if node.field_name_for_child(index) == "operator":
                operators.append(node_text(child))
                operands.append([])
            elif operands and child.is_named:
                operands[-1].append(child)
        first = named[0]
        if operators == ["!"] and first.type == "subscript":
            # `${!T[@]}`: the keys of an associative array (the indexes of a plain one)
            index = first.child_by_field_name("index")
            base = first.child_by_field_name("name")
            bound = scope.variables.get(node_text(base)) if base is not None else None
            if index is not None and node_text(index) in ("@", "*"):
                if isinstance(bound, dict):
                    return list(bound)
                if isinstance(bound, list):
                    return [str(i) for i in range(len(bound))]
            return None
        if not operators:
            return _variable_value(scope, first, self)
        if operators[0] == "#" and first.type in ("subscript", "variable_name") and not operands[0]:
            bound = _variable_value(scope, first, self)
            if isinstance(bound, list):
                return str(len(bound))
            return None if bound is None else str(len(bound))
        bound = _variable_value(scope, first, self)
        scalar = _join(bound) if isinstance(bound, list) else bound
        arguments = [self._operand(nodes, scope) for nodes in operands]
        operator = operators[0]
        is_set = first.type != "variable_name" or node_text(first) in scope.variables or _is_positional_set(scope, first)
        if operator in (":-", "-", ":=", "="):
            use_default = not is_set or (operator.startswith(":") and scalar == "")
            if use_default and not is_set and self.assume is not None and first.type in ("variable_name", "special_variable_name"):
                self.assume(node_text(first), arguments[0])
            if use_default:
                if operator.endswith("=") and first.type == "variable_name":
                    scope.variables[node_text(first)] = arguments[0]
                return arguments[0]
            return scalar
        if operator in (":+", "+"):
            return arguments[0] if is_set and (scalar != "" or operator == "+") else ""
        if scalar is None or any(a is None for a in arguments):
            return None
        transform = _transform(operators, [a or "" for a in arguments])
        if transform is None:
            return None
        if LOOP_TOKEN_RE.search(scalar):
            shape = (operator, *(a or "" for a in arguments))
            return self.derive(scalar, transform, shape) if self.derive is not None else None
        return transform(scalar)

    def _operand(self, nodes: list[Any], scope: Scope) -> Value:
        parts = [self.value(n, scope) for n in nodes]
        return None if any(p is None for p in parts) else "".join(p for p in parts if p is not None)


def _transform(operators: list[str], arguments: list[str]) -> Callable[[str], str] | None:
    """`${x%pat}`, `${x//a/b}`, `${x^^}`, `${x:0:3}` ... as a function of the value."""
    operator = operators[0]
    argument = arguments[0] if arguments else ""
    if operator in ("%", "%%", "#", "##"):
        return lambda value: _trim(value, operator, argument)
    if operator in ("/", "//", "/#", "/%"):
        replacement = arguments[1] if len(arguments) > 1 else ""
        return lambda value: _substitute_pattern(value, operator, argument, replacement)
    if operator in ("^^", "^"):
        return lambda value: value.upper() if operator == "^^" else value[:1].upper() + value[1:]
    if operator in (",,", ","):
        return lambda value: value.lower() if operator == ",," else value[:1].lower() + value[1:]
    if operator == ":" and argument.lstrip("-").isdigit():
        start = int(argument)
        length = int(arguments[1]) if len(arguments) > 1 and arguments[1].isdigit() else None
        return lambda value: value[start:][:length] if length is not None else value[start:]
    return None


def _substitute_pattern(value: str, operator: str, pattern: str, replacement: str) -> str:
    regex = fnmatch.translate(pattern)[4:-3] if pattern else ""  # strip fnmatch's (?s:...)\Z wrapper
    if not regex:
        return value
    if operator == "/#":
        return re.sub("^(?:" + regex + ")", lambda m: replacement, value, count=1)
    if operator == "/%":
        return re.sub("(?:" + regex + ")$", lambda m: replacement, value, count=1)
    return re.sub(regex, lambda m: replacement, value, count=0 if operator == "//" else 1)


def lookup(scope: Scope, name: str, index: str | None) -> Expansion:
    """A variable's value; `$1..$9` from the positional args; script-level unknowns are None."""
    if name.isdigit():
        if name == "0":
            return scope.script_path
        if scope.positional is None:
            return None
        position = int(name) - 1
        return scope.positional[position] if position < len(scope.positional) else ""
    if name in ("@", "*"):
        return list(scope.positional) if scope.positional is not None else None
    if name == "#":
        return str(len(scope.positional)) if scope.positional is not None else None
    if name == "PWD":
        return scope.cwd
    if name == "BASH_SOURCE":
        return scope.script_path
    bound = scope.variables.get(name)
    if isinstance(bound, dict):  # an associative array: `$T` is `${T[0]}`, the element of key 0 (bash manual, "Arrays")
        return list(bound.values()) if index in ("@", "*") else bound.get(index if index is not None else "0", "")
    if index is None:
        if isinstance(bound, list):
            return bound[0] if bound else ""
        return bound
    if index in ("@", "*"):
        return bound if isinstance(bound, list) else ([bound] if name in scope.variables else None)
    if isinstance(bound, list) and index.isdigit():
        position = int(index)
        return bound[position] if position < len(bound) else ""
    return None


def _variable_value(scope: Scope, node: Any, words: WordEvaluator) -> Expansion:
    if node.type == "subscript":
        name_node = node.child_by_field_name("name")
        index_node = node.child_by_field_name("index")
        if name_node is None or index_node is None:
            return None
        bound = scope.variables.get(node_text(name_node))
        if isinstance(bound, dict):  # `${T[$m]}`: a lookup, per iteration when the key is a loop value
            key = words.value(index_node, scope) if node_text(index_node) not in ("@", "*") else None
            if node_text(index_node) in ("@", "*"):
                return list(bound.values())
            if key is None:
                return None
            if LOOP_TOKEN_RE.search(key):
                table = dict(bound)
                return words.derive(key, lambda value: table.get(value) or "", ("lookup", node_text(name_node))) \
                    if words.derive is not None and all(v is not None for v in table.values()) else None
            return bound.get(key, "")
        index = words.value(index_node, scope)
        return lookup(scope, node_text(name_node), index) if index is not None else None
    if node.type in ("variable_name", "special_variable_name"):
        return lookup(scope, node_text(node), None)
    return None


def _is_positional_set(scope: Scope, node: Any) -> bool:
    name = node_text(node)
    if not name.isdigit() or scope.positional is None:
        return False
    return name == "0" or int(name) <= len(scope.positional)


def _is_single_array_expansion(node: Any) -> bool:
    """`"${arr[@]}"` and `"$@"`: each element stays one field (bash manual, "Special Parameters")."""
    named = node.named_children
    if len(named) != 1 or node_text(node) != '"' + node_text(named[0]) + '"':
        return False
    inner = node_text(named[0])
    if named[0].type == "simple_expansion":
        return inner == "$@"
    return named[0].type == "expansion" and ("[@]" in inner or inner == "${@}")


def _is_brace_list(node: Any) -> bool:
    text = node_text(node)
    return bool(re.fullmatch(r"[^{}$`\"']*\{[^{}$`\"' ]*,[^{}$`\"' ]*\}[^{}$`\"']*", text))


def _brace_list(text: str) -> list[Value]:
    match = re.fullmatch(r"([^{]*)\{([^}]*)\}(.*)", text)
    if match is None:
        return [text]
    head, body, tail = match.groups()
    return [head + item + tail for item in body.split(",")]


# bash brace sequences (`{1..5}`, `{01..10..2}`, `{a..e}`), expanded as bash does
_SEQUENCE_RE = re.compile(r"([^{}$`\"' ]*)\{(-?\d+|[A-Za-z])\.\.(-?\d+|[A-Za-z])(?:\.\.(-?\d+))?\}([^{}$`\"' ]*)")
MAX_SEQUENCE = 512


def brace_sequence(text: str) -> list[str] | None:
    """bash's `{1..5}`, `{01..10..2}`, `{a..e}` with a literal prefix/suffix; None for anything else.

    As bash: the step's sign is ignored (the direction comes from the ends), a zero-padded end pads
    every number to the widest end, and letters walk the ASCII table."""
    match = _SEQUENCE_RE.fullmatch(text)
    if match is None:
        return None
    head, start, end, step_text, tail = match.groups()
    step = abs(int(step_text)) if step_text else 1
    step = step or 1
    if start.lstrip("-").isdigit() != end.lstrip("-").isdigit():
        return None
    if start.lstrip("-").isdigit():
        first, last = int(start), int(end)
        padded = any(len(e.lstrip("-")) > 1 and e.lstrip("-").startswith("0") for e in (start, end))
        width = max(len(start), len(end)) if padded else 0
        items = [f"{n:0{width}d}" if width else str(n)
                 for n in range(first, last + (1 if last >= first else -1), step if last >= first else -step)]
    else:
        if start.isupper() != end.isupper():
            return None  # bash walks ASCII between cases too (`[`, `\\`, …), which no script means
        first, last = ord(start), ord(end)
        items = [chr(c) for c in range(first, last + (1 if last >= first else -1), step if last >= first else -step)]
    if len(items) > MAX_SEQUENCE:
        return None
    return [f"{head}{item}{tail}" for item in items]


def _split(value: Value) -> list[Value]:
    """Unquoted expansion: bash splits on IFS whitespace (empty result gives no field)."""
    if value is None:
        return [None]
    return list[Value](value.split())


def _join(values: list[Value]) -> Value:
    if any(v is None for v in values):
        return None
    return " ".join(v for v in values if v is not None)


def _trim(value: str, operator: str, pattern: str) -> str:
    candidates = range(len(value) + 1)
    if operator in ("%", "%%"):
        order = candidates if operator == "%%" else reversed(candidates)
        for cut in order:
            if fnmatch.fnmatchcase(value[cut:], pattern):
                return value[:cut]
        return value
    order = reversed(candidates) if operator == "##" else candidates
    for cut in order:
        if fnmatch.fnmatchcase(value[:cut], pattern):
            return value[cut:]
    return value


def node_text(node: Any) -> str:
    """A node's source text (tree-sitter keeps bytes)."""
    return str(node.text.decode("utf-8", "replace"))


def _unescape_word(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text.replace("\\\n", ""))


def _unescape_double(text: str) -> str:
    # Inside "...", a backslash only escapes $ ` " \ and newline (bash manual, "Double Quotes").
    return re.sub(r"\\([$`\"\\\n])", lambda m: "" if m.group(1) == "\n" else m.group(1), text)


def _ansi_c(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ANSI_ESCAPES.get(m.group(1), "\\" + m.group(1)), text)
