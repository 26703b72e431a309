"""aip.text.* (`A:src/script/aip_modules/aip_text/*.rs@952ad06e`).

Every function takes `nil` and gives `nil` back (`into_option_string`); a non-string, non-nil
content is an error. Lines are split like Rust `str::lines()` (`\n`, with a trailing `\r` dropped).
"""

from __future__ import annotations

import html
from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, Multi, expect_string, option_string

_UNITS = ("B", "KB", "MB", "GB", "TB", "PB")


def text_lines(content: str) -> list[str]:
    """Rust `str::lines()` as it was until rust-lang/rust#100311 (2023): split on `\n`, strip one
    trailing `\r`, no final empty line. It also drops a bare `\r` ending the text, which today's
    Rust keeps (`ports/rust_str.rust_lines`); aip.text and aip.md keep this until it is checked
    against aip."""
    if not content:
        return []
    parts = content.split("\n")
    if parts[-1] == "":
        parts.pop()
    return [part[:-1] if part.endswith("\r") else part for part in parts]


def trim(host: ApiHost, content: Any) -> str | None:
    value = option_string(content, "aip.text.trim")
    return None if value is None else value.strip()


def trim_start(host: ApiHost, content: Any) -> str | None:
    value = option_string(content, "aip.text.trim_start")
    return None if value is None else value.lstrip()


def trim_end(host: ApiHost, content: Any) -> str | None:
    value = option_string(content, "aip.text.trim_end")
    return None if value is None else value.rstrip()


def _split_once(content: str, sep: str, first: bool) -> Multi:
    index = content.find(sep) if first else content.rfind(sep)
    if index == -1:
        return Multi((content, None))
    return Multi((content[:index], content[index + len(sep) :]))


def split_first(host: ApiHost, content: Any, sep: Any) -> Multi:
    value = option_string(content, "aip.text.split_first")
    if value is None:
        return Multi((None, None))
    return _split_once(value, expect_string(sep, "aip.text.split_first", "sep"), first=True)


def split_last(host: ApiHost, content: Any, sep: Any) -> Multi:
    value = option_string(content, "aip.text.split_last")
    if value is None:
        return Multi((None, None))
    return _split_once(value, expect_string(sep, "aip.text.split_last", "sep"), first=False)


def _split_line(content: str, sep: str, first: bool) -> Multi:
    """`split_once_line` (`text_split_line.rs`): the separator must be a whole line."""
    match: tuple[int, int] | None = None
    offset = 0
    for line in content.split("\n"):
        text = line if not (line.endswith("\r")) else line[:-1]
        start, end = offset, offset + len(text)
        if text == sep:
            match = (start, end)
            if first:
                break
        offset = offset + len(line) + 1
    if match is None:
        return Multi((content, None))
    start, end = match
    before = "" if start == 0 else content[: max(start - 1, 0)]
    after = "" if end + 1 > len(content) else content[end + 1 :]
    return Multi((before, after))


def split_first_line(host: ApiHost, content: Any, sep: Any) -> Multi:
    value = option_string(content, "aip.text.split_first_line")
    if value is None:
        return Multi((None, None))
    return _split_line(value, expect_string(sep, "aip.text.split_first_line", "sep"), first=True)


def split_last_line(host: ApiHost, content: Any, sep: Any) -> Multi:
    value = option_string(content, "aip.text.split_last_line")
    if value is None:
        return Multi((None, None))
    return _split_line(value, expect_string(sep, "aip.text.split_last_line", "sep"), first=False)


def ensure(host: ApiHost, content: Any, options: Any = None) -> str | None:
    value = option_string(content, "aip.text.ensure")
    if value is None:
        return None
    if not isinstance(options, dict):
        raise ApiError("aip.text.ensure - second argument must be a table {prefix?, suffix?}")
    prefix, suffix = options.get("prefix"), options.get("suffix")
    result = value
    if isinstance(prefix, str) and not value.startswith(prefix):
        result = prefix + result
    if isinstance(suffix, str) and not value.endswith(suffix):
        result = result + suffix
    return result


def ensure_single_trailing_newline(host: ApiHost, content: Any) -> str | None:
    value = option_string(content, "aip.text.ensure_single_trailing_newline")
    return None if value is None else value.rstrip("\n") + "\n"


def _remove_first_lines(content: str, count: int) -> str:
    newlines = 0
    for index, char in enumerate(content):
        if char == "\n":
            newlines += 1
            if newlines == count:
                return content[index + 1 :]
    return ""


def _remove_last_lines(content: str, count: int) -> str:
    newlines = 0
    for index in range(len(content) - 1, -1, -1):
        if content[index] == "\n":
            newlines += 1
            if newlines == count:
                return content[:index]
    return ""


def remove_first_line(host: ApiHost, content: Any) -> str | None:
    value = option_string(content, "aip.text.remove_first_line")
    return None if value is None else _remove_first_lines(value, 1)


def remove_first_lines(host: ApiHost, content: Any, count: Any) -> str | None:
    value = option_string(content, "aip.text.remove_first_lines")
    return None if value is None else _remove_first_lines(value, int(count))


def remove_last_line(host: ApiHost, content: Any) -> str | None:
    value = option_string(content, "aip.text.remove_last_line")
    return None if value is None else _remove_last_lines(value, 1)


def remove_last_lines(host: ApiHost, content: Any, count: Any) -> str | None:
    value = option_string(content, "aip.text.remove_last_lines")
    return None if value is None else _remove_last_lines(value, int(count))


def truncate(host: ApiHost, content: Any, max_len: Any, ellipsis: Any = None) -> str | None:
    value = option_string(content, "aip.text.truncate")
    if value is None:
        return None
    limit = int(max_len)
    if len(value) <= limit:
        return value
    return value[:limit] + (ellipsis or "")


def escape_decode(host: ApiHost, content: Any) -> str | None:
    value = option_string(content, "aip.text.escape_decode")
    return None if value is None else html.unescape(value)


def escape_decode_if_needed(host: ApiHost, content: Any) -> str | None:
    value = option_string(content, "aip.text.escape_decode_if_needed")
    if value is None:
        return None
    return html.unescape(value) if "&lt;" in value else value


def format_size(host: ApiHost, size: Any, options: Any = None) -> str | None:
    """simple-fs `pretty_size_with_options`: 1000-based, 6-wide number, 2-char unit."""
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, (int, float)):
        raise ApiError("aip.text.format_size - bytes argument must be a number")
    size_bytes = max(int(round(size)), 0)
    lowest, trim_result = "B", False
    if isinstance(options, str):
        lowest = options
    elif isinstance(options, dict):
        lowest = options.get("lowest_unit") or "B"
        trim_result = bool(options.get("trim", False))
    unit_index = _UNITS.index(lowest.upper()) if lowest.upper() in _UNITS else 2
    value = float(size_bytes) / (1000.0**unit_index)
    while value >= 1000.0 and unit_index < len(_UNITS) - 1:
        value /= 1000.0
        unit_index += 1
    text = f"{size_bytes:>6} B " if unit_index == 0 else f"{value:>6.2f} {_UNITS[unit_index]}"
    return text.strip() if trim_result else text


def extract_line_blocks(host: ApiHost, content: Any, options: Any = None) -> Multi:
    """Runs of lines starting with `starts_with` (`A:src/support/text/line_block_iter.rs@952ad06e`)."""
    value = option_string(content, "aip.text.extract_line_blocks")
    if value is None:
        return Multi((None, None))
    starts_with = options.get("starts_with") if isinstance(options, dict) else None
    if not isinstance(starts_with, str):
        raise ApiError('aip.text.extract_line_blocks requires to options with {starts_with = ".."} ')
    extrude = options.get("extrude") == "content"
    first = options.get("first")
    lines = iter(text_lines(value))
    extruded: list[str] = []
    blocks: list[str] = []

    def next_block() -> str | None:
        block: list[str] = []
        for line in lines:
            if line.startswith(starts_with):
                block.append(line + "\n")
            else:
                if extrude:
                    extruded.append(line + "\n")
                if block:
                    return "".join(block)
        return "".join(block) if block else None

    limit = int(first) if isinstance(first, (int, float)) and not isinstance(first, bool) else None
    while limit is None or len(blocks) < limit:
        block = next_block()
        if block is None:
            break
        blocks.append(block)
    if limit is not None and extrude:
        extruded.extend(line + "\n" for line in lines)
    return Multi((blocks, "".join(extruded) if extrude else None))


FUNCTIONS: dict[str, ApiFunction] = {
    "trim": ApiFunction(trim),
    "trim_start": ApiFunction(trim_start),
    "trim_end": ApiFunction(trim_end),
    "split_first": ApiFunction(split_first),
    "split_last": ApiFunction(split_last),
    "split_first_line": ApiFunction(split_first_line),
    "split_last_line": ApiFunction(split_last_line),
    "ensure": ApiFunction(ensure),
    "ensure_single_trailing_newline": ApiFunction(ensure_single_trailing_newline),
    "ensure_single_ending_newline": ApiFunction(ensure_single_trailing_newline),
    "remove_first_line": ApiFunction(remove_first_line),
    "remove_first_lines": ApiFunction(remove_first_lines),
    "remove_last_line": ApiFunction(remove_last_line),
    "remove_last_lines": ApiFunction(remove_last_lines),
    "truncate": ApiFunction(truncate),
    "escape_decode": ApiFunction(escape_decode),
    "escape_decode_if_needed": ApiFunction(escape_decode_if_needed),
    "format_size": ApiFunction(format_size),
    "extract_line_blocks": ApiFunction(extract_line_blocks),
}
