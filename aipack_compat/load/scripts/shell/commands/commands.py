"""What the scanner knows about ordinary commands: wrappers, `cd`, config rewrites, restores, grep.

Only the static effect that matters for migration is modelled: where the shell is (`cd`),
which config file is rewritten and how (`sed -i`, here-doc, `cp`), whether it is put back
(`mv x.bak x`, `git checkout x`), and which regex reads a score out of the outputs (`grep -o`).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aipack_compat.load.aip_argv import parse_duration
from aipack_compat.load.script_collect import GrepUse, PendingRewrite
from aipack_compat.load.shell_words import Scope, Value, resolve_path

if TYPE_CHECKING:
    from aipack_compat.load.shell_scan import Redirects, ShellScanner

BACKUP_SUFFIXES = (".bak", ".orig", ".backup", ".old", ".save", "~")
# wrapper -> options that take a value (the wrapped command follows the options)
_WRAPPER_VALUE_OPTIONS: dict[str, frozenset[str]] = {
    "time": frozenset({"-f", "-o"}),
    "nice": frozenset({"-n"}),
    "nohup": frozenset(),
    "command": frozenset(),
    "exec": frozenset({"-a"}),
    "builtin": frozenset(),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "ionice": frozenset({"-c", "-n", "-p"}),
    "caffeinate": frozenset(),
    "sudo": frozenset({"-u", "-g", "-C", "-h", "-p"}),
}


@dataclass(slots=True)
class Unwrapped:
    argv: list[Value]
    env: dict[str, Value] = field(default_factory=dict)
    timeout: float | None = None


def unwrap(argv: list[Value]) -> Unwrapped:
    """Peel `timeout 90s`, `env X=Y`, `time`, `nice -n 5`, `nohup`, ... off a command line."""
    result = Unwrapped(list(argv))
    for _ in range(8):
        head = posixpath.basename(result.argv[0]) if result.argv and result.argv[0] else None
        if head in ("timeout", "gtimeout"):
            result.argv, result.timeout = _unwrap_timeout(result.argv[1:])
        elif head == "env":
            result.argv = _unwrap_env(result.argv[1:], result.env)
        elif head in _WRAPPER_VALUE_OPTIONS:
            result.argv = _skip_options(result.argv[1:], _WRAPPER_VALUE_OPTIONS[head])
        else:
            break
    return result


def _unwrap_timeout(args: list[Value]) -> tuple[list[Value], float | None]:
    index = 0
    while index < len(args) and args[index] is not None and args[index].startswith("-"):  # type: ignore[union-attr]
        option = args[index] or ""
        index += 2 if option in ("-k", "-s") else 1
    if index >= len(args):
        return [], None
    return args[index + 1:], parse_duration(args[index])


def _unwrap_env(args: list[Value], env: dict[str, Value]) -> list[Value]:
    index = 0
    while index < len(args):
        token = args[index]
        if token is None:
            break
        if token in ("-u", "--unset", "-C", "--chdir"):
            index += 2
        elif token.startswith("-"):
            index += 1
        elif "=" in token and not token.startswith("="):
            key, _, value = token.partition("=")
            env[key] = value
            index += 1
        else:
            break
    return args[index:]


def _skip_options(args: list[Value], valued: frozenset[str]) -> list[Value]:
    index = 0
    while index < len(args) and args[index] is not None and args[index].startswith("-"):  # type: ignore[union-attr]
        token = args[index] or ""
        index += 2 if token in valued else 1
    return args[index:]


def dispatch(scanner: "ShellScanner", node: Any, argv: list[Value], scope: Scope, redirects: "Redirects",
             env: dict[str, Value] | None = None) -> None:
    head = posixpath.basename(argv[0]) if argv[0] else None
    args = argv[1:]
    if head == "envsubst" and redirects.stdout_set and redirects.stdout is not None and is_config_path(redirects.stdout):
        from aipack_compat.load.config_templates import envsubst_template

        envsubst_template(scanner, node, args, scope, redirects, env or {})
        return
    if head == "egrep":
        args = ["-E", *args]
    handler = _HANDLERS.get(head or "")
    if handler is not None:
        handler(scanner, node, args, scope, redirects)
    elif redirects.stdout_set and redirects.stdout is not None and is_config_path(redirects.stdout):
        content = redirects.heredoc if head in ("cat", "tee") and redirects.heredoc_set else None
        _write(scanner, node, redirects.stdout, content, dynamic=content is None)


def is_config_path(path: str | None) -> bool:
    """A file a rewrite of which changes aip's options: a `config*.toml` or any TOML in .aipack/.devai."""
    if path is None or not path.endswith(".toml"):
        return False
    base = posixpath.basename(path)
    return base.startswith("config") or "/.aipack/" in path or "/.devai/" in path


def _cd(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
    operands = [a for a in args if a is None or not a.startswith("-") or a == "-"]
    if not operands:
        scope.cwd = None  # `cd` alone goes to $HOME
        return
    target = operands[0]
    if target == "-":
        scope.cwd = scope.dir_stack[-1] if scope.dir_stack else None
        return
    scope.cwd = resolve_path(scope.cwd, target)


def _pushd(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
    scope.dir_stack.append(scope.cwd)
    _cd(scanner, node, args, scope, redirects)


def _popd(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
    scope.cwd = scope.dir_stack.pop() if scope.dir_stack else None


def _sed(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
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
            from aipack_compat.load.config_templates import sed_template

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


def _copy(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
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
    if source is not None and _is_backup_of(source, target):
        scanner.collector.restore(target)
        return
    scanner.collector.add_rewrite(PendingRewrite(kind="copy", target=target, location=scanner.where(node),
                                                 copy_from=source, dynamic=source is None))


def _is_backup_of(source: str, target: str) -> bool:
    if source == target:
        return False
    if source.startswith(target) and source[len(target):] in BACKUP_SUFFIXES + tuple("." + s for s in ("bak1", "tmp")):
        return True
    return posixpath.dirname(source) == posixpath.dirname(target) and any(
        posixpath.basename(source) == prefix + posixpath.basename(target) for prefix in (".", "_", "orig-", "backup-")
    )


def _git(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
    if not args or args[0] not in ("checkout", "restore"):
        return
    for operand in args[1:]:
        if operand is None or operand.startswith("-"):
            continue
        target = resolve_path(scope.cwd, operand)
        if target is not None and is_config_path(target):
            scanner.collector.restore(target)


def _write(scanner: "ShellScanner", node: Any, target: str, content: Value, dynamic: bool) -> None:
    kind = "heredoc" if content is not None and not dynamic else "write"
    scanner.collector.add_rewrite(PendingRewrite(kind=kind, target=target, location=scanner.where(node),
                                                 content=content, dynamic=dynamic or content is None))


def _cat_or_tee(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
    head = "tee" if any(a is not None for a in args) and redirects.heredoc_set and not redirects.stdout_set else "cat"
    if head == "tee":
        for operand in args:
            if operand is None or operand.startswith("-"):
                continue
            target = resolve_path(scope.cwd, operand)
            if target is not None and is_config_path(target):
                _write(scanner, node, target, redirects.heredoc, dynamic=redirects.heredoc is None)
        return
    if redirects.stdout_set and redirects.stdout is not None and is_config_path(redirects.stdout):
        content = redirects.heredoc if redirects.heredoc_set and not args else None
        _write(scanner, node, redirects.stdout, content, dynamic=content is None)


def _echo(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
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
    _write(scanner, node, redirects.stdout, content, dynamic=content is None)


def _printf(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
    if not (redirects.stdout_set and redirects.stdout is not None and is_config_path(redirects.stdout)):
        return
    content: Value = None
    if len(args) == 1 and args[0] is not None and "%" not in args[0]:
        content = args[0].replace("\\n", "\n").replace("\\t", "\t")
    _write(scanner, node, redirects.stdout, content, dynamic=content is None)


def _grep(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
    pattern: Value = None
    files: list[Value] = []
    extended = False
    index = 0
    while index < len(args):
        token = args[index]
        index += 1
        if token is None:
            if pattern is None:
                return
            files.append(None)
        elif token in ("-e", "--regexp"):
            pattern = args[index] if index < len(args) else None
            index += 1
        elif token in ("-m", "-A", "-B", "-C", "--max-count", "-f"):
            index += 1
        elif token.startswith("-") and len(token) > 1:
            extended = extended or (not token.startswith("--") and any(flag in token for flag in ("E", "P")))
        elif pattern is None:
            pattern = token
        else:
            files.append(resolve_path(scope.cwd, token))
    if pattern:
        scanner.collector.greps.append(GrepUse(pattern, extended, files, scanner.where(node)))


def _nested_shell(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
    """`bash -c '...'` / `sh -c "..."`: the string is a script too (scanned, never run)."""
    if "-c" not in args:
        return
    position = args.index("-c")
    if position + 1 >= len(args) or args[position + 1] is None:
        return
    scan_string(scanner, node, args[position + 1] or "", scope, redirects)


def _trap(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
    """A trap runs later (on EXIT/ERR/signals): scanned once the whole script has been walked."""
    if args and args[0] is not None and args[0] not in ("-", "-l", "-p", ""):
        scanner.deferred.append((node, args[0], scope.copy()))


def scan_string(scanner: "ShellScanner", node: Any, script: str, scope: Scope, redirects: "Redirects") -> None:
    from aipack_compat.load.shell_scan import ShellScanner, parser

    inner_scope = scope.copy()
    nested = ShellScanner(scanner.collector, script.encode("utf-8"), line_offset=node.start_point[0] + scanner.line_offset)
    nested.loops = list(scanner.loops)
    nested.functions = dict(scanner.functions)
    nested.branches, nested.repeating = list(scanner.branches), list(scanner.repeating)
    nested.depth = scanner.depth + 1
    if nested.depth < 8:
        nested.visit(parser().parse(nested.source).root_node, inner_scope, redirects)


def _source(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
    from aipack_compat.load.sourced_files import source_file

    source_file(scanner, node, args, scope, redirects)


def _mapfile(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
    from aipack_compat.load.array_sources import mapfile

    mapfile(scanner, node, args, scope, redirects)


def _read(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
    from aipack_compat.load.read_command import read_names

    read_names(scanner, node, args, scope, redirects)


def _mv(scanner: "ShellScanner", node: Any, args: list[Value], scope: Scope, redirects: "Redirects") -> None:
    operands = [a for a in args if a is None or not a.startswith("-")]
    if len(operands) != 2 or None in operands:
        return
    source = resolve_path(scope.cwd, operands[0])
    target = resolve_path(scope.cwd, operands[1])
    if source is None or target is None or not is_config_path(target):
        return
    if _is_backup_of(source, target):
        scanner.collector.restore(target)
    elif not is_config_path(source) or source != target:
        scanner.collector.add_rewrite(PendingRewrite(kind="copy", target=target, location=scanner.where(node),
                                                     copy_from=source))


_HANDLERS: dict[str, Any] = {
    "cd": _cd, "pushd": _pushd, "popd": _popd,
    "sed": _sed, "gsed": _sed,
    "cp": _copy, "ln": _copy, "install": _copy, "mv": _mv,
    "git": _git,
    "cat": _cat_or_tee, "tee": _cat_or_tee, "echo": _echo, "printf": _printf,
    "grep": _grep, "egrep": _grep, "rg": _grep,
    "sh": _nested_shell, "bash": _nested_shell, "zsh": _nested_shell, "dash": _nested_shell,
    "trap": _trap,
    "read": _read,
    "mapfile": _mapfile, "readarray": _mapfile,
    "source": _source, ".": _source,
}
