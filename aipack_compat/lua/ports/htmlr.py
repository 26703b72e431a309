"""What aip gets from the `htmlr` crate (0.1.6: `scraper`/html5ever for parsing, `htmd` for
Markdown) for aip.html and the aip.file HTML helpers: the parsed tree, `select`, `slim`, `to_md`.

We parse with html5lib through BeautifulSoup: the same WHATWG tree-building algorithm as
html5ever, so implied `<html>/<head>/<body>`, auto-closed `<p>`/`<li>` and misnested tags come out
as in aip. `select` (CSS via soupsieve) and `slim` mirror htmlr's code step by step and match it
on ordinary pages. Hand-written: no Python library slims a page as htmlr does. bs4/html5lib are
imported on first use only.
"""

from __future__ import annotations

import json
from typing import Any

from aipack_compat.lua.ports.htmd import convert

# `htmlr@88d6303:src/slim/support.rs` (htmlr 0.1.6)
_TAGS_TO_REMOVE = frozenset({"script", "link", "style", "svg", "base"})
_REMOVABLE_EMPTY_TAGS = frozenset(
    {"div", "span", "p", "i", "b", "em", "strong", "section", "article", "header", "footer", "nav", "aside"}
)
_META_PROPERTY_KEYWORDS = ("title", "url", "image", "description")
_ALLOWED_META_ATTRS = ("property", "content")
_ALLOWED_BODY_ATTRS = ("class", "aria-label", "href", "title", "id")
_BLOCK_LEVEL_TAGS = frozenset(
    "html head body a div p section article header footer nav aside ul ol li table tr td th h1 h2 h3 h4 h5 h6 "
    "pre blockquote main form fieldset details summary figure figcaption dl dt dd br hr img input meta link "
    "script style title".split()
)
VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta param source track wbr keygen".split())
_RAW_TEXT_ELEMENTS = frozenset({"style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext"})
SLIM_INDENT = 2  # aip's `SlimOptions::default().with_indent(2)`
ELEM_TRIMMED_SINCE = (0, 8, 4)  # CHANGELOG 0.8.4: text/inner_html trimmed, attrs only when not empty


class SelectorError(ValueError):
    """A CSS selector soupsieve rejects; str() is aip's `Cannot apply selector ...` text."""


def parse_document(html: str) -> Any:
    """A BeautifulSoup tree built by html5lib; attribute values stay plain strings."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html5lib", multi_valued_attributes=None)


def _kind(node: Any) -> str:
    from bs4 import Comment, Doctype, NavigableString, Tag

    if isinstance(node, Tag):
        return "element"
    if isinstance(node, Doctype):
        return "doctype"
    if isinstance(node, Comment):
        return "comment"
    if isinstance(node, NavigableString):
        return "text"
    return "other"


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("\u00a0", "&nbsp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace("\u00a0", "&nbsp;").replace('"', "&quot;")


def _sorted_attrs(element: Any) -> list[tuple[str, str]]:
    # scraper keeps an element's attributes sorted by name (its binary-searched `Attributes`).
    return sorted((str(name), str(value)) for name, value in element.attrs.items())


def serialize_children(element: Any) -> str:
    """html5ever's serializer (`ElementRef::inner_html`): HTML syntax, escaped text and attributes."""
    out: list[str] = []
    stack: list[tuple[Any, bool]] = [(child, False) for child in reversed(list(element.children))]
    while stack:
        node, closing = stack.pop()
        kind = _kind(node)
        if closing:
            out.append(f"</{node.name}>")
        elif kind == "element":
            attrs = "".join(f' {name}="{_escape_attribute(value)}"' for name, value in _sorted_attrs(node))
            out.append(f"<{node.name}{attrs}>")
            if node.name in VOID_ELEMENTS:
                continue
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(list(node.children)))
        elif kind == "text":
            parent = node.parent.name if node.parent is not None else ""
            out.append(str(node) if parent in _RAW_TEXT_ELEMENTS or parent == "noscript" else _escape_text(str(node)))
        elif kind == "comment":
            out.append(f"<!--{node}-->")
        elif kind == "doctype":
            out.append(f"<!DOCTYPE {node}>")
    return "".join(out)


def _text_of(element: Any) -> str:
    """scraper's `ElementRef::text()`: every descendant text node, script and style included."""
    return "".join(str(node) for node in element.descendants if _kind(node) == "text")


def element_table(element: Any, version: tuple[int, int, int]) -> dict[str, Any]:
    """`impl IntoLua for W<Elem>`; absent values are left out (nil), as `table.set(k, None)` does."""
    text, inner_html = _text_of(element), serialize_children(element)
    trimmed = version >= ELEM_TRIMMED_SINCE
    attrs = {str(name): str(value) for name, value in element.attrs.items()}
    table: dict[str, Any] = {"tag": element.name}
    if attrs or not trimmed:
        table["attrs"] = attrs
    if text.strip():
        table["text"] = text.strip() if trimmed else text
    if inner_html.strip():
        table["inner_html"] = inner_html.strip() if trimmed else inner_html
    return table


def select_elements(html: str, selectors: list[str], version: tuple[int, int, int] = (99, 0, 0)) -> list[dict[str, Any]]:
    """htmlr `select`: the non-empty selectors joined with `,`, matches in document order."""
    joined = ",".join(selector.strip() for selector in selectors if selector.strip())
    if not joined:
        return []
    import soupsieve

    try:
        compiled = soupsieve.compile(joined)
    except (soupsieve.SelectorSyntaxError, ValueError, TypeError) as exc:
        listed = "[" + ", ".join(json.dumps(selector, ensure_ascii=False) for selector in selectors) + "]"
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SelectorError(f"Cannot apply selector '{listed}'.\nCause: Selector '{joined}' is invalid: {first_line}") from None
    return [element_table(element, version) for element in compiled.select(parse_document(html))]


def slim_html(html: str) -> str:
    """htmlr 0.1.6 `slim(html, SlimOptions::default().with_indent(2))`, step for step."""
    document = parse_document(html)
    output = "".join(_slim_node(child, False, 0) for child in document.children)
    return "\n".join(line for line in output.splitlines() if line.strip())


def _slim_node(node: Any, in_head: bool, depth: int) -> str:
    kind = _kind(node)
    if kind == "doctype":
        return f"<!DOCTYPE {node}>\n"
    if kind == "text":
        return str(node) if str(node).strip() else ""  # decoded text, written as is (not re-escaped)
    if kind != "element":
        return ""
    tag = node.name
    if tag == "html":  # dropped itself; its children stay at the same depth and context
        return "".join(_slim_node(child, in_head, depth) for child in node.children)
    child_in_head = in_head or tag == "head"
    if (not child_in_head and tag in _TAGS_TO_REMOVE) or tag in {"script", "style", "link", "base", "svg"}:
        return ""
    if in_head and not (tag == "title" or (tag == "meta" and _keep_meta(node))):
        return ""
    is_block = tag in _BLOCK_LEVEL_TAGS
    children = "".join(_slim_node(child, child_in_head, depth + 1 if is_block else depth) for child in node.children)
    empty = not children.strip()
    if (empty and not child_in_head and tag in _REMOVABLE_EMPTY_TAGS) or (tag == "head" and empty):
        return ""
    indent = " " * (depth * SLIM_INDENT)
    allowed = (_ALLOWED_META_ATTRS if tag == "meta" else ()) if child_in_head else _ALLOWED_BODY_ATTRS
    attrs = "".join(
        f' {name}="{_encode_double_quoted(value)}"' for name, value in _sorted_attrs(node) if name in allowed
    )
    out = (f"\n{indent}" if is_block else "") + f"<{tag}{attrs}>" + children
    if tag in VOID_ELEMENTS:
        return out
    if is_block and "\n" in children:
        out += f"\n{indent}"
    return out + f"</{tag}>"


def _encode_double_quoted(value: str) -> str:
    """`html_escape::encode_double_quoted_attribute`: `&`, `<`, `>`, `"`."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _keep_meta(node: Any) -> bool:
    prop = node.attrs.get("property")
    return isinstance(prop, str) and any(keyword in prop.lower() for keyword in _META_PROPERTY_KEYWORDS)


def html_to_md(html: str) -> str:
    """htmlr `to_md`: the document through htmd (`ports/htmd.py`)."""
    return convert(parse_document(html))
