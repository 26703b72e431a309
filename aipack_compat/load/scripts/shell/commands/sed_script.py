"""The `s/pattern/replacement/flags` commands of a sed script, applied to text without running sed.

Config rewrites in model loops are almost always one `s` command per line of the config
(`sed -i 's/model = ".*"/model = "'$m'"/'`). sed works line by line, so each command is applied
to each line; `&` and `\\1`..`\\9` in the replacement mean the match and its groups (POSIX sed).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from aipack_compat.load.scripts.core.posix_regex import grep_to_python


@dataclass(frozen=True, slots=True)
class Substitution:
    pattern: str  # as written (BRE unless extended)
    replacement: str
    flags: str
    address: str = ""  # e.g. `/\[options\]/,/^\[/` (kept, applied only when it is a line regex)


def parse_substitutions(script: str) -> list[Substitution] | None:
    """Every `s` command of `script`; None when the script has other commands we do not model."""
    out: list[Substitution] = []
    for command in _split_commands(script):
        command = command.strip()
        if not command or command.startswith("#"):
            continue
        address = ""
        match = re.match(r"^(/(?:[^/\\]|\\.)*/|\d+|\$)\s*", command)
        if match and not command.startswith("s"):
            address = match.group(1)
            command = command[match.end():]
        if len(command) < 2 or command[0] != "s":
            return None
        delimiter = command[1]
        parts = _split_on(command[2:], delimiter)
        if len(parts) != 3:
            return None
        pattern, replacement, flags = parts
        out.append(Substitution(pattern, replacement, flags.strip(), address))
    return out


def apply_substitutions(subs: list[Substitution], text: str, extended: bool) -> tuple[str, list[bool]]:
    """Apply the commands to each line; returns the new text and, per command, whether it matched."""
    matched = [False] * len(subs)
    compiled = [_compile(sub, extended) for sub in subs]
    lines = text.split("\n")
    for index, line in enumerate(lines):
        for number, (sub, regex) in enumerate(zip(subs, compiled)):
            if regex is None:
                continue
            if sub.address.startswith("/"):
                address = _compile_pattern(sub.address[1:-1], extended, "")
                if address is None or not address.search(line):
                    continue
            count = 0 if "g" in sub.flags else 1
            new_line, done = regex.subn(functools.partial(_expand, sub.replacement), line, count=count)
            if done:
                matched[number] = True
                line = new_line
        lines[index] = line
    return "\n".join(lines), matched


def _compile(sub: Substitution, extended: bool) -> re.Pattern[str] | None:
    return _compile_pattern(sub.pattern, extended, sub.flags)


def _compile_pattern(pattern: str, extended: bool, flags: str) -> re.Pattern[str] | None:
    try:
        return re.compile(grep_to_python(pattern, extended), re.IGNORECASE if "I" in flags or "i" in flags else 0)
    except re.error:
        return None


def _expand(replacement: str, match: re.Match[str]) -> str:
    out: list[str] = []
    index = 0
    while index < len(replacement):
        char = replacement[index]
        if char == "\\" and index + 1 < len(replacement):
            nxt = replacement[index + 1]
            if nxt.isdigit():
                out.append(match.group(int(nxt)) or "" if int(nxt) <= (match.re.groups or 0) else "")
            else:
                out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            index += 2
            continue
        out.append(match.group(0) if char == "&" else char)
        index += 1
    return "".join(out)


def _split_commands(script: str) -> list[str]:
    """Split on newlines and on `;` outside of an `s` command's three parts."""
    commands: list[str] = []
    for line in script.split("\n"):
        current = ""
        index = 0
        while index < len(line):
            if line[index] == "s" and index + 1 < len(line) and not current.strip():
                delimiter = line[index + 1]
                end = _end_of_s(line, index + 2, delimiter)
                current += line[index:end]
                index = end
                continue
            if line[index] == ";":
                commands.append(current)
                current = ""
            else:
                current += line[index]
            index += 1
        commands.append(current)
    return commands


def _end_of_s(line: str, start: int, delimiter: str) -> int:
    seen = 0
    index = start
    while index < len(line) and seen < 2:
        if line[index] == "\\":
            index += 2
            continue
        if line[index] == delimiter:
            seen += 1
        index += 1
    while index < len(line) and line[index] not in ";":
        index += 1
    return index


def _split_on(text: str, delimiter: str) -> list[str]:
    parts: list[str] = []
    current = ""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            nxt = text[index + 1]
            current += nxt if nxt == delimiter else char + nxt  # `\/` is a literal delimiter
            index += 2
            continue
        if char == delimiter and len(parts) < 2:
            parts.append(current)
            current = ""
        else:
            current += char
        index += 1
    parts.append(current)
    return parts
