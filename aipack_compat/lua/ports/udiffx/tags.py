"""Extraction of `FILE_CHANGES` envelopes, as the udiffx crate behind `aip.udiffx` does it.

Two syntaxes, by aip era (aip's Cargo.toml pins the crate):
- aip 0.8.12 - 0.8.30 (udiffx 0.1.x / 0.2.x on markex 0.1): XML-like `<FILE_CHANGES>` with
  `<FILE_NEW file_path="..">..</FILE_NEW>`; self-closing `<FILE_DELETE .. />` is expanded to an
  open/close pair first (`U:src/extract.rs@v0.2.2`, `expand_self_closing_tags`).
- aip 0.8.31+ (udiffx 0.3.x on markex 0.3): bracket tags `[[[UDIFFX_FILE_CHANGES]]]`,
  `[[[FILE_NEW file_path=".."]]]..[[[/FILE_NEW]]]`, `]]` accepted as a closing delimiter, native
  self-closing `[[[FILE_DELETE .. /]]]`, and directives auto-closed by the next one
  (`U:src/extract.rs@0.3.1`, `M:src/tag/tag_ref_iter.rs@0.3.0`).
FILE_APPEND exists from udiffx 0.1.24 (aip 0.8.19), FILE_COPY from 0.1.32 (aip 0.8.20); an older
crate does not look for those tags at all. Nothing here raises on any input text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aipack_compat.lua.ports.rust_str import RUST_WHITESPACE, rust_trim

Version = tuple[int, int, int]

BRACKET_TAGS_SINCE: Version = (0, 8, 31)
FILE_APPEND_SINCE: Version = (0, 8, 19)
FILE_COPY_SINCE: Version = (0, 8, 20)

@dataclass(frozen=True, slots=True)
class TagFence:
    open_delim: str
    close_delims: tuple[str, ...]
    native_self_closing: bool
    """markex 0.3 understands `.. /]]]`; markex 0.1 does not (udiffx expands them beforehand)."""


XML_FENCE_MARKEX_01 = TagFence("<", (">",), native_self_closing=False)
BRACKET_FENCE = TagFence("[[[", ("]]]", "]]"), native_self_closing=True)


@dataclass(slots=True)
class TagElement:
    tag: str
    attrs: dict[str, str]
    content: str
    start: int
    end: int
    """Index of the last character of the element (markex's inclusive `end_idx`)."""


@dataclass(slots=True)
class Directive:
    """One file directive (`U:src/file_directives.rs`); `kind` is the tag name, or the failed tag's."""

    kind: str
    file_path: str | None = None
    from_path: str | None = None
    to_path: str | None = None
    content: str = ""
    error_msg: str | None = None
    """Set for a directive that failed to parse (aip reports it with kind `Fail`)."""
    attrs: dict[str, str] = field(default_factory=dict)


def parse_attrs(raw: str) -> dict[str, str]:
    """markex `parse_attrs_ref`: `key="v"`, `key='v'`, `key=v`, bare `key`; an unclosed quote takes the rest."""
    current = rust_trim(raw)
    attrs: dict[str, str] = {}
    while current:
        current = current.lstrip(RUST_WHITESPACE)
        if not current:
            break
        key_end = next((i for i, char in enumerate(current) if char in RUST_WHITESPACE or char == "="), len(current))
        key = current[:key_end]
        current = current[key_end:].lstrip(RUST_WHITESPACE)
        value = ""
        if current.startswith("="):
            current = current[1:].lstrip(RUST_WHITESPACE)
            if current:
                quote = current[0]
                if quote in "\"'":
                    current = current[1:]
                    close = current.find(quote)
                    if close == -1:
                        value, current = current, ""
                    else:
                        value, current = current[:close], current[close + 1 :]
                else:
                    value_end = next((i for i, char in enumerate(current) if char in RUST_WHITESPACE), len(current))
                    value, current = current[:value_end], current[value_end:]
        if key:
            attrs[key] = value
    return attrs


def _earliest(text: str, patterns: tuple[str, ...], start: int = 0) -> tuple[int, int] | None:
    """markex `find_next_match`: earliest occurrence, the longest pattern on a tie -> (index, length)."""
    best: tuple[int, int] | None = None
    for pattern in patterns:
        index = text.find(pattern, start)
        if index == -1:
            continue
        if best is None or index < best[0] or (index == best[0] and len(pattern) > best[1]):
            best = (index, len(pattern))
    return best


class _TagScanner:
    """markex's `TagRefIter` (0.1 behaviour with `XML_FENCE_MARKEX_01`, 0.3 with `BRACKET_FENCE`)."""

    def __init__(self, text: str, names: tuple[str, ...], fence: TagFence, auto_close: bool) -> None:
        self.text = text
        self.fence = fence
        self.auto_close = auto_close
        self.prefixes = [(name, fence.open_delim + name) for name in names]
        self.end_tags = {
            name: tuple(f"{fence.open_delim}/{name}{close}" for close in fence.close_delims) for name in names
        }

    def _valid_after_prefix(self, index: int) -> bool:
        rest = self.text[index:]
        if any(rest.startswith(close) for close in self.fence.close_delims):
            return True
        if self.fence.native_self_closing and rest.startswith("/"):
            return True
        return index < len(self.text) and self.text[index] in " \n\t\r"

    def _next_prefix(self, start: int) -> tuple[int, str] | None:
        """The earliest configured tag prefix at or after `start` (longest name on a tie), validated."""
        position = start
        while position < len(self.text):
            best: tuple[int, str] | None = None
            for name, prefix in self.prefixes:
                index = self.text.find(prefix, position)
                if index != -1 and (best is None or index < best[0] or (index == best[0] and len(name) > len(best[1]))):
                    best = (index, name)
            if best is None:
                return None
            index, name = best
            if self._valid_after_prefix(index + len(self.fence.open_delim) + len(name)):
                return best
            position = index + 1
        return None

    def elements(self) -> list[tuple[int, int, TagElement | None]]:
        """Every element with the text spans between them: (start, end_exclusive, element|None for text)."""
        parts: list[tuple[int, int, TagElement | None]] = []
        position, last_end = 0, 0
        while True:
            element = self._find_element(position)
            if element is None:
                break
            if element.start > last_end:
                parts.append((last_end, element.start, None))
            parts.append((element.start, element.end + 1, element))
            position = last_end = element.end + 1
        if last_end < len(self.text):
            parts.append((last_end, len(self.text), None))
        return parts

    def _find_element(self, position: int) -> TagElement | None:
        text, fence = self.text, self.fence
        found = self._next_prefix(position) if position < len(text) else None
        if found is None:
            return None
        start, name = found
        after_prefix = start + len(fence.open_delim) + len(name)
        open_close = _earliest(text, fence.close_delims, start)
        if open_close is None:
            return None  # an opening tag never closed: markex stops there
        close_start, close_len = open_close
        open_end = close_start + close_len - 1
        body = text[after_prefix:close_start]
        self_closing = fence.native_self_closing and body.endswith("/")
        attrs = parse_attrs(body[:-1].rstrip(RUST_WHITESPACE) if self_closing else body)
        if self_closing:
            return TagElement(name, attrs, "", start, open_end)
        content_start = close_start + close_len
        if content_start >= len(text) and not self.auto_close:
            return None
        close_tag = _earliest(text, self.end_tags[name], content_start)
        if self.auto_close:
            following = self._next_prefix(content_start)
            if following is not None and (close_tag is None or following[0] < close_tag[0]):
                return TagElement(name, attrs, text[open_end + 1 : following[0]], start, following[0] - 1)
            if close_tag is None:
                return TagElement(name, attrs, text[open_end + 1 :], start, len(text) - 1)
        if close_tag is None:
            return None
        end = close_tag[0] + close_tag[1] - 1
        return TagElement(name, attrs, text[open_end + 1 : close_tag[0]], start, end)


def _expand_self_closing_xml(content: str, names: tuple[str, ...]) -> str:
    """udiffx 0.1/0.2 `expand_self_closing_tags`: `<TAG a="b" />` -> `<TAG a="b" ></TAG>`."""
    for name in names:
        search, pattern = 0, f"<{name}"
        while (start := content.find(pattern, search)) != -1:
            end = content.find(">", start)
            if end == -1:
                break
            trimmed = content[:end].rstrip(RUST_WHITESPACE)
            if trimmed.endswith("/"):
                slash = len(trimmed) - 1
                expansion = f"></{name}>"
                content = content[:slash] + expansion + content[end + 1 :]
                search = slash + len(expansion)
            else:
                search = end + 1
    return content


def content_from_raw(raw: str) -> str:
    """udiffx `Content::from_raw`: drop one leading newline, then unwrap one ``` code fence if present."""
    if raw.startswith("\n"):
        raw = raw[1:]
    trimmed_start = raw.lstrip(RUST_WHITESPACE)
    if trimmed_start.startswith("```") and (first_newline := trimmed_start.find("\n")) != -1:
        remaining = trimmed_start[first_newline + 1 :]
        trimmed_end = remaining.rstrip(RUST_WHITESPACE)
        if trimmed_end.endswith("```"):
            last_newline = trimmed_end.rfind("\n")
            if last_newline != -1 and trimmed_end[last_newline + 1 :].lstrip(RUST_WHITESPACE).startswith("```"):
                content = remaining[: last_newline + 1]
                return content[1:] if content.startswith("\n") else content
            if trimmed_end.lstrip(RUST_WHITESPACE).startswith("```"):
                return ""
    return raw


def directive_names(version: Version) -> tuple[str, ...]:
    names = ["FILE_NEW", "FILE_PATCH"]
    if version >= FILE_APPEND_SINCE:
        names.append("FILE_APPEND")
    if version >= FILE_COPY_SINCE:
        names.append("FILE_COPY")
    return (*names, "FILE_RENAME", "FILE_DELETE")


_REQUIRED = {
    "FILE_NEW": ("file_path",),
    "FILE_PATCH": ("file_path",),
    "FILE_APPEND": ("file_path",),
    "FILE_COPY": ("from_path", "to_path"),
    "FILE_RENAME": ("from_path", "to_path"),
    "FILE_DELETE": ("file_path",),
}


def _directive(element: TagElement) -> Directive:
    attrs = element.attrs
    for attr in _REQUIRED[element.tag]:
        if attr not in attrs:
            reported = attrs.get("file_path", attrs.get("to_path", attrs.get("from_path")))
            return Directive(element.tag, file_path=reported, error_msg=f"Missing attribute '{attr}' for tag '{element.tag}'", attrs=attrs)
    if element.tag in ("FILE_COPY", "FILE_RENAME"):
        # DirectiveStatus reports the destination as `file_path` (`U:src/apply_changes_status.rs`).
        return Directive(element.tag, file_path=attrs["to_path"], from_path=attrs["from_path"], to_path=attrs["to_path"], attrs=attrs)
    content = content_from_raw(element.content) if element.tag != "FILE_DELETE" else ""
    return Directive(element.tag, file_path=attrs["file_path"], content=content, attrs=attrs)


def extract_file_changes(text: str, extrude: bool, version: Version) -> tuple[list[Directive], str | None]:
    """udiffx `extract_file_changes`: the directives of the first envelope; with `extrude`, the text
    outside every envelope (markex keeps only the text parts, so later envelopes are dropped too)."""
    bracket = version >= BRACKET_TAGS_SINCE
    fence = BRACKET_FENCE if bracket else XML_FENCE_MARKEX_01
    envelope = "UDIFFX_FILE_CHANGES" if bracket else "FILE_CHANGES"
    parts = _TagScanner(text, (envelope,), fence, auto_close=False).elements()
    envelopes = [element for _, _, element in parts if element is not None]
    remaining = "".join(text[start:end] for start, end, element in parts if element is None) if extrude else None
    if not envelopes:
        return [], remaining
    names = directive_names(version)
    inner = envelopes[0].content
    if not bracket:
        inner = _expand_self_closing_xml(inner, names)
    children = _TagScanner(inner, names, fence, auto_close=bracket).elements()
    return [_directive(element) for _, _, element in children if element is not None], remaining
