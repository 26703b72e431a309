"""Static scope analysis of aip prompt templates (Handlebars, handlebars-rust 6 dialect).

aip renders every prompt part against one root object whose keys depend on the release (spec
§3.5): `data` always, `input` from 0.6.14 (`A:src/run/run_input.rs@926cc34e`), `before_all` from
0.7.15 (`A:src/run/proc_ai.rs@a64c2fe1`). Strict mode is off, so an unknown name renders as an
empty string: this module finds those names without rendering. It also finds helper and partial
calls, since aip registers none (`A:src/support/hbs.rs@952ad06e`) and those fail at render time.

It is a scanner, not a parser: syntax errors are the job of `aipack_compat.template.check_syntax`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aipack_compat.model.agent import parse_aip_version
from aipack_compat.model.eras import BEFORE_ALL_TEMPLATE_ROOT, INPUT_TEMPLATE_ROOT

# handlebars-rust 6 built-ins (`src/helpers/mod.rs`): block helpers and the default-feature inline ones.
BUILTIN_HELPERS = frozenset(
    {"if", "unless", "each", "with", "lookup", "raw", "log", "eq", "ne", "gt", "gte", "lt", "lte", "and", "or", "not", "len"}
)
_CONTEXT_CHANGING = frozenset({"each", "with"})
_LITERALS = frozenset({"true", "false", "null", "undefined"})
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<open>\()
      | (?P<close>\))
      | (?P<params>as\s*\|[^|]*\|)
      | (?P<hash>[A-Za-z_@][\w-]*=)
      | (?P<word>[^\s()=|]+)
    )""",
    re.VERBOSE,
)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


@dataclass(frozen=True, slots=True)
class TemplateFinding:
    kind: str  # "undefined" | "helper" | "partial"
    name: str
    line: int  # 1-based line in the template
    column: int  # 1-based


def root_variables(aip_version: str) -> frozenset[str]:
    version = parse_aip_version(aip_version)
    names = {"data"}
    if version >= INPUT_TEMPLATE_ROOT:
        names.add("input")
    if version >= BEFORE_ALL_TEMPLATE_ROOT:
        names.add("before_all")
    return frozenset(names)


@dataclass(slots=True)
class _Frame:
    helper: str
    params: frozenset[str]


def scan_template(template: str, aip_version: str) -> list[TemplateFinding]:
    """Names used at the template root that the version does not provide, and helper/partial calls."""
    if "{{" not in template:
        return []
    roots = root_variables(aip_version)
    findings: list[TemplateFinding] = []
    stack: list[_Frame] = []
    position = 0
    while True:
        start = template.find("{{", position)
        if start == -1:
            break
        if start > 0 and template[start - 1] == "\\":
            position = start + 2  # `\{{` is a literal
            continue
        if template.startswith("{{{{", start):
            position = _skip_raw_block(template, start)
            continue
        if template.startswith("{{!--", start) or template.startswith("{{~!--", start):
            end = template.find("--", template.find("!--", start) + 3)
            end = template.find("}}", end) if end != -1 else -1
            position = len(template) if end == -1 else end + 2
            continue
        triple = template.startswith("{{{", start)
        end = template.find("}}}" if triple else "}}", start)
        if end == -1:
            break
        body = template[start + (3 if triple else 2) : end].strip().strip("~").strip()
        position = end + (3 if triple else 2)
        line = template.count("\n", 0, start) + 1
        column = start - (template.rfind("\n", 0, start) + 1) + 1
        _scan_expression(body, line, column, roots, stack, findings)
    return findings


def _skip_raw_block(template: str, start: int) -> int:
    end = template.find("}}}}", start)
    if end == -1:
        return len(template)
    name = template[start + 4 : end].strip().split(" ")[0]
    closing = template.find("{{{{/" + name, end)
    if closing == -1:
        return len(template)
    finish = template.find("}}}}", closing)
    return len(template) if finish == -1 else finish + 4


def _scan_expression(
    body: str, line: int, column: int, roots: frozenset[str], stack: list[_Frame], findings: list[TemplateFinding]
) -> None:
    if not body or body.startswith("!"):
        return
    if body.startswith("/"):
        if stack:
            stack.pop()
        return
    if body.startswith(">") or body.startswith("#>"):
        name = body.lstrip("#>").strip().split(" ")[0]
        findings.append(TemplateFinding("partial", name, line, column))
        return
    if body.startswith("#*") or body.startswith("*"):
        return  # decorators
    block = body.startswith("#")
    if block or body.startswith("^") or body.startswith("&"):
        body = body[1:].strip()
    if body == "else" or body.startswith("else "):
        body = body[4:].strip()  # `{{else if x}}` chains into the open block
        if not body:
            return
    tokens = _tokens(body)
    if not tokens:
        return
    head, rest = tokens[0], tokens[1:]
    block_params = frozenset(name for token in rest if token.startswith("as ") for name in _block_params(token))
    if block or rest:
        if head not in BUILTIN_HELPERS:
            findings.append(TemplateFinding("helper", head, line, column))
        arguments = [token for token in rest if not token.startswith("as ")]
    else:
        arguments = [head]
    for token in arguments:
        if token.startswith("helper:"):
            if token[7:] not in BUILTIN_HELPERS:
                findings.append(TemplateFinding("helper", token[7:], line, column))
            continue
        undefined = _undefined_root(token, roots, stack)
        if undefined is not None:
            findings.append(TemplateFinding("undefined", undefined, line, column))
    if block:
        stack.append(_Frame(head, block_params))


def _tokens(body: str) -> list[str]:
    tokens: list[str] = []
    after_open = False
    for match in _TOKEN.finditer(body):
        kind = match.lastgroup
        if kind == "params":
            tokens.append("as " + match.group(kind)[2:].strip())
        elif kind == "word":
            # the first word of a subexpression `(name args…)` is a helper call
            tokens.append(("helper:" if after_open else "") + match.group(kind))
        after_open = kind == "open"
        # strings, parentheses and `key=` markers carry no variable of their own
    return tokens


def _block_params(token: str) -> list[str]:
    return token[3:].strip().strip("|").split()


def _undefined_root(token: str, roots: frozenset[str], stack: list[_Frame]) -> str | None:
    if token in _LITERALS or _NUMBER.match(token) or token.endswith("="):
        return None
    if token.startswith("@"):
        if token.startswith("@root.") or token.startswith("@root/"):
            head = _head(token[6:])
            return None if not head or head in roots else head
        return None  # @index, @key, @first, @last, @level
    if token.startswith("../"):
        return None
    explicit_this = token in ("this", ".") or token.startswith(("this.", "this/", "./"))
    path = token.split(".", 1)[1] if token.startswith("this.") else token[2:] if token.startswith("./") else token
    if explicit_this and token in ("this", "."):
        return None
    head = _head(path)
    if not head:
        return None
    if any(head in frame.params for frame in stack):
        return None
    if any(frame.helper in _CONTEXT_CHANGING for frame in stack):
        return None  # inside each/with the context is a value we cannot see statically
    if head in BUILTIN_HELPERS:
        return None
    return None if head in roots else head


def _head(path: str) -> str:
    head = re.split(r"[./]", path, maxsplit=1)[0]
    return head[1:-1] if head.startswith("[") and head.endswith("]") else head
