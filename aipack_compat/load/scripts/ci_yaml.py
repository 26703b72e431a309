"""CI YAML: GitHub Actions `run:` steps and GitLab CI `script:` / `before_script:` / `after_script:`.

The YAML is composed (not loaded) so every scalar keeps its line. Step `env:`/`variables:` and
`working-directory:` are applied; GitHub `${{ matrix.X }}` becomes a loop over the values of
`strategy.matrix.X`, so a model matrix in CI migrates like a model loop in bash.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.core.scope import Scope
from aipack_compat.load.scripts.shell.scanner import scan_shell
from aipack_compat.load.scripts.yaml_source import as_dict, compose_yaml, entries, scalar_value

_GHA_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_GITLAB_SCRIPT_KEYS = ("before_script", "script", "after_script")


def scan_ci_yaml(collector: Collector, text: str, path: str) -> None:
    """A workflow's steps run from the checkout (the scanned root), not from the YAML file's folder."""
    import yaml

    root = collector.root
    document = compose_yaml(collector, text, "")
    if not isinstance(document, yaml.MappingNode):
        return
    top = as_dict(document)
    top_env = _env(top.get("env")) | _env(top.get("variables"))
    jobs = top.get("jobs")
    if isinstance(jobs, yaml.MappingNode):  # GitHub Actions
        default_dir = _working_directory(top.get("defaults"))
        for _, job in entries(jobs):
            _github_job(collector, job, root, top_env, default_dir)
        return
    for _, job in entries(document):  # GitLab CI: every top-level mapping (hidden `.jobs` included)
        if isinstance(job, yaml.MappingNode):
            _gitlab_job(collector, job, root, top_env)


def _github_job(collector: Collector, job: Any, root: str, inherited_env: dict[str, str | None], default_dir: str | None) -> None:
    import yaml

    if not isinstance(job, yaml.MappingNode):
        return
    fields = as_dict(job)
    job_env = inherited_env | _env(fields.get("env"))
    job_dir = _working_directory(fields.get("defaults")) or default_dir
    matrix = _matrix(fields.get("strategy"))
    frames: dict[str, str] = {}  # one loop per matrix key for the whole job (all steps share it)
    steps = fields.get("steps")
    if not isinstance(steps, yaml.SequenceNode):
        return
    for step in steps.value:
        if not isinstance(step, yaml.MappingNode):
            continue
        step_fields = as_dict(step)
        run = step_fields.get("run")
        shell = scalar_value(step_fields.get("shell")) or ""
        if not isinstance(run, yaml.ScalarNode) or shell.startswith(("python", "pwsh", "powershell", "cmd")):
            continue
        workdir = scalar_value(step_fields.get("working-directory")) or job_dir
        env = job_env | _env(step_fields.get("env"))
        _scan_scalar(collector, run, root, env, workdir, matrix, frames)


def _gitlab_job(collector: Collector, job: Any, root: str, inherited_env: dict[str, str | None]) -> None:
    import yaml

    fields = as_dict(job)
    env = inherited_env | _env(fields.get("variables"))
    for key in _GITLAB_SCRIPT_KEYS:
        node = fields.get(key)
        scripts = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for item in scripts:
            if isinstance(item, yaml.ScalarNode):
                _scan_scalar(collector, item, root, env, None, {}, {})


def _scan_scalar(collector: Collector, node: Any, root: str, env: dict[str, str | None], workdir: str | None,
                 matrix: dict[str, list[str] | None], frames: dict[str, str]) -> None:
    text = str(node.value)
    scope = Scope(cwd=posixpath.normpath(posixpath.join(root, workdir or ".")), script_path=collector.path)
    for key, value in env.items():
        scope.variables[key] = value
        scope.exported[key] = value
    text = _GHA_EXPRESSION.sub(lambda m: _expression(m.group(1), scope, collector, matrix, node, frames), text)
    # a block scalar (`run: |`) starts on the line after its indicator
    line_offset = node.start_mark.line + (1 if node.style in ("|", ">") else 0)
    scan_shell(collector, text, collector.path, line_offset=line_offset, scope=scope)


def _expression(expression: str, scope: Scope, collector: Collector, matrix: dict[str, list[str] | None], node: Any,
                frames: dict[str, str]) -> str:
    """`${{ matrix.model }}` -> a loop over the matrix values; other expressions stay dynamic."""
    match = re.fullmatch(r"matrix\.([A-Za-z0-9_-]+)", expression)
    if match and match.group(1) in matrix:
        # Actions substitutes the text before the shell runs, so the loop token goes in verbatim
        key = match.group(1)
        if key not in frames:
            where = collector.location(node.start_mark.line + 1, node.start_mark.column + 1)
            frame = collector.new_frame(f"matrix.{key}", list(matrix[key] or []) or None, where, f"strategy.matrix.{key}")
            frames[key] = frame.token
        return frames[key]
    if expression.startswith("env.") and expression[4:] in scope.variables:
        return "${" + expression[4:] + "}"
    return "${__aipack_gha_expression}"  # unset: the value is only known to the runner


def _matrix(strategy: Any) -> dict[str, list[str] | None]:
    import yaml

    if not isinstance(strategy, yaml.MappingNode):
        return {}
    matrix = as_dict(strategy).get("matrix")
    if not isinstance(matrix, yaml.MappingNode):
        return {}
    out: dict[str, list[str] | None] = {}
    for key, value in entries(matrix):
        if isinstance(value, yaml.SequenceNode) and all(isinstance(v, yaml.ScalarNode) for v in value.value):
            out[key] = [str(v.value) for v in value.value]
        elif key not in ("include", "exclude"):
            out[key] = None
    return out


def _working_directory(defaults: Any) -> str | None:
    import yaml

    if not isinstance(defaults, yaml.MappingNode):
        return None
    run = as_dict(defaults).get("run")
    return scalar_value(as_dict(run).get("working-directory")) if isinstance(run, yaml.MappingNode) else None


def _env(node: Any) -> dict[str, str | None]:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return {}
    out: dict[str, str | None] = {}
    for key, value in entries(node):
        text = scalar_value(value)
        out[key] = None if text is None or "${{" in text else text
    return out
