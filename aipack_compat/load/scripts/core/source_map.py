"""Shell text assembled from pieces of another file, scanned so locations point into that file.

Task runners hold their commands inside another syntax: a JSON string (escapes decoded), a just
recipe line (`@`/`-` prefixes stripped, `{{var}}` interpolated), a YAML scalar. The front-end
builds the text the real runner would hand to its shell as a `MappedText`, which remembers for
every character the file offset it came from; `scan_mapped` runs the front-end's scanner (shell or
Python) over it and translates every location the scanner records back to the original file's
line/column.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from aipack_compat.load.scripts.core.collector import Collector


class SourceIndex:
    """Offsets of one file's text <-> 1-based line/column (columns count characters)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0]
        for index, char in enumerate(text):
            if char == "\n":
                self.line_starts.append(index + 1)

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based line/column (clamped to the text)."""
        if not self.line_starts:
            return 0
        line_index = max(0, min(line - 1, len(self.line_starts) - 1))
        return min(self.line_starts[line_index] + max(column - 1, 0), len(self.text))


class MappedText:
    """Text plus, for each character, the offset in the source file it stands for."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.offsets: list[int] = []

    def add(self, text: str, source_offset: int) -> None:
        """Text copied verbatim from the source, starting at `source_offset`."""
        self._parts.append(text)
        self.offsets.extend(range(source_offset, source_offset + len(text)))

    def add_generated(self, text: str, source_offset: int) -> None:
        """Text that is not in the source (an interpolated value): every character maps to one place."""
        self._parts.append(text)
        self.offsets.extend([source_offset] * len(text))

    def add_mapped(self, text: str, offsets: list[int]) -> None:
        """Text whose characters each have their own offset (a decoded JSON string)."""
        self._parts.append(text)
        self.offsets.extend(offsets[: len(text)])
        if len(offsets) < len(text):
            self.offsets.extend([offsets[-1] if offsets else 0] * (len(text) - len(offsets)))

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def source_offset(self, index: int) -> int:
        if not self.offsets:
            return 0
        return self.offsets[max(0, min(index, len(self.offsets) - 1))]


def scan_mapped(collector: Collector, mapped: MappedText, source: SourceIndex, scan: Callable[[str], None]) -> None:
    """`scan(mapped.text)` (the shell or Python scanner over the assembled text), its locations landing
    in the original file."""
    text = mapped.text
    if not text.strip():
        return
    with _locations_through(collector, _translator(text, mapped, source)):
        scan(text)


def _translator(text: str, mapped: MappedText, source: SourceIndex) -> Callable[[int, int], tuple[int, int]]:
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def translate(line: int, column: int) -> tuple[int, int]:
        if line <= 0:
            return 0, 0
        row = min(line - 1, len(lines) - 1)
        # the shell scanner counts columns in UTF-8 bytes (tree-sitter points); Python's ast too
        prefix = lines[row].encode("utf-8", "surrogatepass")[: max(column - 1, 0)]
        index = starts[row] + len(prefix.decode("utf-8", "ignore"))
        return source.position(mapped.source_offset(index))

    return translate


@contextmanager
def _locations_through(collector: Collector, translate: Callable[[int, int], tuple[int, int]]) -> Iterator[None]:
    """Every location the scanner asks the collector for goes through `translate` while scanning."""
    previous = collector.translate
    collector.translate = translate
    try:
        yield
    finally:
        collector.translate = previous


def add_interpolated(mapped: MappedText, text: str, offsets: list[int], pattern: re.Pattern[str],
                     replace: Callable[[re.Match[str]], str]) -> None:
    """Copy `text` (each character at its own source offset), replacing every match of `pattern`."""
    position = 0
    for match in pattern.finditer(text):
        mapped.add_mapped(text[position:match.start()], offsets[position:match.start()])
        mapped.add_generated(replace(match), offsets[match.start()] if match.start() < len(offsets) else 0)
        position = match.end()
    mapped.add_mapped(text[position:], offsets[position:])
