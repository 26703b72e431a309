"""What a Python `for` loop walks, when a driver script's list is known without running it.

    for f in sorted(glob.glob("prompts/*.md")):        for f in Path("prompts").rglob("*.md"):
    for m in Path("models.txt").read_text().split():   for m in json.load(open("models.json"))["models"]:

A glob stays a glob (one value, expanded when the job runs, as for `for f in prompts/*.md` in a
shell script), so a per-file `-f` folds into one job over it. A list file is read as data at
migrate time with the same limits as a shell `while read` list, and the note names it and its
digest. `Path(f).stem`, `f.name`, `os.path.basename(f)` and `os.path.splitext(…)[0]` of a loop
value are derived values, so an output file named after each input becomes `{input_stem}` etc.
"""

from __future__ import annotations

import ast
import json
import posixpath
from dataclasses import dataclass
from typing import Any, Protocol

from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.core.loop_input import read_workspace_file
from aipack_compat.load.scripts.core.scope import LOOP_TOKEN_RE
from aipack_compat.load.scripts.shell.substitutions import basename


class PythonEvaluator(Protocol):
    """What the loop readers use of the walker of calls.py: its static evaluation and where it stands."""

    collector: Collector
    cwd: str

    def evaluate(self, node: ast.expr, names: dict[str, Any]) -> Any:
        """The value of an expression, when it is known statically (None otherwise)."""


_WRAPPERS = frozenset({"sorted", "list", "tuple", "set", "reversed"})


@dataclass(frozen=True, slots=True)
class PythonLoop:
    values: list[str] | None
    globbed: bool = False
    note: str | None = None
    problem: str | None = None


def loop_source(walker: PythonEvaluator, node: ast.expr, names: dict[str, Any]) -> PythonLoop | None:
    """The values of `for x in <node>` for the shapes above; None when it is none of them."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _WRAPPERS and node.args:
        node = node.args[0]
    if not isinstance(node, (ast.Call, ast.Subscript)):
        return None
    glob = _glob(walker, node, names)
    if glob is not None:
        return glob
    return _data(walker, node, names)


def _glob(walker: PythonEvaluator, node: ast.expr, names: dict[str, Any]) -> PythonLoop | None:
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return None
    method, receiver = node.func.attr, node.func.value
    pattern = walker.evaluate(node.args[0], names) if node.args else None
    if method in ("glob", "iglob") and isinstance(receiver, ast.Name) and receiver.id == "glob":
        if not isinstance(pattern, str):
            return PythonLoop(None, problem="its glob pattern is only known at run time")
        recursive = any(k.arg == "recursive" and isinstance(k.value, ast.Constant) and k.value.value is True
                        for k in node.keywords)
        if "**" in pattern and not recursive:
            pattern = pattern.replace("**", "*")  # glob.glob without recursive=True reads `**` as `*`
        return PythonLoop([pattern], globbed=True)
    if method in ("glob", "rglob") and _is_path(receiver):
        directory = walker.evaluate(receiver.args[0], names) if isinstance(receiver, ast.Call) and receiver.args else \
            walker.evaluate(receiver, names)
        if not isinstance(directory, str) or not isinstance(pattern, str):
            return PythonLoop(None, problem="its directory or pattern is only known at run time")
        joined = posixpath.join(directory, f"**/{pattern}" if method == "rglob" else pattern)
        note = ("Path.glob/rglob also yield hidden files, which the job's glob skips"
                if not pattern.startswith(".") else None)
        return PythonLoop([joined[2:] if joined.startswith("./") else joined], globbed=True, note=note)
    if method == "listdir" and isinstance(receiver, ast.Name) and receiver.id == "os":
        return PythonLoop(None, problem="os.listdir gives names without their directory")
    return None


def _data(walker: PythonEvaluator, node: ast.expr, names: dict[str, Any]) -> PythonLoop | None:
    """`….read_text().split()/.splitlines()`, `open(F).read().split…`, `json.load(open(F))[…]`."""
    keys: list[Any] = []
    while isinstance(node, ast.Subscript):
        key = walker.evaluate(node.slice, names)
        if not isinstance(key, (str, int)) or isinstance(key, bool):
            return PythonLoop(None, problem="it indexes data with a key only known at run time")
        keys.insert(0, key)
        node = node.value
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute | ast.Name):
        return None
    name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
    if name in ("split", "splitlines") and isinstance(node.func, ast.Attribute) and not keys:
        path = _read_path(walker, node.func.value, names)
        if path is None:
            return None
        if node.args:
            return PythonLoop(None, problem="it splits on a separator other than whitespace or lines")
        source = read_workspace_file(walker.collector.root, path, walker.cwd)
        if source.text is None:
            return PythonLoop(None, problem=source.problem)
        values = source.text.split() if name == "split" else source.text.splitlines()
        return PythonLoop(values, note=_note(source.file or path, source.digest, values, name))
    if name in ("load", "loads") and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
            and node.func.value.id == "json" and node.args:
        path = _read_path(walker, node.args[0], names, allow_open_handle=name == "load")
        if path is None:
            return None
        source = read_workspace_file(walker.collector.root, path, walker.cwd)
        if source.text is None:
            return PythonLoop(None, problem=source.problem)
        try:
            document: Any = json.loads(source.text)
            for key in keys:
                document = document[key]
        except (ValueError, KeyError, IndexError, TypeError):
            return PythonLoop(None, problem=f"{source.described} has no {''.join(f'[{k!r}]' for k in keys)} list")
        if not isinstance(document, list) or not all(isinstance(v, str) for v in document):
            return PythonLoop(None, problem=f"{source.described}{''.join(f'[{k!r}]' for k in keys)} is not a list of strings")
        return PythonLoop(list(document), note=_note(source.file or path, source.digest, document, "json"))
    return None


def _read_path(walker: PythonEvaluator, node: ast.expr, names: dict[str, Any], allow_open_handle: bool = False) -> str | None:
    """The file behind `Path(F).read_text()`, `open(F).read()` (or `open(F)` for json.load)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("read_text", "read"):
        target = node.func.value
        if node.func.attr == "read_text":
            value = walker.evaluate(target, names)
            return value if isinstance(value, str) else None
        node = target
        allow_open_handle = True
    if allow_open_handle and isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open" and node.args:
        value = walker.evaluate(node.args[0], names)
        return value if isinstance(value, str) else None
    return None


def _is_path(node: ast.expr) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("Path", "PurePath")) \
        or isinstance(node, ast.Name)


def _note(file: str, digest: str | None, values: list[str], how: str) -> str:
    shown = ", ".join(values[:6]) + (", …" if len(values) > 6 else "")
    return (f"the loop walks {file} ({how}): it was read at migrate time (sha256 {digest}) and its {len(values)} "
            f"value(s) ({shown}) are frozen into the job; migrate again when {file} changes")


def derived_path(walker: PythonEvaluator, value: Any, operation: str) -> Any:
    """`Path(f).stem` / `.name` / `os.path.basename(f)` / `splitext(x)[0]` of a loop value."""
    if not isinstance(value, str) or not LOOP_TOKEN_RE.search(value):
        if isinstance(value, str):
            return {"name": basename(value), "stem": _stem(basename(value)), "trunk": _trunk(value),
                    "parent": posixpath.dirname(value)}.get(operation)
        return None
    collector = walker.collector
    if operation == "name":
        return collector.derive(value, basename, ("basename", ""))
    if operation == "stem":
        name = collector.derive(value, basename, ("basename", ""))
        return collector.derive(name, _stem, ("%", ".*")) if name else None
    if operation == "trunk":
        return collector.derive(value, _trunk, ("%", ".*"))
    return None


def _stem(name: str) -> str:
    return name.rpartition(".")[0] if "." in name.lstrip(".") else name


def _trunk(path: str) -> str:
    head, _, name = path.rpartition("/")
    return f"{head}/{_stem(name)}" if head else _stem(name)
