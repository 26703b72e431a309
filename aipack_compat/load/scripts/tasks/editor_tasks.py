"""Editor `tasks.json` (VS Code, Zed): the shell lines their tasks run, read as each editor builds them.

- VS Code `.vscode/tasks.json` (JSONC): `"type": "shell"` joins `command` and `args` into one shell
  line, quoting an argument that contains whitespace (`{"value", "quoting"}` picks the quoting);
  any other task runs `command` with `args` as words, no shell (VS Code docs, "Tasks"). `${workspaceFolder}`
  is the folder holding `.vscode/`; `options.cwd`/`options.env` (task, then top level); a `linux`
  block overrides the task's fields.
- Zed `tasks.json` / `.zed/tasks.json` (JSONC array): `command` is a shell line and `args` are
  appended to it *unquoted* (Zed's `ShellBuilder::build_no_quote`, zed-industries/zed#53046 and
  #55482), so arguments are re-split by the shell; `$ZED_WORKTREE_ROOT` is the workspace root and
  the default `cwd`; other `$ZED_*` values depend on the editor state (unknown here).
Only commands that name `aip`/`devai` are scanned.
"""

from __future__ import annotations

import posixpath
import re

from aipack_compat.load.scripts.core.aip_argv import mentions_aip
from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.core.scope import Scope
from aipack_compat.load.scripts.core.source_map import MappedText, SourceIndex, scan_mapped
from aipack_compat.load.scripts.shell.scanner import scan_shell
from aipack_compat.load.scripts.tasks.json_source import compose_json, problem_at
from aipack_compat.load.scripts.tasks.jsonc import JArray, JNode, JObject, JScalar, JString

_VSCODE_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ZED_VARIABLE = re.compile(r"\$(?:\{(ZED_[A-Z_]+)\}|(ZED_[A-Z_]+))")
_SHELL_SAFE = re.compile(r"[\w@%+=:,./-]+")
_UNKNOWN = "__aipack_task_dynamic"  # an unset shell variable: the value exists only when the task runs


def scan_editor_tasks(collector: Collector, text: str, path: str) -> None:
    source = SourceIndex(text)
    document = compose_json(collector, text, source, "tasks.json")
    if document is None:
        return
    parts = path.split("/")
    editor_dir = len(parts) >= 2 and parts[-2] in (".vscode", ".zed")
    # the folder holding .vscode/ or .zed/; a global Zed tasks.json applies to whatever is open: the root
    workspace = posixpath.dirname(posixpath.dirname(path)) if editor_dir else collector.root
    if isinstance(document, JArray):
        for task in document.items:
            if isinstance(task, JObject):
                _zed_task(collector, source, task, path, workspace)
            else:
                problem_at(collector, source, task, "tasks.json: a task is not an object")
    elif isinstance(document, JObject):
        tasks = document.get("tasks")
        if tasks is None:
            return
        if not isinstance(tasks, JArray):
            problem_at(collector, source, tasks, "tasks.json: `tasks` is not an array")
            return
        top_options = document.get("options")
        for task in tasks.items:
            if isinstance(task, JObject):
                _vscode_task(collector, source, task, top_options, path, workspace)
            else:
                problem_at(collector, source, task, "tasks.json: a task is not an object")
    else:
        problem_at(collector, source, document, "tasks.json: expected an array (Zed) or an object with `tasks` (VS Code)")


# -- VS Code ---------------------------------------------------------------------------------
def _vscode_task(collector: Collector, source: SourceIndex, task: JObject, top_options: JNode | None, path: str,
                 workspace: str) -> None:
    linux = task.get("linux")

    def field(name: str) -> JNode | None:
        if isinstance(linux, JObject) and linux.get(name) is not None:
            return linux.get(name)
        return task.get(name)

    task_type = field("type")
    kind = task_type.value if isinstance(task_type, JString) else None
    legacy_shell = field("isShellCommand")
    is_shell = kind == "shell" or (isinstance(legacy_shell, JScalar) and legacy_shell.value is True)
    if kind not in (None, "shell", "process"):
        return  # npm/cargo/… task providers: no command line of their own
    command = field("command")
    command_text = _vscode_value(command)
    if command is None or command_text is None:
        return
    arguments = field("args")
    argument_nodes = arguments.items if isinstance(arguments, JArray) else []
    words = [command, *argument_nodes]
    if not mentions_aip(" ".join(_vscode_value(w) or "" for w in words)):
        return
    options = [o for o in (field("options"), top_options) if isinstance(o, JObject)]
    cwd = _vscode_cwd(options, workspace)
    # `${workspaceFolder}/flows/x.aip` names the same file as `flows/x.aip` from the workspace: keep
    # the job's agent path relative (portable) instead of this machine's absolute path
    folder = posixpath.relpath(workspace, cwd) if cwd is not None else workspace
    mapped = MappedText()
    for position, word in enumerate(words):
        if position:
            mapped.add_generated(" ", _start(word))
        if is_shell:
            _vscode_shell_word(mapped, word, folder, quote=position > 0)
        else:
            _vscode_process_word(mapped, word, folder)
    scope = Scope(cwd=cwd, script_path=path)
    for option in options[::-1]:  # the task's own env wins over the top-level one
        env = option.get("env")
        if isinstance(env, JObject):
            for name, value in env.members:
                resolved = _vscode_plain(value.value, workspace) if isinstance(value, JString) else None
                scope.variables[name.value] = resolved
                scope.exported[name.value] = resolved
    scan_mapped(collector, mapped, source, lambda text: scan_shell(collector, text, path, scope=scope))


def _vscode_value(node: JNode | None) -> str | None:
    string = _string_of(node) if node is not None else None
    return string.value if string is not None else None


def _start(node: JNode) -> int:
    return node.start


def _string_of(node: JNode) -> JString | None:
    if isinstance(node, JString):
        return node
    value = node.get("value") if isinstance(node, JObject) else None
    return value if isinstance(value, JString) else None


def _quoting(node: JNode) -> str | None:
    quoting = node.get("quoting") if isinstance(node, JObject) else None
    return quoting.value if isinstance(quoting, JString) else None


def _vscode_shell_word(mapped: MappedText, node: JNode, workspace: str, quote: bool) -> None:
    string = _string_of(node)
    if string is None:
        mapped.add_generated("${" + _UNKNOWN + "}", node.start)
        return
    quoting = _quoting(node) or ("strong" if quote and re.search(r"\s", string.value) else None)
    opening = {"strong": "'", "weak": '"'}.get(quoting or "", "")
    mapped.add_generated(opening, string.start)
    for segment, offsets, variable in _vscode_segments(string, workspace):
        if variable:
            mapped.add_generated(segment, offsets[0])
        elif quoting == "strong":
            _add_escaped(mapped, segment, offsets, "'", "'\\''")
        elif quoting == "escape":
            _add_escaped(mapped, segment, offsets, " ", "\\ ")
        else:
            mapped.add_mapped(segment, offsets)
    mapped.add_generated(opening, string.offsets[-1] if string.offsets else string.start)


def _vscode_process_word(mapped: MappedText, node: JNode, workspace: str) -> None:
    """No shell: each word reaches aip as is, so the text is quoted to keep the shell from touching it."""
    string = _string_of(node)
    if string is None:
        mapped.add_generated('"${' + _UNKNOWN + '}"', node.start)
        return
    if not string.value:
        mapped.add_generated("''", string.start)
    for segment, offsets, variable in _vscode_segments(string, workspace):
        if variable:
            mapped.add_generated('"' + segment + '"', offsets[0] if offsets else string.start)
        elif _SHELL_SAFE.fullmatch(segment):
            mapped.add_mapped(segment, offsets)
        elif segment:
            mapped.add_generated("'", offsets[0] if offsets else string.start)
            _add_escaped(mapped, segment, offsets, "'", "'\\''")
            mapped.add_generated("'", offsets[-1] if offsets else string.start)


def _vscode_segments(string: JString, workspace: str) -> list[tuple[str, list[int], bool]]:
    """Literal runs of a string and its `${…}` variables (True: a shell reference to splice in)."""
    out: list[tuple[str, list[int], bool]] = []
    position = 0
    for match in _VSCODE_VARIABLE.finditer(string.value):
        if match.start() < position:
            continue
        if match.start() > position:
            out.append((string.value[position:match.start()], string.offsets[position:match.start()], False))
        offsets = string.offsets[match.start():match.end()]
        name = match.group(1)
        if name in ("workspaceFolder", "workspaceRoot") and workspace == "." and string.value[match.end():match.end() + 1] == "/":
            position = match.end() + 1  # `${workspaceFolder}/x` from the workspace itself is `x`
            continue
        if name in ("workspaceFolder", "workspaceRoot"):
            out.append((workspace, [offsets[0]] * len(workspace), False))
        elif name.startswith("env:") and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name[4:]):
            out.append(("${" + name[4:] + "}", offsets, True))
        else:  # ${file}, ${input:…}, ${config:…}: editor state, unknown here (an unset variable)
            out.append(("${__vscode_" + re.sub(r"\W", "_", name) + "}", offsets, True))
        position = match.end()
    if position < len(string.value) or not out:
        out.append((string.value[position:], string.offsets[position:len(string.value)], False))
    return out


def _add_escaped(mapped: MappedText, text: str, offsets: list[int], char: str, replacement: str) -> None:
    for index, piece in enumerate(text):
        offset = offsets[index] if index < len(offsets) else (offsets[-1] if offsets else 0)
        if piece == char:
            mapped.add_generated(replacement, offset)
        else:
            mapped.add(piece, offset)


def _vscode_plain(text: str, workspace: str) -> str | None:
    """A cwd/env value with its variables substituted (None when one is editor state)."""
    unknown = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown
        if match.group(1) in ("workspaceFolder", "workspaceRoot"):
            return workspace
        unknown = True
        return ""

    value = _VSCODE_VARIABLE.sub(replace, text)
    return None if unknown else value


def _vscode_cwd(options: list[JObject], workspace: str) -> str | None:
    for option in options:
        cwd = option.get("cwd")
        if isinstance(cwd, JString):
            value = _vscode_plain(cwd.value, workspace)
            return None if value is None else posixpath.normpath(posixpath.join(workspace, value))
    return workspace


# -- Zed -------------------------------------------------------------------------------------
def _zed_task(collector: Collector, source: SourceIndex, task: JObject, path: str, workspace: str) -> None:
    command = task.get("command")
    if not isinstance(command, JString):
        if command is not None:
            problem_at(collector, source, command, "tasks.json: `command` is not a string")
        return
    arguments = task.get("args")
    argument_nodes = [a for a in arguments.items if isinstance(a, JString)] if isinstance(arguments, JArray) else []
    if not mentions_aip(" ".join([command.value, *(a.value for a in argument_nodes)])):
        return
    mapped = MappedText()
    mapped.add_mapped(command.value, command.offsets)
    for argument in argument_nodes:  # appended unquoted (build_no_quote)
        mapped.add_generated(" ", argument.start)
        mapped.add_mapped(argument.value, argument.offsets)
    scope = Scope(cwd=_zed_cwd(task.get("cwd"), workspace), script_path=path)
    scope.variables["ZED_WORKTREE_ROOT"] = scope.exported["ZED_WORKTREE_ROOT"] = workspace
    env = task.get("env")
    if isinstance(env, JObject):
        for name, value in env.members:
            resolved = value.value if isinstance(value, JString) and "$" not in value.value else None
            scope.variables[name.value] = scope.exported[name.value] = resolved
    scan_mapped(collector, mapped, source, lambda text: scan_shell(collector, text, path, scope=scope))


def _zed_cwd(cwd: JNode | None, workspace: str) -> str | None:
    if not isinstance(cwd, JString):
        return workspace
    value = _ZED_VARIABLE.sub(lambda m: workspace if (m.group(1) or m.group(2)) == "ZED_WORKTREE_ROOT" else "\0", cwd.value)
    if "\0" in value or "$" in value:
        return None  # another $ZED_* (the open file's directory, …): editor state
    return posixpath.normpath(posixpath.join(workspace, value))
