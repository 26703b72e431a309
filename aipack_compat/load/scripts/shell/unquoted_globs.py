"""`aip run eval -f prompts/*.md`: a `-f` glob the shell expands before aip sees it.

bash replaces an unquoted glob with the matching file names, so aip receives `-f prompts/a.md
prompts/b.md …`; clap takes one value per `-f` and stops at the second name (`error: unexpected
argument 'prompts/b.md' found`, checked with aip 0.8.37), so with two or more matching files
nothing runs. One matching file is passed alone (and aip widens a bare path to `**/path`); no
match leaves the pattern as it is (bash without nullglob), which is what quoting would give.
"""

from __future__ import annotations

import glob
import os
from typing import Any

from aipack_compat.load.scripts.core.scope import LOOP_TOKEN_RE, Scope, resolve_path
from aipack_compat.load.scripts.shell.words import WordEvaluator, node_text

_GLOB_CHARS = "*?["
_FILE_FLAGS = ("-f", "--on-files")


def unquoted_file_globs(words: WordEvaluator, node: Any, scope: Scope) -> list[tuple[str, int]]:
    """(pattern, files it matches now; -1 when unknown) for each unquoted `-f` glob of this command."""
    if node.type != "command":
        return []
    arguments = [child for index, child in enumerate(node.children) if node.field_name_for_child(index) == "argument"]
    found: list[tuple[str, int]] = []
    for position, argument in enumerate(arguments):
        text = node_text(argument)
        value_node = None
        if text in _FILE_FLAGS and position + 1 < len(arguments):
            value_node = arguments[position + 1]
        elif text.startswith("--on-files=") or (text.startswith("-f") and len(text) > 2 and not text.startswith("--")):
            value_node = argument
        if value_node is None or not _expands(words, value_node, scope):
            continue
        value = words.value(value_node, scope)
        if value is None:
            continue
        pattern = value.split("=", 1)[1] if value.startswith("--on-files=") else value[2:] if value_node is argument else value
        found.append((pattern, _matches(pattern, scope.cwd)))
    return found


def _expands(words: WordEvaluator, node: Any, scope: Scope) -> bool:
    """Whether bash applies pathname expansion to this word: an unquoted part holds a glob character."""
    if node.type in ("string", "raw_string", "ansi_c_string"):
        return False
    if node.type == "word":
        return _has_glob(node_text(node))
    if node.type in ("simple_expansion", "expansion"):
        value = words.value(node, scope)
        return value is not None and _has_glob(value) and not LOOP_TOKEN_RE.search(value)
    if node.type == "concatenation":
        return any(_expands(words, child, scope) for child in node.named_children)
    return False


def _has_glob(text: str) -> bool:
    escaped = False
    for character in text:
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif character in _GLOB_CHARS:
            return True
    return False


def _matches(pattern: str, cwd: str | None) -> int:
    if LOOP_TOKEN_RE.search(pattern) or cwd is None or not os.path.isdir(cwd):
        return -1
    absolute = resolve_path(cwd, pattern)
    if absolute is None:
        return -1
    return len(glob.glob(absolute))  # bash without globstar: `**` is `*`, like glob without recursive=True


def unquoted_notes(found: list[tuple[str, int]]) -> list[str]:
    """The migration notes for unquoted `-f` globs: what the shell did with each."""
    notes = []
    for pattern, count in found:
        if count > 1:
            notes.append(f"`-f {pattern}` is not quoted: the shell expands it to {count} file names and aip stops "
                         "at the second (`unexpected argument`), so this call ran nothing; the job runs every "
                         f"file of the glob, as `-f \"{pattern}\"` would")
        elif count == 1:
            notes.append(f"`-f {pattern}` is not quoted: the shell passes the one file it matches today; the job "
                         "keeps the glob, so files added later are included")
    return notes
