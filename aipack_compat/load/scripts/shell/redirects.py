"""Redirections of the statement being scanned: where stdout/stderr go, and here-doc text.

bash applies redirections left to right, so `> out 2>&1` sends both streams to `out` while
`2>&1 > out` does not (bash manual, "Redirections"); here-doc bodies expand like double-quoted
text unless the delimiter is quoted (bash manual, "Here Documents").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from aipack_compat.load.scripts.core.scope import Scope, Value, resolve_path
from aipack_compat.load.scripts.shell.words import WordEvaluator, node_text


@dataclass(frozen=True, slots=True)
class Redirects:
    """Where stdout/stderr of the command being visited go (inherited by compound bodies)."""

    stdout: Value = None
    stdout_set: bool = False
    stderr: Value = None
    stderr_set: bool = False
    append: bool = False
    heredoc: Value = None
    heredoc_set: bool = False
    stdin: Value = None  # `< FILE` (absolute path)
    stdin_set: bool = False
    note: str | None = None  # e.g. "stdout piped into `jq`"


def apply_redirects(words: WordEvaluator, node: Any, scope: Scope, redirects: Redirects) -> Redirects:
    """Fold a statement's redirections (`> f`, `2>&1`, `&>>`, here-docs) over the inherited ones."""
    stack = [c for i, c in enumerate(node.children) if node.field_name_for_child(i) == "redirect"]
    while stack:
        redirect = stack.pop(0)
        if redirect.type == "heredoc_redirect":
            redirects = replace(redirects, heredoc=_heredoc_text(words, redirect, scope), heredoc_set=True)
            stack[0:0] = [c for c in redirect.named_children if c.type in ("file_redirect", "herestring_redirect")]
        elif redirect.type == "file_redirect":
            redirects = _file_redirect(words, redirect, scope, redirects)
        elif redirect.type == "herestring_redirect":
            values = [words.value(c, scope) for c in redirect.named_children]
            redirects = replace(redirects, heredoc=values[-1] if values else None, heredoc_set=True)
    return redirects


def _file_redirect(words: WordEvaluator, redirect: Any, scope: Scope, redirects: Redirects) -> Redirects:
    descriptor = redirect.child_by_field_name("descriptor")
    destination = redirect.child_by_field_name("destination")
    operator = next((node_text(c) for c in redirect.children if not c.is_named), ">")
    fd = node_text(descriptor) if descriptor is not None else ("0" if operator.startswith("<") else "1")
    target = words.value(destination, scope) if destination is not None else None
    if operator == "<" and fd == "0":
        return replace(redirects, stdin=resolve_path(scope.cwd, target), stdin_set=True)
    if operator.startswith("<") and operator not in ("<>",):
        return redirects
    if operator in (">&", "<&") and target is not None and target.isdigit():
        if fd == "2" and target == "1":
            return replace(redirects, stderr=redirects.stdout, stderr_set=redirects.stdout_set)
        if fd == "1" and target == "2":
            return replace(redirects, stdout=redirects.stderr, stdout_set=redirects.stderr_set)
        return redirects
    path = resolve_path(scope.cwd, target)
    append = operator in (">>", "&>>")
    if operator in ("&>", "&>>", ">&"):
        return replace(redirects, stdout=path, stdout_set=True, stderr=path, stderr_set=True, append=append)
    if fd == "2":
        return replace(redirects, stderr=path, stderr_set=True)
    return replace(redirects, stdout=path, stdout_set=True, append=append, note=None)


def _heredoc_text(words: WordEvaluator, redirect: Any, scope: Scope) -> Value:
    start = next((c for c in redirect.children if c.type == "heredoc_start"), None)
    body = next((c for c in redirect.children if c.type == "heredoc_body"), None)
    if body is None:
        return ""
    quoted = start is not None and any(q in node_text(start) for q in ("'", '"', "\\"))
    strip_tabs = any(node_text(c) == "<<-" for c in redirect.children if not c.is_named)
    if quoted:
        raw = node_text(body)
    else:
        parts: list[str] = []
        position = body.start_byte
        for child in body.named_children:
            if child.type == "heredoc_content":
                continue
            parts.append(_unescape_heredoc(words.source[position:child.start_byte].decode("utf-8", "replace")))
            value = words.value(child, scope)
            if value is None:
                return None
            parts.append(value)
            position = child.end_byte
        parts.append(_unescape_heredoc(words.source[position:body.end_byte].decode("utf-8", "replace")))
        raw = "".join(parts)
    if strip_tabs:
        raw = "\n".join(line.lstrip("\t") for line in raw.split("\n"))
    return raw


def _unescape_heredoc(text: str) -> str:
    # In an unquoted here-doc a backslash escapes only $, ` and \ (bash manual, "Here Documents").
    out: list[str] = []
    index = 0
    while index < len(text):
        if text[index] == "\\" and index + 1 < len(text) and text[index + 1] in "$`\\\n":
            if text[index + 1] != "\n":
                out.append(text[index + 1])
            index += 2
            continue
        out.append(text[index])
        index += 1
    return "".join(out)
