"""tree-sitter-rust helpers: parse a file, find items, decode literals, read attribute token trees.

Attribute arguments and macro bodies are token trees to tree-sitter (Rust parses them only after expansion);
`attribute_args` reads the flat `key = value, flag, name(...)` shape clap and cfg use, and `expand_rows` does the
one kind of `macro_rules!` expansion genai relies on (a table of rows fed to `$( ... )*` repetitions).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from aip_facts import ExtractionError

Node = Any  # tree_sitter.Node (the bindings ship no stubs we can rely on)


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_rust

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_rust.language()))


def parse(source: str | bytes) -> Node:
    data = source.encode("utf-8") if isinstance(source, str) else source
    return _parser().parse(data).root_node


def text(node: Node) -> str:
    return bytes(node.text).decode("utf-8")


def walk(node: Node, *, skip_tests: bool = True) -> Iterator[Node]:
    """Pre-order walk; `#[cfg(test)]` items are skipped (their asserts are read separately)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        children = list(current.named_children)
        if skip_tests:
            children = [child for child in children if not is_cfg_test(child)]
        stack.extend(reversed(children))


def is_cfg_test(node: Node) -> bool:
    return node.type in ("mod_item", "function_item", "impl_item") and any(
        re.fullmatch(r"#\[cfg\(test\)\]", text(attribute).replace(" ", "")) for attribute in attributes_of(node))


def attributes_of(node: Node) -> list[Node]:
    """The `#[...]` items of `node`: its preceding siblings, or its own children (match arms hold theirs)."""
    found: list[Node] = [child for child in node.named_children if child.type == "attribute_item"]
    if found:
        return found
    sibling = node.prev_named_sibling
    while sibling is not None and sibling.type in ("attribute_item", "line_comment", "block_comment"):
        if sibling.type == "attribute_item":
            found.append(sibling)
        sibling = sibling.prev_named_sibling
    return list(reversed(found))


def functions(root: Node, name: str, *, skip_tests: bool = True) -> list[Node]:
    return [node for node in walk(root, skip_tests=skip_tests)
            if node.type == "function_item" and text(node.child_by_field_name("name")) == name]


def one_function(root: Node, name: str, fact: str) -> Node:
    found = functions(root, name)
    if len(found) != 1:
        raise ExtractionError(f"{fact}: expected one `fn {name}`, found {len(found)}")
    return found[0]


def items(root: Node, kind: str, name: str) -> list[Node]:
    return [node for node in walk(root) if node.type == kind
            and node.child_by_field_name("name") is not None and text(node.child_by_field_name("name")) == name]


# ---- literals ----------------------------------------------------------------------------------------------

_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}


def string_value(node: Node) -> str:
    """The value of a Rust string literal (escapes and `\\`-newline continuations applied)."""
    if node.type == "raw_string_literal":
        raw = text(node)
        return raw[raw.index('"') + 1: raw.rindex('"')]
    if node.type != "string_literal":
        raise ExtractionError(f"expected a string literal, found `{text(node)}`")
    raw = text(node)
    return unescape(raw[raw.index('"') + 1: -1])


def unescape(body: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        following = body[index + 1]
        if following == "\n":  # line continuation: skip the newline and the next line's leading whitespace
            index += 2
            while index < len(body) and body[index] in " \t\n\r":
                index += 1
        elif following == "u":
            close = body.index("}", index)
            out.append(chr(int(body[index + 3: close].replace("_", ""), 16)))
            index = close + 1
        elif following == "x":
            out.append(chr(int(body[index + 2: index + 4], 16)))
            index += 4
        else:
            out.append(_SIMPLE_ESCAPES[following])
            index += 2
    return "".join(out)


def char_value(node: Node) -> str:
    raw = text(node)
    return unescape(raw[1:-1])


def literal_value(node: Node) -> Any:
    """A literal token in a token tree: string, char, bool, integer, or a `[...]` list of those."""
    if node.type in ("string_literal", "raw_string_literal"):
        return string_value(node)
    if node.type == "char_literal":
        return char_value(node)
    if node.type == "boolean_literal":
        return text(node) == "true"
    if node.type == "integer_literal":
        return int(text(node).replace("_", ""))
    if node.type == "token_tree" and text(node).startswith("["):
        return [literal_value(child) for child in node.named_children]
    raise ExtractionError(f"not a literal: `{text(node)}`")


# ---- attribute token trees ---------------------------------------------------------------------------------


def attribute_name_and_args(attribute_item: Node) -> tuple[str, Node | None]:
    attribute = next(child for child in attribute_item.named_children if child.type == "attribute")
    path = attribute.named_children[0]
    args = next((child for child in attribute.named_children if child.type == "token_tree"), None)
    return text(path), args


def attribute_args(token_tree: Node | None) -> list[tuple[str, list[Node]]]:
    """`(short = 'i', long = "input", hide, value_parser = ["a"])` -> [(key, value tokens)], in order.

    A bare `flag` has no value tokens; `name(...)` keeps its token tree as the single value token."""
    if token_tree is None:
        return []
    tokens = list(token_tree.children)[1:-1]  # drop the delimiters
    groups: list[list[Node]] = [[]]
    for token in tokens:
        if token.type == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    out: list[tuple[str, list[Node]]] = []
    for group in groups:
        if not group:
            continue
        key = text(group[0])
        rest = group[1:]
        if rest and rest[0].type == "=":
            rest = rest[1:]
        out.append((key, rest))
    return out


# ---- the one macro_rules! shape genai uses -------------------------------------------------------------------


def expand_rows(macro_body: str, fragments: list[str], rows: list[list[str]]) -> str:
    """Expand every `$( ... )*` / `$( ... ),*` repetition of `macro_body` once per row, `$fragment` -> value;
    `$`-free text is kept. Enough for genai's `adapter_kind_str_maps!`, whose body repeats over one table."""
    out: list[str] = []
    index = 0
    while index < len(macro_body):
        start = macro_body.find("$(", index)
        if start < 0:
            out.append(macro_body[index:])
            break
        out.append(macro_body[index:start])
        close = _matching_paren(macro_body, start + 1)
        inner = macro_body[start + 2: close]
        separator_end = close + 1
        while separator_end < len(macro_body) and macro_body[separator_end] not in "*+?":
            separator_end += 1
        separator = macro_body[close + 1: separator_end].strip()
        expanded = []
        for row in rows:
            piece = inner
            for name, value in sorted(zip(fragments, row), key=lambda pair: -len(pair[0])):
                piece = piece.replace(f"${name}", value)
            expanded.append(piece)
        out.append(f"{separator} ".join(expanded))
        index = separator_end + 1
    result = "".join(out)
    if "$" in result.replace("\"$", ""):
        leftover = re.search(r"\$\w+", result)
        if leftover:
            raise ExtractionError(f"macro expansion left `{leftover.group(0)}` unbound")
    return result


def _matching_paren(source: str, open_index: int) -> int:
    depth = 0
    for index in range(open_index, len(source)):
        if source[index] == "(":
            depth += 1
        elif source[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ExtractionError("unbalanced macro repetition")
