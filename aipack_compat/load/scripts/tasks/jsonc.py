"""A small tolerant JSON reader that keeps positions: JSONC (`//`, `/* */`, trailing commas).

VS Code and Zed read their `tasks.json` as JSON with comments and trailing commas; package.json
is strict JSON, a subset. Every value keeps its start offset, and strings keep the offset of each
decoded character, so a command inside a string can be scanned with exact file locations.
Stdlib only (this is on the `validate` path). Bad input raises `JsoncError` with an offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_DEPTH = 200  # deeper nesting is hostile input, not a task file


class JsoncError(ValueError):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


@dataclass(slots=True)
class JString:
    value: str
    start: int  # offset of the opening quote
    offsets: list[int] = field(default_factory=list)  # source offset of each character of `value`


@dataclass(slots=True)
class JScalar:
    value: float | int | bool | None
    start: int


@dataclass(slots=True)
class JArray:
    items: list["JNode"]
    start: int


@dataclass(slots=True)
class JObject:
    members: list[tuple[JString, "JNode"]]
    start: int

    def get(self, key: str) -> "JNode | None":
        """The last member named `key` (JSON.parse keeps the last duplicate too)."""
        found = None
        for name, value in self.members:
            if name.value == key:
                found = value
        return found


JNode = JString | JScalar | JArray | JObject

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_LITERALS: dict[str, bool | None] = {"true": True, "false": False, "null": None}


def parse_jsonc(text: str) -> JNode:
    reader = _Reader(text)
    reader.skip_blank()
    value = reader.value(0)
    reader.skip_blank()
    if reader.index < len(text):
        raise JsoncError(reader.index, f"unexpected {text[reader.index]!r} after the top-level value")
    return value


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.index = 0

    def skip_blank(self) -> None:
        text = self.text
        while self.index < len(text):
            char = text[self.index]
            if char in " \t\r\n\ufeff":
                self.index += 1
            elif text.startswith("//", self.index):
                end = text.find("\n", self.index)
                self.index = len(text) if end < 0 else end + 1
            elif text.startswith("/*", self.index):
                end = text.find("*/", self.index + 2)
                if end < 0:
                    raise JsoncError(self.index, "unterminated /* comment")
                self.index = end + 2
            else:
                return

    def value(self, depth: int) -> JNode:
        if depth > MAX_DEPTH:
            raise JsoncError(self.index, f"nested deeper than {MAX_DEPTH} levels")
        if self.index >= len(self.text):
            raise JsoncError(self.index, "unexpected end of file")
        char = self.text[self.index]
        if char == "{":
            return self.object(depth)
        if char == "[":
            return self.array(depth)
        if char == '"':
            return self.string()
        return self.scalar()

    def object(self, depth: int) -> JObject:
        node = JObject([], self.index)
        self.index += 1
        while True:
            self.skip_blank()
            if self._peek() == "}":
                self.index += 1
                return node
            if self._peek() != '"':
                raise JsoncError(self.index, "expected a quoted member name or '}'")
            key = self.string()
            self.skip_blank()
            if self._peek() != ":":
                raise JsoncError(self.index, f"expected ':' after member name \"{key.value}\"")
            self.index += 1
            self.skip_blank()
            node.members.append((key, self.value(depth + 1)))
            if not self._separator("}"):
                return node

    def array(self, depth: int) -> JArray:
        node = JArray([], self.index)
        self.index += 1
        while True:
            self.skip_blank()
            if self._peek() == "]":
                self.index += 1
                return node
            node.items.append(self.value(depth + 1))
            if not self._separator("]"):
                return node

    def _separator(self, closing: str) -> bool:
        """After a member/item: True to read another, False when the container closed."""
        self.skip_blank()
        char = self._peek()
        if char == ",":
            self.index += 1  # a trailing comma before the closing bracket is allowed (JSONC)
            return True
        if char == closing:
            self.index += 1
            return False
        found = "end of file" if char == "" else repr(char)
        raise JsoncError(self.index, f"expected ',' or '{closing}', found {found}")

    def string(self) -> JString:
        start = self.index
        text = self.text
        chars: list[str] = []
        offsets: list[int] = []
        index = start + 1
        while True:
            if index >= len(text):
                raise JsoncError(start, "unterminated string")
            char = text[index]
            if char == '"':
                self.index = index + 1
                offsets.append(index)  # one past the last character: the closing quote
                return JString("".join(chars), start, offsets)
            if char == "\n":
                raise JsoncError(start, "unterminated string (a raw newline inside it)")
            if char != "\\":
                chars.append(char)
                offsets.append(index)
                index += 1
                continue
            escape = text[index + 1: index + 2]
            if escape in _ESCAPES:
                chars.append(_ESCAPES[escape])
                offsets.append(index)
                index += 2
            elif escape == "u" and _is_hex(text[index + 2: index + 6]):
                chars.append(chr(int(text[index + 2: index + 6], 16)))
                offsets.append(index)
                index += 6
            else:
                raise JsoncError(index, f"invalid escape \\{escape or 'at end of file'} in string")

    def scalar(self) -> JScalar:
        start = self.index
        end = start
        while end < len(self.text) and (self.text[end].isalnum() or self.text[end] in "+-."):
            end += 1
        word = self.text[start:end]
        self.index = end
        if word in _LITERALS:
            return JScalar(_LITERALS[word], start)
        try:
            if not word or word[0] not in "-0123456789":
                raise ValueError(word)  # JSON has no NaN/Infinity/bare words
            number: float | int = int(word) if word.lstrip("-").isdigit() else float(word)
        except ValueError:
            shown = word or self.text[start: start + 1] or "end of file"
            raise JsoncError(start, f"unexpected {shown!r}; expected a value") from None
        return JScalar(number, start)

    def _peek(self) -> str:
        return self.text[self.index] if self.index < len(self.text) else ""


def _is_hex(text: str) -> bool:
    return len(text) == 4 and all(c in "0123456789abcdefABCDEF" for c in text)
