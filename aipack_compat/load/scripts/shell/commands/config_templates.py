"""A config written from a template: `sed S template > config`, `envsubst < template > config`.

    sed "s/MODEL_NAME/$m/" config.template > .aipack/config.toml
    cat config.template | sed "s/MODEL_NAME/$m/" > .aipack/config.toml
    MODEL=$m envsubst < config.tmpl > .aipack/config.toml
    envsubst '$MODEL' <<'EOF' > .aipack/config.toml … EOF

The sed form is two rewrites, as the shell's effect is: the config becomes the template (a copy,
read when migrating, like `cp`), then the sed script runs on it (per cell, the loop value filled in).
envsubst's output is computed here: `$VAR`/`${VAR}` from the command's environment (exported
variables and `VAR=… envsubst`), an unset variable giving "" as envsubst does, and only the names
of its SHELL-FORMAT argument when it has one. A template or a variable only known at run time
leaves the rewrite dynamic, reported by migrate.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from aipack_compat.load.scripts.core.loop_input import read_workspace_file
from aipack_compat.load.scripts.core.records import PendingRewrite
from aipack_compat.load.scripts.core.scope import Scope, Value, resolve_path
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.redirects import Redirects

_VARIABLE_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def sed_template(scanner: ScannerProtocol, node: Any, script: Value, files: list[Value], extended: bool,
                 scope: Scope, redirects: Redirects) -> None:
    """`sed S [FILE] > config` (not in place): the config becomes sed's output of the template."""
    target = redirects.stdout
    if target is None:
        return
    template = _template_path(scanner, files, scope, redirects)
    where = scanner.where(node)
    if template is None or script is None:
        scanner.collector.add_rewrite(PendingRewrite(kind="write", target=target, location=where, dynamic=True))
        return
    scanner.collector.add_rewrite(PendingRewrite(kind="copy", target=target, location=where, copy_from=template))
    scanner.collector.add_rewrite(PendingRewrite(kind="sed", target=target, location=where, sed_script=script,
                                                 extended_regex=extended))


def envsubst_template(scanner: ScannerProtocol, node: Any, args: list[Value], scope: Scope, redirects: Redirects,
                      env: dict[str, Value]) -> None:
    """`[VAR=…] envsubst ['$A $B'] < template > config`: the rendered template is the new config."""
    target = redirects.stdout
    if target is None:
        return
    where = scanner.where(node)
    text = _template_text(scanner, scope, redirects)
    operands = [a for a in args if a is None or not a.startswith("-")]
    if text is None or any(a is None for a in operands) or any(a is not None and a.startswith("-") for a in args):
        scanner.collector.add_rewrite(PendingRewrite(kind="write", target=target, location=where, dynamic=True))
        return
    allowed = {a or b for operand in operands for a, b in _VARIABLE_RE.findall(operand or "")} if operands else None
    environment = {**scope.exported, **env}
    unknown = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1) or match.group(2)
        if allowed is not None and name not in allowed:
            return match.group(0)
        value = environment.get(name, "")
        if value is None:
            unknown = True
            return ""
        return value

    rendered = _VARIABLE_RE.sub(substitute, text)
    scanner.collector.add_rewrite(PendingRewrite(kind="heredoc" if not unknown else "write", target=target,
                                                 location=where, content=None if unknown else rendered,
                                                 dynamic=unknown))


def _template_path(scanner: ScannerProtocol, files: list[Value], scope: Scope, redirects: Redirects) -> str | None:
    """The one file sed reads: its operand, `< FILE`, or `cat FILE |` (root-relative)."""
    if len(files) > 1 or any(f is None for f in files):
        return None
    if files:
        absolute = resolve_path(scope.cwd, files[0])
    elif redirects.stdin_set:
        absolute = redirects.stdin
    elif scanner.piped_input is not None and scanner.piped_input.file is not None:
        return scanner.piped_input.file
    else:
        return None
    if absolute is None or "%%loop-" in absolute:
        return None
    return posixpath.relpath(absolute, scanner.collector.root)


def _template_text(scanner: ScannerProtocol, scope: Scope, redirects: Redirects) -> str | None:
    """What envsubst reads on stdin: a here-doc, `< FILE` (a workspace file, read as data) or a pipe."""
    if redirects.heredoc_set:
        return redirects.heredoc
    if redirects.stdin_set and redirects.stdin is not None:
        return read_workspace_file(scanner.collector.root, redirects.stdin, scope.cwd).text
    if scanner.piped_input is not None:
        return scanner.piped_input.text
    return None
