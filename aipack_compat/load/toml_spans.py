"""TOML text -> data (stdlib `tomllib`) + an index of where every key and value sits.

`tomllib` gives the data but no positions, so a small scanner walks the same text and records,
for every dotted key path, the span of the key and of its value. The scanner understands table
headers, array tables, dotted keys, inline tables, arrays and all four string forms; anything it
cannot follow it skips to the end of the line. It also finds duplicate keys/tables with both
locations (tomllib only names the second one). `parse_toml` never raises, on any input.

Paths are tuples: `("options", "model_aliases", "fast")`; an array-of-tables element or an
array item adds its integer index: `("packs", 0, "name")`.
Spans are `model.location.Location`s with path "": the caller knows which file the text came from.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from aipack_compat.model.location import Location

TomlPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOMLLIB_LOCATION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOMLLIB_END = re.compile(r"\s*\(at end of document\)\s*$")


@dataclass(frozen=True, slots=True)
class KeySpans:
    key: Location
    value: Location | None  # None for `[table]` headers


@dataclass(frozen=True, slots=True)
class TomlSyntaxError:
    message: str  # tomllib's message without the "(at line …)" suffix
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    path: TomlPath
    span: Location  # the second definition
    first: Location  # the first one


@dataclass(frozen=True, slots=True)
class TomlDocument:
    data: dict[str, Any] | None  # None when the text is not valid TOML
    spans: dict[TomlPath, KeySpans] = field(default_factory=dict)
    error: TomlSyntaxError | None = None
    duplicates: tuple[DuplicateKey, ...] = ()

    def key_span(self, path: TomlPath) -> Location | None:
        entry = self.spans.get(path)
        return entry.key if entry else None

    def value_span(self, path: TomlPath) -> Location | None:
        entry = self.spans.get(path)
        return (entry.value or entry.key) if entry else None

    def nearest(self, path: TomlPath) -> Location | None:
        """The span of `path`, or of its closest recorded ancestor (for keys tomllib built implicitly)."""
        for size in range(len(path), 0, -1):
            entry = self.spans.get(path[:size])
            if entry:
                return entry.key
        return None


def parse_toml(text: str, line_offset: int = 0) -> TomlDocument:
    """Parse `text`; spans are shifted by `line_offset` lines (for TOML embedded in another file)."""
    data: dict[str, Any] | None
    error: TomlSyntaxError | None = None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        data = None
        error = _syntax_error(str(exc), text, line_offset)
    except Exception as exc:  # tomllib is robust, but a crash here must stay data too
        data = None
        error = TomlSyntaxError(f"{type(exc).__name__}: {exc}", 1 + line_offset, 1)
    scanner = _Scanner(text)
    try:
        scanner.scan()
    except Exception:  # best effort: keep what was indexed before the scanner got lost
        pass
    spans = scanner.spans
    duplicates = scanner.duplicates
    if line_offset:
        spans = {p: KeySpans(s.key.shifted(line_offset), s.value.shifted(line_offset) if s.value else None)
                 for p, s in spans.items()}
        duplicates = [DuplicateKey(d.path, d.span.shifted(line_offset), d.first.shifted(line_offset))
                      for d in duplicates]
    return TomlDocument(data, spans, error, tuple(duplicates))


def _syntax_error(message: str, text: str, line_offset: int) -> TomlSyntaxError:
    where = _TOMLLIB_LOCATION.search(message)
    if where:
        return TomlSyntaxError(message[: where.start()], int(where.group(1)) + line_offset, int(where.group(2)))
    end = _TOMLLIB_END.search(message)
    if end:
        lines = text.split("\n")
        return TomlSyntaxError(message[: end.start()], len(lines) + line_offset, len(lines[-1]) + 1)
    return TomlSyntaxError(message, 1 + line_offset, 1)


class _Scanner:
    """A forgiving single pass over TOML text that records positions (it validates nothing)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.line_start = 0
        self.spans: dict[TomlPath, KeySpans] = {}
        self.duplicates: list[DuplicateKey] = []
        self.defined: dict[TomlPath, Location] = {}  # explicitly defined keys and [tables]
        self.array_counts: dict[TomlPath, int] = {}

    # -- position helpers -------------------------------------------------------------
    def col(self) -> int:
        return self.pos - self.line_start + 1

    def peek(self, size: int = 1) -> str:
        return self.text[self.pos : self.pos + size]

    def advance(self, count: int = 1) -> None:
        for _ in range(count):
            if self.pos >= len(self.text):
                return
            if self.text[self.pos] == "\n":
                self.line += 1
                self.line_start = self.pos + 1
            self.pos += 1

    def skip_inline_space(self) -> None:
        while self.peek() in (" ", "\t") and self.peek():
            self.pos += 1

    def skip_to_eol(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end

    def skip_blank_and_comments(self) -> None:
        """Inside arrays: whitespace, newlines and comments all separate items."""
        while self.pos < len(self.text):
            char = self.peek()
            if char in (" ", "\t", "\r", "\n"):
                self.advance()
            elif char == "#":
                self.skip_to_eol()
            else:
                return

    # -- records ----------------------------------------------------------------------
    def record(self, path: TomlPath, key: Location, value: Location | None, explicit: bool = True) -> None:
        if explicit:
            first = self.defined.get(path)
            if first is not None:
                self.duplicates.append(DuplicateKey(path, key, first))
                return
            self.defined[path] = key
        self.spans.setdefault(path, KeySpans(key, value))
        if explicit:
            self.spans[path] = KeySpans(key, value)

    # -- grammar ----------------------------------------------------------------------
    def scan(self) -> None:
        table: TomlPath = ()
        while self.pos < len(self.text):
            self.skip_inline_space()
            char = self.peek()
            if char == "":
                return
            if char in ("\n", "\r"):
                self.advance()
                continue
            if char == "#":
                self.skip_to_eol()
                continue
            if char == "[":
                table = self.table_header(table)
            else:
                self.key_value(table)
            self.skip_inline_space()
            if self.peek() == "#":
                self.skip_to_eol()
            if self.peek() not in ("\n", ""):
                self.skip_to_eol()  # garbage after a statement: tomllib reports it; we resync

    def table_header(self, current: TomlPath) -> TomlPath:
        line, column = self.line, self.col()
        is_array = self.peek(2) == "[["
        self.advance(2 if is_array else 1)
        keys = self.dotted_key()
        if keys is None:
            self.skip_to_eol()
            return current
        self.skip_inline_space()
        self.advance(2 if is_array else 1)
        span = Location("", line, column, self.line, self.col())
        path: TomlPath = tuple(name for name, _ in keys)
        for size in range(1, len(path)):
            self.record(self._resolve(path[:size]), span, None, explicit=False)
        if is_array:
            index = self.array_counts.get(path, -1) + 1
            self.array_counts[path] = index
            self.record(path, span, None, explicit=False)
            element = path + (index,)
            self.record(element, span, None)
            return element
        resolved = self._resolve(path)
        self.record(resolved, span, None)
        return resolved

    def _resolve(self, path: TomlPath) -> TomlPath:
        """`[a.b]` after `[[a]]` means the last element of array `a`: insert its index."""
        out: list[str | int] = []
        for name in path:
            out.append(name)
            count = self.array_counts.get(tuple(out))
            if count is not None:
                out.append(count)
        return tuple(out)

    def key_value(self, table: TomlPath) -> None:
        keys = self.dotted_key()
        if keys is None:
            self.skip_to_eol()
            return
        self.skip_inline_space()
        if self.peek() != "=":
            self.skip_to_eol()
            return
        self.advance()
        self.skip_inline_space()
        path = table + tuple(name for name, _ in keys)
        for size in range(1, len(keys)):
            self.record(table + tuple(n for n, _ in keys[:size]), keys[size - 1][1], None, explicit=False)
        value_start = (self.line, self.col())
        self.value(path)
        key_span = Location("", keys[0][1].line, keys[0][1].column, keys[-1][1].end_line, keys[-1][1].end_column)
        value_span = Location("", value_start[0], value_start[1], self.line, self.col())
        self.record(path, key_span, value_span)

    def dotted_key(self) -> list[tuple[str, Location]] | None:
        parts: list[tuple[str, Location]] = []
        while True:
            self.skip_inline_space()
            line, column = self.line, self.col()
            char = self.peek()
            if char == '"':
                name = self.basic_string()
            elif char == "'":
                name = self.literal_string()
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if not match:
                    return None
                name = match.group(0)
                self.pos = match.end()
            if name is None:
                return None
            parts.append((name, Location("", line, column, self.line, self.col())))
            self.skip_inline_space()
            if self.peek() != ".":
                return parts
            self.advance()

    def value(self, path: TomlPath) -> None:
        char = self.peek()
        if char == '"':
            self.basic_string()
        elif char == "'":
            self.literal_string()
        elif char == "[":
            self.array(path)
        elif char == "{":
            self.inline_table(path)
        else:  # number, bool, date-time: runs until a separator
            start = self.pos
            while self.pos < len(self.text) and self.text[self.pos] not in ",]}#\n\r":
                self.pos += 1
            # trailing blanks are not part of the value, but never step back before where it began
            # (doing so made callers rescan the same text forever on input like `[[1{ a = 1 }`)
            while self.pos > start and self.text[self.pos - 1] in " \t":
                self.pos -= 1

    def array(self, path: TomlPath) -> None:
        self.advance()
        index = 0
        while self.pos < len(self.text):
            self.skip_blank_and_comments()
            char = self.peek()
            if char == "]":
                self.advance()
                return
            if char == ",":
                self.advance()
                continue
            if char == "":
                return
            line, column = self.line, self.col()
            start = self.pos
            self.value(path + (index,))
            if self.pos <= start:  # not a value we understand: give up on this array
                self.skip_to_eol()
                return
            item_span = Location("", line, column, self.line, self.col())
            self.spans.setdefault(path + (index,), KeySpans(item_span, item_span))
            index += 1

    def inline_table(self, path: TomlPath) -> None:
        self.advance()
        while self.pos < len(self.text):
            self.skip_inline_space()
            char = self.peek()
            if char == "}":
                self.advance()
                return
            if char == ",":
                self.advance()
                continue
            if char in ("", "\n"):  # inline tables are single-line (TOML 1.0)
                return
            start = self.pos
            self.key_value(path)
            if self.pos == start:
                self.skip_to_eol()
                return

    def basic_string(self) -> str | None:
        if self.peek(3) == '"""':
            self.advance(3)
            end = self.text.find('"""', self.pos)
            while end > 0 and _escaped(self.text, end):
                end = self.text.find('"""', end + 1)
            stop = len(self.text) if end < 0 else end + 3
            while stop < len(self.text) and self.text[stop] == '"':  # up to two quotes may end the content
                stop += 1
            raw = self.text[self.pos : stop - 3]
            self.advance(stop - self.pos)
            return raw
        self.advance()
        chars: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == '"':
                self.pos += 1
                return _unescape("".join(chars))
            if char == "\n":
                return None
            if char == "\\" and self.pos + 1 < len(self.text):
                chars.append(self.text[self.pos : self.pos + 2])
                self.pos += 2
                continue
            chars.append(char)
            self.pos += 1
        return None

    def literal_string(self) -> str | None:
        if self.peek(3) == "'''":
            self.advance(3)
            end = self.text.find("'''", self.pos)
            stop = len(self.text) if end < 0 else end + 3
            while stop < len(self.text) and self.text[stop] == "'":
                stop += 1
            raw = self.text[self.pos : stop - 3]
            self.advance(stop - self.pos)
            return raw
        self.pos += 1
        end = self.text.find("'", self.pos)
        newline = self.text.find("\n", self.pos)
        if end < 0 or (0 <= newline < end):
            return None
        raw = self.text[self.pos : end]
        self.pos = end + 1
        return raw


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _unescape(raw: str) -> str:
    """Key names in basic quotes: resolve escapes the way tomllib does (best effort)."""
    if "\\" not in raw:
        return raw
    try:
        return str(tomllib.loads(f'k = "{raw}"')["k"])
    except tomllib.TOMLDecodeError:
        return raw
