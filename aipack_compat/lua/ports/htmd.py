"""HTML -> Markdown after htmd 0.5 (`letmutex/htmd`, the converter inside aip's `htmlr` 0.1.6).

htmlr configures htmd with `-` bullets and one space after list markers (`to_md_options.rs`); the
rest are htmd's defaults: ATX headings, `**bold**`, `*italic*`, inline links, fenced code blocks,
`* * *` rules, two-space line breaks, and the same text escaping (`dom_walker.rs::escape_if_needed`).
This is a port of those rules, not of htmd's whitespace machinery: block spacing and some escapes can
differ from aip's output on unusual markup, which the support check reports (AGT202). A candidate
for a library binding: `htmd-py` binds the htmd crate itself. `convert` takes the tree that
`htmlr.parse_document` builds.
"""

from __future__ import annotations

import re
from typing import Any

_BLOCKS = frozenset(
    "address article aside blockquote body dd details dialog div dl dt fieldset figcaption figure footer form "
    "header hgroup html main nav section summary table tbody thead tfoot tr caption".split()
)
_SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "canvas"})
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
_ATX_HEADING = re.compile(r"^#{1,6}(?:\s|$)")
_ORDERED_ITEM = re.compile(r"^(\d+)\.")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_BLANK_LINE = re.compile(r"\n[ \t]+(?=\n)")


def escape_text(text: str) -> str:
    """htmd's `escape_if_needed`: Markdown punctuation, then line-start markers, then `<tag`."""
    if not text:
        return text
    first = text[0]
    escaped = text
    if first in "=~>-+#" or first.isdigit() or any(char in text for char in "\\*_`[]"):
        escaped = "".join("\\" + char if char in "\\*_`[]" else char for char in text)
        if first in "=~>":
            escaped = "\\" + escaped
        elif first in "-+" and escaped[1:2] == " ":
            escaped = "\\" + escaped
        elif first == "#" and _ATX_HEADING.match(escaped):
            escaped = "\\" + escaped
        elif first.isdigit() and (match := _ORDERED_ITEM.match(escaped)):
            escaped = escaped[: match.end() - 1] + "\\." + escaped[match.end() :]
    return re.sub(r"<(?=[A-Za-z/!?])", r"\\<", escaped)


class _Converter:
    def __init__(self) -> None:
        from bs4 import Comment, NavigableString, Tag

        self._tag, self._comment, self._text = Tag, Comment, NavigableString

    def children(self, node: Any, pre: bool = False) -> str:
        """htmd's `walk_children`: no leading spaces at a line start, none doubled, none before a block."""
        out = ""
        for child in node.children:
            piece = self.node(child, pre)
            if not piece:
                continue
            if not pre:
                if not out or out.endswith("\n") or (out.endswith(" ") and piece.startswith(" ")):
                    piece = piece.lstrip(" ")
                if piece.startswith("\n") and not out.endswith("  \n"):
                    out = out.rstrip(" ")
            out += piece
        return out

    def node(self, node: Any, pre: bool = False) -> str:
        if isinstance(node, self._tag):
            return self.element(node, pre)
        if isinstance(node, self._comment) or not isinstance(node, self._text) or type(node) is not self._text:
            return ""
        text = str(node)
        return text if pre else escape_text(_WHITESPACE.sub(" ", text))

    def element(self, element: Any, pre: bool) -> str:
        tag = element.name
        if tag in _SKIPPED:
            return ""
        if pre:
            return self.children(element, pre=True)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            content = self.children(element).strip()
            return f"\n\n{'#' * int(tag[1])} {content}\n\n" if content else ""
        if tag == "p":
            content = self.children(element).strip()
            return f"\n\n{content}\n\n" if content else ""
        if tag in ("strong", "b"):
            return _emphasis(self.children(element), "**")
        if tag in ("em", "i"):
            return _emphasis(self.children(element), "*")
        if tag == "a":
            return self.anchor(element)
        if tag == "img":
            return self.image(element)
        if tag == "code":
            return _inline_code(element.get_text())
        if tag == "pre":
            return self.preformatted(element)
        if tag == "br":
            return "  \n"
        if tag == "hr":
            return "\n\n* * *\n\n"
        if tag in ("ul", "ol"):
            return self.list(element)
        if tag == "li":
            return self.list_item(element, "- ")
        if tag == "blockquote":
            content = _MANY_NEWLINES.sub("\n\n", self.children(element)).strip("\n")
            quoted = "\n".join(f"> {line}" if line else ">" for line in content.split("\n"))
            return f"\n\n{quoted}\n\n" if content.strip() else ""
        if tag == "table":
            return self.table(element)
        content = self.children(element)
        if tag in _BLOCKS:
            return f"\n\n{content.strip(' ' + chr(10))}\n\n" if content.strip() else ""
        return content

    def anchor(self, element: Any) -> str:
        content = self.children(element).strip()
        href = element.get("href")
        if href is None:
            return content
        link = str(href).replace("(", "\\(").replace(")", "\\)")
        if " " in link:
            link = f"<{link}>"
        title = element.get("title")
        suffix = f' "{_one_line(str(title))}"' if title else ""
        return f"[{content}]({link}{suffix})"

    def image(self, element: Any) -> str:
        src = element.get("src")
        if src is None:
            return ""
        link = str(src).replace("(", "\\(").replace(")", "\\)")
        spaced = " " in link
        alt = _one_line(str(element.get("alt", "")))
        title = element.get("title")
        suffix = f' "{_one_line(str(title))}"' if title else ""
        return f"![{alt}]({'<' if spaced else ''}{link}{suffix}{'>' if spaced else ''})"

    def preformatted(self, element: Any) -> str:
        children = [child for child in element.children if not (isinstance(child, self._text) and not str(child).strip())]
        if len(children) == 1 and isinstance(children[0], self._tag) and children[0].name == "code":
            code = children[0]
            content = code.get_text().removesuffix("\n")
            language = _language(code) or _language(element) or ""
            fence = "`" * max(3, _longest_run(content, "`") + 1)
            return f"\n\n{fence}{language}\n{content}\n{fence}\n\n"
        return f"\n\n{self.children(element, pre=True).strip(chr(10))}\n\n"

    def list(self, element: Any) -> str:
        ordered = element.name == "ol"
        number = _start(element) if ordered else 1
        items: list[str] = []
        for child in element.children:
            if isinstance(child, self._tag) and child.name == "li":
                marker = f"{number}. " if ordered else "- "
                number += 1
                items.append(self.list_item(child, marker).strip("\n"))
            else:
                text = self.node(child).strip()
                if text:
                    items.append(text)
        body = "\n".join(items)
        if not body.strip():
            return ""
        nested = element.parent is not None and element.parent.name == "li"
        return f"\n{body}\n" if nested else f"\n\n{body}\n\n"

    def list_item(self, element: Any, marker: str) -> str:
        content = _MANY_NEWLINES.sub("\n\n", self.children(element)).strip()
        lines = content.split("\n")
        pad = " " * len(marker)
        indented = [lines[0]] + [f"{pad}{line}" if line else "" for line in lines[1:]]
        return f"\n{marker}{chr(10).join(indented)}\n"

    def table(self, element: Any) -> str:
        rows: list[list[str]] = []
        for row in element.find_all("tr"):
            cells = [
                self.children(cell).strip().replace("\n", " ").replace("|", "\\|")
                for cell in row.find_all(["td", "th"], recursive=False)
            ]
            if cells:
                rows.append(cells)
        if not rows:
            return ""
        width = max(len(row) for row in rows)
        lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in rows]
        lines.insert(1, "|" + "|".join([" --- "] * width) + "|")
        return "\n\n" + "\n".join(lines) + "\n\n"


def _emphasis(content: str, marker: str) -> str:
    stripped = content.strip()
    if not stripped:
        return content if content and not content.strip(" ") else ""
    leading = content[: len(content) - len(content.lstrip())]
    trailing = content[len(content.rstrip()) :]
    return f"{leading}{marker}{stripped}{marker}{trailing}"


def _inline_code(text: str) -> str:
    text = _WHITESPACE.sub(" ", text)
    if not text:
        return ""
    fence = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(re.escape(char) + "+", text)
    return max((len(run) for run in runs), default=0)


def _language(element: Any) -> str | None:
    for name in str(element.get("class") or "").split():
        for prefix in ("language-", "lang-"):
            if name.startswith(prefix) and len(name) > len(prefix):
                return name[len(prefix) :]
    return None


def _start(element: Any) -> int:
    try:
        return int(str(element.get("start", "1")).strip())
    except ValueError:
        return 1


def _one_line(text: str) -> str:
    return "\n".join(line.strip().replace('"', '\\"') for line in text.splitlines() if line.strip())


def convert(document: Any) -> str:
    """The Markdown for a parsed document; blank-line runs collapsed, outer newlines trimmed."""
    markdown = _BLANK_LINE.sub("\n\n", _Converter().children(document))
    return _MANY_NEWLINES.sub("\n\n", markdown).strip("\n").rstrip()
