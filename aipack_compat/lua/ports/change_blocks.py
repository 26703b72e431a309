"""aip's SEARCH/REPLACE change blocks, behind `aip.file.save_changes`
(`A:src/support/text/change.rs@952ad06e`, `A:src/types/changes_info.rs`).

Without a line exactly `<<<<<<< SEARCH`, the changes replace the whole content. Otherwise the
changes must be a sequence of `<<<<<<< SEARCH` / `=======` / `>>>>>>> REPLACE` blocks (blank lines
between them allowed; anything else is an error), and each replaces the first occurrence of its
search text, in order. Era differences:
- before 0.8.4, no CRLF retry (`A:9433b238`): a CRLF file whose search text did not match stays as is;
  from 0.8.4, the content is converted to LF and the search retried;
- from 0.8.8 (`A:d535f857`), an empty replacement also removes the line break after the search text
  (or before it at the end of the content), and failed blocks are reported in ChangesInfo.
aip's own format, so hand-written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aipack_compat.lua.ports.rust_str import rust_trim

SEARCH_START = "<<<<<<< SEARCH"
SEPARATOR = "======="
REPLACE_END = ">>>>>>> REPLACE"
CRLF_RETRY_SINCE = (0, 8, 4)
REMOVE_LINE_ON_EMPTY_REPLACE_SINCE = (0, 8, 8)


class MalformedChanges(ValueError):
    """aip's `Error::custom` text for a change block it cannot parse."""


@dataclass(slots=True)
class ChangesOutcome:
    content: str
    changed_count: int = 0
    failed_changes: list[dict[str, str]] = field(default_factory=list)

    def info_table(self) -> dict[str, object]:
        """ChangesInfo as aip returns it: `failed_changes` only when some block failed."""
        table: dict[str, object] = {"changed_count": self.changed_count}
        if self.failed_changes:
            table["failed_changes"] = list(self.failed_changes)
        return table


def _lines_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """(line, start, next_start) as aip walks `str::lines()` (a `\\r` before `\\n` dropped from the line)."""
    result: list[tuple[str, int, int]] = []
    offset = 0
    pieces = text.split("\n")
    if text.endswith("\n"):
        pieces.pop()
    for index, piece in enumerate(pieces):
        line = piece[:-1] if piece.endswith("\r") and (index < len(pieces) - 1 or text.endswith("\n")) else piece
        start = offset
        offset += len(line)
        if offset < len(text):
            offset += 1  # aip adds 1 for the stripped '\n' (a stripped '\r' is not counted: its quirk, kept)
        result.append((line, start, offset))
    return result


def parse_blocks(changes: str) -> list[tuple[str, str]]:
    """(search, replace) pairs; `MalformedChanges` with aip's message otherwise."""
    blocks: list[tuple[str, str]] = []
    state = "outside"
    search_start = search_end = replace_start = 0
    for line, line_start, next_start in _lines_with_offsets(changes):
        if state == "outside":
            if not rust_trim(line):
                continue
            if line != SEARCH_START:
                shown = line if len(line) <= 100 else line[:100] + "..."
                raise MalformedChanges(
                    f"Malformed changes: Expected '{SEARCH_START}' or a whitespace line to start a block. "
                    f"Found text outside of a valid block structure. Line: '{shown}'"
                )
            state, search_start = "search", next_start
        elif state == "search" and line == SEPARATOR:
            search_end = _end_before(changes, line_start, search_start)
            state, replace_start = "replace", next_start
        elif state == "replace" and line == REPLACE_END:
            replace_end = _end_before(changes, line_start, replace_start)
            blocks.append((changes[search_start:search_end], changes[replace_start:replace_end]))
            state = "outside"
    if state == "search":
        raise MalformedChanges(f"Malformed change block: Ended in search pattern. Missing separator marker '{SEPARATOR}'.")
    if state == "replace":
        raise MalformedChanges(f"Malformed change block: Ended in replace pattern. Missing end marker '{REPLACE_END}'.")
    return blocks


def _end_before(text: str, marker_start: int, pattern_start: int) -> int:
    end = marker_start
    if end > pattern_start and text[end - 1 : end] == "\n":
        end -= 1
    return max(end, pattern_start)


def _replace_first(content: str, search: str, replace: str) -> tuple[str, bool]:
    position = content.find(search)
    if position == -1:
        return content, False
    return content[:position] + replace + content[position + len(search) :], True


def _remove_first_with_line(content: str, search: str) -> tuple[str, bool]:
    position = content.find(search)
    if position == -1:
        return content, False
    start, end = position, position + len(search)
    if end < len(content):
        end += 2 if content.startswith("\r\n", end) else 1 if content.startswith("\n", end) else 0
    elif start > 0:
        start -= 2 if content[:start].endswith("\r\n") else 1 if content[:start].endswith("\n") else 0
    if start < end:
        return content[:start] + content[end:], True
    return content, False


def apply_changes(original: str, changes: str, version: tuple[int, int, int]) -> ChangesOutcome:
    if not any(line == SEARCH_START for line, _, _ in _lines_with_offsets(changes)):
        return ChangesOutcome(changes, changed_count=1)
    outcome = ChangesOutcome(original)
    for search, replace in parse_blocks(changes):
        remove_line = version >= REMOVE_LINE_ON_EMPTY_REPLACE_SINCE and not replace and search
        operation = (lambda text: _remove_first_with_line(text, search)) if remove_line else (
            lambda text: _replace_first(text, search, replace))
        content, changed = operation(outcome.content)
        if not changed and version >= CRLF_RETRY_SINCE and "\r\n" in content:
            content, changed = operation(content.replace("\r\n", "\n"))
        outcome.content = content
        if changed:
            outcome.changed_count += 1
        else:
            outcome.failed_changes.append({"search": search, "replace": replace, "reason": "Search block not found in content"})
    return outcome
