"""Config rewrites between runs: `sed -i`, `cp`/`mv`/`ln`, here-docs and `echo`/`printf` into a config,
and the restores that undo them (`mv x.bak x`, `git checkout x`).

Only TOML files aip reads matter (`is_config_path`); a rewrite is recorded where it happens, so
each `aip run` after it carries the rewrites active at that point (Collector.active_rewrites).
"""

from __future__ import annotations

import posixpath
from typing import Any

from aipack_compat.load.scripts.core.records import PendingRewrite
from aipack_compat.load.scripts.core.scope import Scope, Value, resolve_path
from aipack_compat.load.scripts.shell.commands.config_templates import sed_template
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.redirects import Redirects
from aipack_compat.model.invocation import RewriteKind


BACKUP_SUFFIXES = (".bak", ".orig", ".backup", ".old", ".save", "~")


def is_config_path(path: str | None) -> bool:
    """A file a rewrite of which changes aip's options: a `config*.toml` or any TOML in .aipack/.devai."""
    if path is None or not path.endswith(".toml"):
        return False
    base = posixpath.basename(path)
    return base.startswith("config") or "/.aipack/" in path or "/.devai/" in path


def _sed(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    scripts: list[Value] = []
    files: list[Value] = []
    in_place = False
    suffix: str | None = None
    extended = False
    index = 0
    while index < len(args):
        token = args[index]
        index += 1
        if token is None:
            (files if scripts else scripts).append(None)
            continue
        if token in ("-e", "--expression"):
            scripts.append(args[index] if index < len(args) else None)
            index += 1
        elif token.startswith("--in-place") or (token.startswith("-i") and not token.startswith("-i=")):
            in_place = True
            attached = token.split("=", 1)[1] if token.startswith("--in-place=") else token[2:]
            if attached:
                suffix = attached
            elif token == "-i" and index < len(args) and args[index] is not None and _is_bsd_suffix(args, index):
                suffix = args[index] or None  # BSD sed: `-i ''` or `-i .bak`
                index += 1
        elif token in ("-E", "-r", "--regexp-extended"):
            extended = True
        elif token.startswith("-") and len(token) > 1:
            extended = extended or "E" in token[1:] or "r" in token[1:]
            in_place = in_place or "i" in token[1:]
        elif not scripts:
            scripts.append(token)
        else:
            files.append(token)
    if not in_place:
        if redirects.stdout_set and redirects.stdout is not None and is_config_path(redirects.stdout):
            joined: Value = None if any(s is None for s in scripts) else "\n".join(s for s in scripts if s is not None)
            sed_template(scanner, node, joined, files, extended, scope, redirects)
        return
    for file in files:
        target = resolve_path(scope.cwd, file)
        if target is None or not is_config_path(target):
            continue
        script: Value = None if any(s is None for s in scripts) else "\n".join(s for s in scripts if s is not None)
        scanner.collector.add_rewrite(PendingRewrite(
            kind="sed", target=target, location=scanner.where(node), sed_script=script,
            backup_suffix=suffix, extended_regex=extended, dynamic=script is None,
        ))


def _is_bsd_suffix(args: list[Value], index: int) -> bool:
    candidate = args[index]
    has_more = index + 1 < len(args)
    return has_more and candidate is not None and (candidate == "" or (candidate.startswith(".") and "/" not in candidate))


def _copy(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    operands = [a for a in args if a is None or not a.startswith("-")]
    if len(operands) != 2 or operands[1] is None:
        return
    source = resolve_path(scope.cwd, operands[0])
    target = resolve_path(scope.cwd, operands[1])
    if target is None:
        return
    if target.endswith("/") or (source and posixpath.basename(source) and is_config_path(source) and not is_config_path(target)):
        return  # copying a config away (a backup) changes nothing
    if not is_config_path(target):
        return
    if source is not None and is_backup_of(source, target):
        scanner.collector.restore(target)
        return
    scanner.collector.add_rewrite(PendingRewrite(kind="copy", target=target, location=scanner.where(node),
                                                 copy_from=source, dynamic=source is None))


def is_backup_of(source: str, target: str) -> bool:
    if source == target:
        return False
    if source.startswith(target) and source[len(target):] in BACKUP_SUFFIXES + tuple("." + s for s in ("bak1", "tmp")):
        return True
    return posixpath.dirname(source) == posixpath.dirname(target) and any(
        posixpath.basename(source) == prefix + posixpath.basename(target) for prefix in (".", "_", "orig-", "backup-")
    )


def _git(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    if not args or args[0] not in ("checkout", "restore"):
        return
    for operand in args[1:]:
        if operand is None or operand.startswith("-"):
            continue
        target = resolve_path(scope.cwd, operand)
        if target is not None and is_config_path(target):
            scanner.collector.restore(target)


def write_config(scanner: ScannerProtocol, node: Any, target: str, content: Value, dynamic: bool) -> None:
    kind: RewriteKind = "heredoc" if content is not None and not dynamic else "write"
    scanner.collector.add_rewrite(PendingRewrite(kind=kind, target=target, location=scanner.where(node),
                                                 content=content, dynamic=dynamic or content is None))


def _cat_or_tee(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    head = "tee" if any(a is not None for a in args) and redirects.heredoc_set and not redirects.stdout_set else "cat"
    if head == "tee":
        for operand in args:
            if operand is None or operand.startswith("-"):
                continue
            target = resolve_path(scope.cwd, operand)
            if target is not None and is_config_path(target):
                write_config(scanner, node, target, redirects.heredoc, dynamic=redirects.heredoc is None)
        return
    if redirects.stdout_set and redirects.stdout is not None and is_config_path(redirects.stdout):
        content = redirects.heredoc if redirects.heredoc_set and not args else None
        write_config(scanner, node, redirects.stdout, content, dynamic=content is None)


def _echo(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    if not (redirects.stdout_set and redirects.stdout is not None and is_config_path(redirects.stdout)):
        return
    newline = True
    words = list(args)
    while words and words[0] in ("-n", "-e", "-E", "-ne", "-en"):
        newline = newline and "n" not in (words[0] or "")
        words.pop(0)
    content: Value = None if any(w is None for w in words) else " ".join(w for w in words if w is not None)
    if content is not None and newline:
        content += "\n"
    if redirects.append:
        return  # appending a line to a config is rare; the full text is unknown
    write_config(scanner, node, redirects.stdout, content, dynamic=content is None)


def _printf(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    if not (redirects.stdout_set and redirects.stdout is not None and is_config_path(redirects.stdout)):
        return
    content: Value = None
    if len(args) == 1 and args[0] is not None and "%" not in args[0]:
        content = args[0].replace("\\n", "\n").replace("\\t", "\t")
    write_config(scanner, node, redirects.stdout, content, dynamic=content is None)


def _mv(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    operands = [a for a in args if a is None or not a.startswith("-")]
    if len(operands) != 2 or None in operands:
        return
    source = resolve_path(scope.cwd, operands[0])
    target = resolve_path(scope.cwd, operands[1])
    if source is None or target is None or not is_config_path(target):
        return
    if is_backup_of(source, target):
        scanner.collector.restore(target)
    elif not is_config_path(source) or source != target:
        scanner.collector.add_rewrite(PendingRewrite(kind="copy", target=target, location=scanner.where(node),
                                                     copy_from=source))


REWRITE_HANDLERS = {
    "sed": _sed, "gsed": _sed,
    "cp": _copy, "ln": _copy, "install": _copy, "mv": _mv,
    "git": _git,
    "cat": _cat_or_tee, "tee": _cat_or_tee, "echo": _echo, "printf": _printf,
}
