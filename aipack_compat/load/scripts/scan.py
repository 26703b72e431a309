"""Scripts that call `aip run`: shell, Makefile, CI YAML, Python. Parsed, never executed.

`scan_script_text(path, text, root)` picks the front-end from the file name (and shebang),
walks it, and returns a `ScriptScan`: the invocations with everything resolved statically,
the config rewrites seen, and located parse problems (partial results are kept).
"""

from __future__ import annotations

import os
import posixpath
import re

from aipack_compat.load.script_collect import Collector
from aipack_compat.load.shell_words import Scope
from aipack_compat.model.invocation import ScriptLocation, ScriptOrigin, ScriptScan

MAX_SCRIPT_CHARS = 2_000_000


def script_kind(path: str, text: str) -> ScriptOrigin | None:
    """Which front-end reads this file (None: not a script we understand)."""
    name = posixpath.basename(path.replace(os.sep, "/"))
    parts = path.replace(os.sep, "/").split("/")
    if name in ("Makefile", "makefile", "GNUmakefile") or name.endswith(".mk"):
        return "makefile"
    task_runner = task_runner_kind(name)
    if task_runner is not None:
        return task_runner
    if name.endswith((".yml", ".yaml")):
        return "ci-yaml"
    if name.endswith(".py") or _shebang(text, ("python",)):
        return "python"
    if name.endswith((".sh", ".bash", ".zsh", ".ksh")) or _shebang(text, ("sh", "bash", "zsh", "ksh", "dash")):
        return "shell"
    if ".github" in parts:
        return "ci-yaml"
    return None


def task_runner_kind(name: str) -> ScriptOrigin | None:
    """justfile, package.json, editor tasks.json (VS Code, Zed), go-task Taskfile."""
    if name in ("justfile", "Justfile", ".justfile", "JUSTFILE") or name.endswith(".just"):
        return "justfile"
    if name == "package.json":
        return "package-json"
    if name == "tasks.json":
        return "editor-tasks"
    if re.fullmatch(r"[Tt]askfile(?:\.dist)?\.ya?ml", name):
        return "taskfile"
    return None


def _shebang(text: str, interpreters: tuple[str, ...]) -> bool:
    if not text.startswith("#!"):
        return False
    first = text.split("\n", 1)[0]
    words = first[2:].replace("/", " ").split()
    return any(word.rstrip("0123456789.") in interpreters for word in words[-2:])


def find_workspace_root(script_path: str) -> str:
    """The nearest ancestor holding `.aipack/` or `.devai/` (else the script's directory)."""
    start = posixpath.dirname(_absolute(script_path))
    current = start
    while True:
        if os.path.isdir(os.path.join(current, ".aipack")) or os.path.isdir(os.path.join(current, ".devai")):
            return current
        parent = posixpath.dirname(current)
        if parent == current:
            return start
        current = parent


def scan_script_text(path: str, text: str, root: str | None = None, kind: ScriptOrigin | None = None) -> ScriptScan:
    """Scan one script. `root` is the directory paths are made relative to (default: inferred)."""
    origin = kind or script_kind(path, text) or "shell"
    root_abs = _absolute(root) if root is not None else find_workspace_root(path)
    collector = Collector(path, origin, root_abs)
    if len(text) > MAX_SCRIPT_CHARS:
        collector.problem(collector.location(0, 0), f"script is {len(text):,} characters; only the first {MAX_SCRIPT_CHARS:,} are scanned")
        text = text[:MAX_SCRIPT_CHARS]
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")  # tree-sitter stops reading at NUL
    if origin == "makefile":
        from aipack_compat.load.makefile import scan_makefile

        scan_makefile(collector, text, _absolute(path))
    elif origin == "ci-yaml":
        from aipack_compat.load.ci_yaml import scan_ci_yaml

        scan_ci_yaml(collector, text, root_abs)
    elif origin in ("justfile", "package-json", "editor-tasks", "taskfile"):
        from aipack_compat.load.task_files import scan_task_runner

        scan_task_runner(collector, origin, text, _absolute(path))
    elif origin == "python":
        from aipack_compat.load.python_calls import scan_python

        scan_python(collector, text, _absolute(path))
    else:
        scan_shell(collector, text, _absolute(path))
    return collector.finish()


def scan_script_bytes(path: str, raw: bytes, root: str | None = None, kind: ScriptOrigin | None = None) -> ScriptScan:
    """Like `scan_script_text` for raw bytes: invalid UTF-8 is replaced, and reported."""
    try:
        text = raw.decode("utf-8")
        bad_at: int | None = None
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", "replace")
        bad_at = exc.start
    scan = scan_script_text(path, text, root, kind)
    if bad_at is not None:
        line = raw.count(b"\n", 0, bad_at) + 1
        column = bad_at - (raw.rfind(b"\n", 0, bad_at) + 1) + 1
        scan.parse_problems.append(_location(path, line, column))
        scan.problem_messages.append(f"invalid UTF-8 byte 0x{raw[bad_at]:02x}; replaced before scanning")
    return scan


def scan_shell(collector: Collector, text: str, script_path: str, line_offset: int = 0, scope: Scope | None = None) -> None:
    from aipack_compat.load.shell_scan import ShellScanner

    scope = scope or initial_scope(script_path)
    ShellScanner(collector, text.encode("utf-8", "surrogatepass"), line_offset).scan(scope)


def initial_scope(script_path: str, cwd: str | None = None) -> Scope:
    """A script is assumed to run from its own directory (noted in the migration report)."""
    return Scope(cwd=cwd or posixpath.dirname(script_path), script_path=script_path)


def _absolute(path: str) -> str:
    return posixpath.normpath(os.path.abspath(path).replace(os.sep, "/"))


def _location(path: str, line: int, column: int) -> ScriptLocation:
    return ScriptLocation(path, line, column, line, column)
