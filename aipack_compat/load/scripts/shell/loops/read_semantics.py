"""What bash's `read` puts into its variables, line by line (bash manual, "Bash Builtins: read").

Used by `while read` loops whose lines are known statically (a workspace file, a here-doc, a
here-string): the lines are data, read at migrate time, never run.

- Without `-r`, a backslash escapes the next character and a backslash-newline joins two lines.
- IFS whitespace (space, tab, newline, when in IFS) is trimmed at both ends; `IFS=` keeps the
  line exactly as written. With several names, each but the last takes one field and the last
  takes the rest of the line.
- A last line without a newline makes `read` fail although it filled the variable, so
  `while read m` never runs the body for it unless the condition adds `|| [ -n "$m" ]`.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_IFS = " \t\n"


@dataclass(frozen=True, slots=True)
class ReadOptions:
    names: tuple[str, ...]
    raw: bool = False  # `-r`
    ifs: str = DEFAULT_IFS
    keeps_unterminated_last_line: bool = False  # `read m || [ -n "$m" ]`


def read_records(text: str, options: ReadOptions) -> tuple[list[tuple[str, ...]], bool]:
    """Every iteration's values (one tuple per body run), and whether a last partial line was dropped."""
    lines = text.split("\n")
    unterminated = lines.pop()  # text after the last newline ("" when the text ends with one)
    logical: list[str] = []
    pending = ""
    for line in lines:
        if not options.raw and _ends_in_escape(line):
            pending += line[:-1]  # backslash-newline: the line goes on
            continue
        logical.append(pending + line)
        pending = ""
    tail = pending + unterminated
    dropped = False
    if tail:
        if options.keeps_unterminated_last_line:
            logical.append(tail)
        else:
            dropped = True
    return [split_fields(line, options) for line in logical], dropped


def split_fields(line: str, options: ReadOptions) -> tuple[str, ...]:
    """One line into the variables of `read NAME...` by IFS."""
    count = len(options.names)
    if not options.ifs:
        return (_unescape(line, options.raw), *([""] * (count - 1)))
    whitespace = "".join(c for c in options.ifs if c in DEFAULT_IFS)
    others = "".join(c for c in options.ifs if c not in DEFAULT_IFS)
    rest = line.lstrip(whitespace) if whitespace else line
    fields: list[str] = []
    for _ in range(count - 1):
        end = _next_delimiter(rest, options.ifs, options.raw)
        fields.append(rest[:end])
        rest = rest[end:]
        if whitespace:
            rest = rest.lstrip(whitespace)
        if rest[:1] and rest[0] in others:
            rest = rest[1:]
            if whitespace:
                rest = rest.lstrip(whitespace)
    fields.append(rest.rstrip(whitespace) if whitespace else rest)
    return tuple(_unescape(field, options.raw) for field in fields)


def _next_delimiter(text: str, ifs: str, raw: bool) -> int:
    index = 0
    while index < len(text):
        if not raw and text[index] == "\\":
            index += 2  # an escaped character is never a delimiter
            continue
        if text[index] in ifs:
            return index
        index += 1
    return len(text)


def _ends_in_escape(line: str) -> bool:
    stripped = line.rstrip("\\")
    return (len(line) - len(stripped)) % 2 == 1


def _unescape(text: str, raw: bool) -> str:
    if raw or "\\" not in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        if text[index] == "\\" and index + 1 < len(text):
            out.append(text[index + 1])
            index += 2
            continue
        if text[index] != "\\":
            out.append(text[index])
        index += 1
    return "".join(out)
