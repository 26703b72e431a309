"""Python callers: `subprocess.run(["aip", "run", ...])`, `os.system("aip run ...")`, via `ast`.

The module is parsed, never imported. Module-level constants, `for x in LIST:` loops, f-strings,
`cwd=`, `timeout=`, `env=`, `stdout=open(...)` and `Path(...).write_text(...)` config rewrites
are resolved; anything else is dynamic and reported.
"""

from __future__ import annotations

import ast
import posixpath
from typing import Any

from aipack_compat.load.scripts.core.aip_argv import looks_like_aip_run, parse_run
from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.core.records import GrepUse, PendingRewrite, PendingRun
from aipack_compat.load.scripts.core.scope import Scope, Value, resolve_path
from aipack_compat.load.scripts.python.loops import derived_path, loop_source
from aipack_compat.load.scripts.shell.commands.rewrites import is_backup_of, is_config_path
from aipack_compat.load.scripts.shell.scanner import scan_command_string

_SUBPROCESS_FUNCTIONS = frozenset({"run", "call", "check_call", "check_output", "Popen"})
_SHELL_FUNCTIONS = frozenset({"system", "popen"})
_REGEX_FUNCTIONS = frozenset({"search", "findall", "match", "fullmatch", "compile", "finditer"})


def scan_python(collector: Collector, text: str, script_path: str) -> None:
    try:
        tree = ast.parse(text, filename=script_path)
    except SyntaxError as exc:
        collector.problem(collector.location(exc.lineno or 0, exc.offset or 0), f"Python syntax error: {exc.msg}")
        return
    except (ValueError, RecursionError, MemoryError) as exc:
        collector.problem(collector.location(0, 0), f"cannot parse Python: {type(exc).__name__}")
        return
    PythonWalker(collector, script_path).walk(tree.body, {}, {})


class PythonWalker:
    def __init__(self, collector: Collector, script_path: str) -> None:
        self.collector = collector
        self.script_path = script_path
        self.cwd = posixpath.dirname(script_path)
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.appending: dict[str, bool] = {}  # `with open(p, "a") as out`: output appended, not truncated
        self.depth = 0

    def walk(self, body: list[ast.stmt], names: dict[str, Any], files: dict[str, Value]) -> None:
        for statement in body:
            self.statement(statement, names, files)

    def statement(self, node: ast.stmt, names: dict[str, Any], files: dict[str, Value]) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions[node.name] = node
            return
        if isinstance(node, ast.Assign):
            value = self.evaluate(node.value, names)
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = value
        elif isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            values = self.evaluate(node.iter, names)
            listed = values if isinstance(values, list) and all(isinstance(v, str) for v in values) else None
            source = loop_source(self, node.iter, names) if listed is None else None
            header = f"for {node.target.id} in {ast.unparse(node.iter)}:"[:160]
            frame = self.collector.new_frame(node.target.id, source.values if source else listed,
                                             self.collector.location(node.lineno, node.col_offset + 1), header)
            if source is not None:
                frame.globbed, frame.note, frame.values_problem = source.globbed, source.note, source.problem
                frame.from_listing = source.globbed  # Python's glob, not bash's: no globstar caveat
            inner = dict(names)
            inner[node.target.id] = frame.token
            self.walk(node.body, inner, files)
            frame.open = False  # after the loop the last value stays behind
            return
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            inner_files = dict(files)
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name) and _is_call_to(item.context_expr, "open"):
                    call = item.context_expr
                    assert isinstance(call, ast.Call)
                    path = self.evaluate(call.args[0], names) if call.args else None
                    inner_files[item.optional_vars.id] = resolve_path(self.cwd, path if isinstance(path, str) else None)
                    self.appending[item.optional_vars.id] = _opened_for_append(call)
            self.walk(node.body, names, inner_files)
            return
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                self.statement(child, names, files)
            elif isinstance(child, ast.expr):
                self.expression(child, names, files)

    def expression(self, node: ast.expr, names: dict[str, Any], files: dict[str, Value]) -> None:
        for call in [n for n in ast.walk(node) if isinstance(n, ast.Call)]:
            self.call(call, names, files)

    def call(self, call: ast.Call, names: dict[str, Any], files: dict[str, Value]) -> None:
        func = call.func
        attribute = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        if attribute in _SUBPROCESS_FUNCTIONS and owner not in ("re", "asyncio"):
            self.subprocess_call(call, names, files)
        elif attribute in _SHELL_FUNCTIONS and owner == "os" and call.args:
            command = self.evaluate(call.args[0], names)
            if isinstance(command, str):
                self.shell_string(call, command, None, None, names)
        elif attribute in _REGEX_FUNCTIONS and owner == "re" and call.args:
            pattern = self.evaluate(call.args[0], names)
            if isinstance(pattern, str):
                self.collector.greps.append(GrepUse(pattern, True, [], self.collector.location(call.lineno, call.col_offset + 1)))
        elif attribute == "write_text" and isinstance(func, ast.Attribute):
            self.write_text(call, func.value, names)
        elif attribute in ("copy", "copyfile", "copy2", "move") and owner == "shutil" and len(call.args) == 2:
            self.copy(call, names)
        elif attribute in self.functions and self.depth < 8:
            self.call_function(self.functions[attribute], call, names, files)

    def call_function(self, function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call,
                      names: dict[str, Any], files: dict[str, Value]) -> None:
        inner = dict(names)
        for parameter, argument in zip(function.args.args, call.args):
            inner[parameter.arg] = self.evaluate(argument, names)
        for keyword in call.keywords:
            if keyword.arg:
                inner[keyword.arg] = self.evaluate(keyword.value, names)
        self.depth += 1
        try:
            self.walk(function.body, inner, files)
        finally:
            self.depth -= 1

    def subprocess_call(self, call: ast.Call, names: dict[str, Any], files: dict[str, Value]) -> None:
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        argument = call.args[0] if call.args else keywords.get("args")
        if argument is None:
            return
        cwd = self._cwd(keywords.get("cwd"), names)
        timeout = self.evaluate(keywords["timeout"], names) if "timeout" in keywords else None
        timeout_seconds = float(timeout) if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) else None
        stdout = self._stream(keywords.get("stdout"), names, files)
        stderr = self._stream(keywords.get("stderr"), names, files)
        if isinstance(stderr, tuple) and stderr[0] == "STDOUT":
            stderr = stdout
        value = self.evaluate(argument, names)
        shell = keywords.get("shell")
        if isinstance(value, str) and isinstance(shell, ast.Constant) and shell.value is True:
            self.shell_string(call, value, cwd, timeout_seconds, names)
            return
        if not isinstance(value, list):
            return
        argv: list[Value] = [v if isinstance(v, str) else None for v in value]
        parsed = parse_run(argv)
        if parsed is None or not looks_like_aip_run(parsed):
            return
        env = self._env(keywords.get("env"), names)
        notes = ["output captured in Python (capture_output)"] if "capture_output" in keywords else []
        self.collector.add_run(PendingRun(
            location=self.collector.location(call.lineno, call.col_offset + 1, call.end_lineno or call.lineno, (call.end_col_offset or 0) + 1),
            command_text=" ".join((ast.unparse(call)).split())[:240],
            parsed=parsed, cwd=cwd, env=env, timeout_seconds=timeout_seconds,
            stdout=stdout if isinstance(stdout, str) else None, stdout_redirected=stdout is not None,
            stderr=stderr if isinstance(stderr, str) else None, stderr_redirected=stderr is not None,
            append=self._appends(keywords.get("stdout")), frames=list(self.collector.frames),
            rewrites=list(self.collector.active_rewrites), notes=notes,
        ))

    def shell_string(self, call: ast.Call, command: str, cwd: Value, timeout: float | None, names: dict[str, Any]) -> None:
        scope = Scope(cwd=cwd if cwd is not None else self.cwd, script_path=self.script_path)
        before = len(self.collector.runs)
        scan_command_string(self.collector, command, scope, line_offset=call.lineno - 1)
        if timeout is not None:
            for run in self.collector.runs[before:]:
                run.timeout_seconds = run.timeout_seconds or timeout

    def write_text(self, call: ast.Call, receiver: ast.expr, names: dict[str, Any]) -> None:
        path = self.evaluate(receiver, names)
        target = resolve_path(self.cwd, path if isinstance(path, str) else None)
        if target is None or not is_config_path(target):
            return
        content = self.evaluate(call.args[0], names) if call.args else None
        if isinstance(content, _Snapshot) and content.path == target:
            self.collector.restore(target)  # writing back what was read before the loop
            return
        text = content if isinstance(content, str) else None
        self.collector.add_rewrite(PendingRewrite(
            kind="heredoc" if text is not None else "write", target=target,
            location=self.collector.location(call.lineno, call.col_offset + 1), content=text, dynamic=text is None,
        ))

    def copy(self, call: ast.Call, names: dict[str, Any]) -> None:
        source, target = (self.evaluate(a, names) for a in call.args)
        source_path = resolve_path(self.cwd, source if isinstance(source, str) else None)
        target_path = resolve_path(self.cwd, target if isinstance(target, str) else None)
        if target_path is None or not is_config_path(target_path):
            return
        if source_path is not None and is_backup_of(source_path, target_path):
            self.collector.restore(target_path)
            return
        self.collector.add_rewrite(PendingRewrite(kind="copy", target=target_path, copy_from=source_path,
                                                  location=self.collector.location(call.lineno, call.col_offset + 1),
                                                  dynamic=source_path is None))

    def evaluate(self, node: ast.expr, names: dict[str, Any]) -> Any:
        """Constants, names, lists, f-strings, `+`, `str()`, `os.path.join`, `Path(...)` / `"..."`."""
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return names.get(node.id)
        if isinstance(node, (ast.List, ast.Tuple)):
            items: list[Any] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    inner = self.evaluate(element.value, names)
                    items.extend(inner if isinstance(inner, list) else [None])
                else:
                    items.append(self.evaluate(element, names))
            return items
        if isinstance(node, ast.JoinedStr):
            parts = [self.evaluate(v.value if isinstance(v, ast.FormattedValue) else v, names) for v in node.values]
            return "".join(str(p) for p in parts) if all(isinstance(p, (str, int, float)) for p in parts) else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
            left, right = self.evaluate(node.left, names), self.evaluate(node.right, names)
            if isinstance(node.op, ast.Div) and isinstance(left, str) and isinstance(right, str):
                return posixpath.join(left, right)
            if isinstance(left, str) and isinstance(right, str):
                return left + right
            if isinstance(left, list) and isinstance(right, list):
                return left + right
            return None
        if isinstance(node, ast.Call) and node.args and (_is_call_to(node, "str") or _is_call_to(node, "Path")):
            return self.evaluate(node.args[0], names)
        derived = self._derived(node, names)
        if derived is not None:
            return derived
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "read_text":
            path = self.evaluate(node.func.value, names)
            return _Snapshot(resolve_path(self.cwd, path)) if isinstance(path, str) else None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join":
            parts = [self.evaluate(a, names) for a in node.args]
            return posixpath.join(*parts) if parts and all(isinstance(p, str) for p in parts) else None
        return None

    def _derived(self, node: ast.expr, names: dict[str, Any]) -> Any:
        """`Path(f).stem`, `f.name`, `os.path.basename(f)`, `os.path.splitext(x)[0]` (loops.py)."""
        if isinstance(node, ast.Attribute) and node.attr in ("stem", "name"):
            return derived_path(self, self.evaluate(node.value, names), node.attr)
        if isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute) and node.func.attr == "basename":
            return derived_path(self, self.evaluate(node.args[0], names), "name")
        if (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == 0
                and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute)
                and node.value.func.attr == "splitext" and node.value.args):
            return derived_path(self, self.evaluate(node.value.args[0], names), "trunk")
        return None

    def _appends(self, node: ast.expr | None) -> bool:
        if isinstance(node, ast.Name):
            return self.appending.get(node.id, False)
        return _opened_for_append(node)

    def _cwd(self, node: ast.expr | None, names: dict[str, Any]) -> Value:
        if node is None:
            return self.cwd
        value = self.evaluate(node, names)
        return resolve_path(self.cwd, value) if isinstance(value, str) else None

    def _env(self, node: ast.expr | None, names: dict[str, Any]) -> dict[str, Value]:
        if not isinstance(node, ast.Dict):
            return {}
        out: dict[str, Value] = {}
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                evaluated = self.evaluate(value, names)
                out[key.value] = evaluated if isinstance(evaluated, str) else None
        return out

    def _stream(self, node: ast.expr | None, names: dict[str, Any], files: dict[str, Value]) -> Any:
        if node is None:
            return None
        if isinstance(node, ast.Attribute) and node.attr in ("STDOUT", "DEVNULL", "PIPE"):
            # PIPE: the output stays in Python (not a file); DEVNULL: discarded
            return {"STDOUT": ("STDOUT",), "DEVNULL": "/dev/null", "PIPE": None}[node.attr]
        if isinstance(node, ast.Name) and node.id in files:
            return files[node.id]
        if _is_call_to(node, "open") and isinstance(node, ast.Call) and node.args:  # stdout=open(f"o/{m}.txt", "w")
            path = self.evaluate(node.args[0], names)
            return resolve_path(self.cwd, path) if isinstance(path, str) else ("dynamic",)
        return ("dynamic",)


class _Snapshot:
    """`Path(p).read_text()`: the file's content at that point, restorable by writing it back."""

    def __init__(self, path: Value) -> None:
        self.path = path


def _opened_for_append(node: ast.expr | None) -> bool:
    """`stdout=open(path, "a")`: the run's output is appended."""
    if not (isinstance(node, ast.Call) and _is_call_to(node, "open")):
        return False
    mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and "a" in mode.value


def _is_call_to(node: ast.expr, name: str) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == name) or (isinstance(func, ast.Attribute) and func.attr == name)
