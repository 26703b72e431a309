"""go-task's Taskfile.yml: `tasks: NAME: cmds:` strings (or `- cmd:`), read as task would run them.

Facts from the Task docs (taskfile.dev, "Usage"/"Schema"): each command runs in its own shell
(mvdan/sh) from the Taskfile's directory, or `dir:` relative to it; `{{.VAR}}` is Go templating
over `vars:` (Taskfile then task level; a `sh:` var is computed at run time) and `env:` values are
exported; a command `- for: [a, b]` (or `for: {var: NAME}`) runs `cmd:` once per item with
`{{.ITEM}}` (or the `as:` name) bound, read here as a loop the way a CI matrix is. A task given as
a string or a list of strings is its command list. Only tasks that name `aip`/`devai` are scanned.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from aipack_compat.load.scripts.core.aip_argv import mentions_aip
from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.core.scope import Scope
from aipack_compat.load.scripts.core.source_map import MappedText, SourceIndex, add_interpolated, scan_mapped
from aipack_compat.load.scripts.shell.scanner import scan_shell
from aipack_compat.load.scripts.yaml_source import as_dict, compose_yaml, entries

_TEMPLATE = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_UNKNOWN = "${__aipack_task_dynamic}"  # an unset shell variable: known only when task runs


def scan_taskfile(collector: Collector, text: str, taskfile_path: str) -> None:
    import yaml

    source = SourceIndex(text)
    document = compose_yaml(collector, text, "Taskfile: ")
    if document is None:
        return
    if not isinstance(document, yaml.MappingNode):
        _problem(collector, document, "Taskfile: the top level is not a mapping")
        return
    top = as_dict(document)
    directory = posixpath.dirname(taskfile_path)
    specials: dict[str, str | None] = {"ROOT_DIR": directory, "TASKFILE_DIR": directory}
    global_vars = _vars(top.get("vars"), specials)
    global_env = _vars(top.get("env"), global_vars)
    tasks = top.get("tasks")
    if tasks is None:
        return
    if not isinstance(tasks, yaml.MappingNode):
        _problem(collector, tasks, "Taskfile: `tasks` is not a mapping")
        return
    for name, task in entries(tasks):
        _scan_task(collector, source, taskfile_path, directory, name, task, global_vars, global_env)


def _scan_task(collector: Collector, source: SourceIndex, path: str, directory: str, name: str, task: Any,
               global_vars: dict[str, str | None], global_env: dict[str, str | None]) -> None:
    import yaml

    if isinstance(task, (yaml.ScalarNode, yaml.SequenceNode)):
        fields: dict[str, Any] = {"cmds": task}
    elif isinstance(task, yaml.MappingNode):
        fields = as_dict(task)
    else:
        return
    variables = global_vars | {"TASK": name} | _vars(fields.get("vars"), global_vars | {"TASK": name})
    env = global_env | _vars(fields.get("env"), variables)
    commands = fields.get("cmds")
    if commands is None and fields.get("cmd") is not None:
        commands = fields.get("cmd")
    items = commands.value if isinstance(commands, yaml.SequenceNode) else ([commands] if commands is not None else [])
    if not any(mentions_aip(_raw(source, item)) for item in items):
        return
    cwd: str | None = directory
    dir_node = fields.get("dir")
    if isinstance(dir_node, yaml.ScalarNode):
        expanded = _render(str(dir_node.value), variables)
        cwd = None if expanded is None else posixpath.normpath(posixpath.join(directory, expanded))
    for item in items:
        _scan_command(collector, source, path, item, variables, env, cwd)


def _scan_command(collector: Collector, source: SourceIndex, path: str, item: Any, variables: dict[str, str | None],
                  env: dict[str, str | None], cwd: str | None) -> None:
    import yaml

    loop_token: tuple[str, str] | None = None
    node = item
    if isinstance(item, yaml.MappingNode):
        fields = as_dict(item)
        node = fields.get("cmd")
        if "for" in fields and node is not None:
            loop_token = _loop(collector, source, fields, variables)
    if not isinstance(node, yaml.ScalarNode):
        if node is not None:
            _problem(collector, node, "Taskfile: a command is not a string")
        return
    value, offsets = _scalar_text(source, node)
    bound = dict(variables)
    if loop_token is not None:
        bound[loop_token[0]] = loop_token[1]

    def render(match: re.Match[str]) -> str:
        return _template(match.group(1), bound)

    mapped = MappedText()
    add_interpolated(mapped, value, offsets, _TEMPLATE, render)
    scope = Scope(cwd=cwd, script_path=path)
    for key, env_value in env.items():
        scope.variables[key] = scope.exported[key] = env_value
    scan_mapped(collector, mapped, source, lambda text: scan_shell(collector, text, path, scope=scope))
    if loop_token is not None:
        for frame in collector.frames:
            if frame.token == loop_token[1]:
                frame.open = False  # the loop covers this one command only


def _loop(collector: Collector, source: SourceIndex, fields: dict[str, Any], variables: dict[str, str | None]) -> tuple[str, str]:
    """`for:` as a loop frame: its token stands for `{{.ITEM}}` inside the command (a CI-matrix-like loop)."""
    import yaml

    node = fields["for"]
    values: list[str | None] | None = None
    problem = None
    if isinstance(node, yaml.SequenceNode):
        values = [_render(str(v.value), variables) if isinstance(v, yaml.ScalarNode) else None for v in node.value]
    elif isinstance(node, yaml.MappingNode) and isinstance(as_dict(node).get("var"), yaml.ScalarNode):
        var_name = str(as_dict(node)["var"].value)
        listed = variables.get(var_name)
        split = as_dict(node).get("split")
        separator = str(split.value) if isinstance(split, yaml.ScalarNode) else None
        values = None if listed is None else [v for v in (listed.split(separator) if separator else listed.split())]
        problem = f"the Taskfile variable `{var_name}` is computed when task runs" if listed is None else None
    else:
        problem = "a `for:` over sources, a matrix or a command's output is only known when task runs"
    as_node = fields.get("as")
    variable = str(as_node.value) if isinstance(as_node, yaml.ScalarNode) else "ITEM"
    line, column = source.position(node.start_mark.index)
    header = _raw_line(source, node.start_mark.line)
    frame = collector.new_frame(variable, values, collector.location(line, column), header.strip())
    frame.values_problem = problem
    return variable, frame.token


def _template(expression: str, variables: dict[str, str | None]) -> str:
    """`.NAME` renders the variable; anything else (pipes, functions, CLI_ARGS) only at run time."""
    match = re.fullmatch(r"\.([A-Za-z_][A-Za-z0-9_]*)", expression)
    if match and match.group(1) in variables and variables[match.group(1)] is not None:
        return str(variables[match.group(1)])
    return _UNKNOWN


def _render(text: str, variables: dict[str, str | None]) -> str | None:
    rendered = _TEMPLATE.sub(lambda m: _template(m.group(1), variables), text)
    return None if _UNKNOWN in rendered else rendered


def _vars(node: Any, known: dict[str, str | None]) -> dict[str, str | None]:
    """Static vars; `sh:`/`ref:` vars and maps or lists are computed by task (None)."""
    import yaml

    out: dict[str, str | None] = {}
    if not isinstance(node, yaml.MappingNode):
        return out
    for key, value in entries(node):
        if isinstance(value, yaml.ScalarNode):
            out[key] = _render(str(value.value), known | out)
        elif isinstance(value, yaml.SequenceNode) and all(isinstance(v, yaml.ScalarNode) for v in value.value):
            out[key] = " ".join(str(v.value) for v in value.value)  # a list var, as `for: {var:}` splits it
        else:
            out[key] = None
    return out


def _scalar_text(source: SourceIndex, node: Any) -> tuple[str, list[int]]:
    """The scalar's value with, per character, its offset in the file (block scalars line by line)."""
    value = str(node.value)
    start, end = node.start_mark.index, node.end_mark.index
    raw = source.text[start:end]
    if node.style is None and raw == value:
        return value, list(range(start, start + len(value)))
    if node.style in ("'", '"') and raw[1:-1] == value:
        return value, list(range(start + 1, start + 1 + len(value)))
    offsets: list[int] = []
    if node.style == "|":
        file_line = node.start_mark.line + 1
        for line in value.split("\n"):
            line_text = _raw_line(source, file_line)
            found = line_text.find(line) if line else -1
            base = source.line_starts[min(file_line, len(source.line_starts) - 1)]
            offsets.extend(range(base + max(found, 0), base + max(found, 0) + len(line)))
            offsets.append(base + len(line_text))  # the newline
            file_line += 1
        return value, offsets[: len(value)]
    return value, [start] * len(value)  # folded or escaped scalars: the node's start for every character


def _raw(source: SourceIndex, node: Any) -> str:
    return source.text[node.start_mark.index:node.end_mark.index]


def _raw_line(source: SourceIndex, number: int) -> str:
    starts = source.line_starts
    if number >= len(starts):
        return ""
    end = starts[number + 1] - 1 if number + 1 < len(starts) else len(source.text)
    return source.text[starts[number]:end]


def _problem(collector: Collector, node: Any, message: str) -> None:
    collector.problem(collector.location(node.start_mark.line + 1, node.start_mark.column + 1), message)
