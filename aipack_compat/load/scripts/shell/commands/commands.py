"""What the scanner knows about ordinary commands: wrappers, `cd`, grep, nested shells, traps.

Only the static effect that matters for migration is modelled: where the shell is (`cd`),
which regex reads a score out of the outputs (`grep -o`), which strings are scripts too
(`sh -c`, `trap`); config rewrites are rewrites.py, `source` sourced_files.py, `read`
read_command.py, `mapfile` loops/arrays.py.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any, Callable

from aipack_compat.load.scripts.core.aip_argv import parse_duration
from aipack_compat.load.scripts.core.records import GrepUse
from aipack_compat.load.scripts.core.scope import Scope, Value, resolve_path
from aipack_compat.load.scripts.shell.commands.config_templates import envsubst_template
from aipack_compat.load.scripts.shell.commands.read_command import read_names
from aipack_compat.load.scripts.shell.commands.rewrites import REWRITE_HANDLERS, is_config_path, write_config
from aipack_compat.load.scripts.shell.commands.sourced_files import source_file
from aipack_compat.load.scripts.shell.loops.arrays import mapfile
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.redirects import Redirects

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
    while _is_option(args, index):
        index += 2 if args[index] in ("-k", "-s") else 1
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
    while _is_option(args, index):
        index += 2 if args[index] in valued else 1
    return args[index:]


def _is_option(args: list[Value], index: int) -> bool:
    word = args[index] if index < len(args) else None
    return word is not None and word.startswith("-")


Handler = Callable[[ScannerProtocol, Any, list[Value], Scope, Redirects], None]


def dispatch(scanner: ScannerProtocol, node: Any, argv: list[Value], scope: Scope, redirects: Redirects,
             env: dict[str, Value] | None = None) -> None:
    """An ordinary command (not `aip run`, not a function of the script): its effect on the walk."""
    head = posixpath.basename(argv[0]) if argv[0] else None
    args = argv[1:]
    if head == "envsubst" and redirects.stdout_set and redirects.stdout is not None and is_config_path(redirects.stdout):
        envsubst_template(scanner, node, args, scope, redirects, env or {})
        return
    if head == "egrep":
        args = ["-E", *args]
    handler = _HANDLERS.get(head or "")
    if handler is not None:
        handler(scanner, node, args, scope, redirects)
    elif redirects.stdout_set and redirects.stdout is not None and is_config_path(redirects.stdout):
        content = redirects.heredoc if head in ("cat", "tee") and redirects.heredoc_set else None
        write_config(scanner, node, redirects.stdout, content, dynamic=content is None)


def _cd(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    operands = [a for a in args if a is None or not a.startswith("-") or a == "-"]
    if not operands:
        scope.cwd = None  # `cd` alone goes to $HOME
        return
    target = operands[0]
    if target == "-":
        scope.cwd = scope.dir_stack[-1] if scope.dir_stack else None
        return
    scope.cwd = resolve_path(scope.cwd, target)


def _pushd(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    scope.dir_stack.append(scope.cwd)
    _cd(scanner, node, args, scope, redirects)


def _popd(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    scope.cwd = scope.dir_stack.pop() if scope.dir_stack else None


def _grep(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
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


def _nested_shell(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    """`bash -c '...'` / `sh -c "..."`: the string is a script too (scanned, never run)."""
    if "-c" not in args:
        return
    position = args.index("-c")
    if position + 1 >= len(args) or args[position + 1] is None:
        return
    scanner.scan_string(node, args[position + 1] or "", scope, redirects)


def _trap(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects) -> None:
    """A trap runs later (on EXIT/ERR/signals): scanned once the whole script has been walked."""
    if args and args[0] is not None and args[0] not in ("-", "-l", "-p", ""):
        scanner.deferred.append((node, args[0], scope.copy()))


_HANDLERS: dict[str, Handler] = {
    **REWRITE_HANDLERS,
    "cd": _cd, "pushd": _pushd, "popd": _popd,
    "grep": _grep, "egrep": _grep, "rg": _grep,
    "sh": _nested_shell, "bash": _nested_shell, "zsh": _nested_shell, "dash": _nested_shell,
    "trap": _trap,
    "read": read_names,
    "mapfile": mapfile, "readarray": mapfile,
    "source": source_file, ".": source_file,
}
