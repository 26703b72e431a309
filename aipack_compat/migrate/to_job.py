"""Scanned invocations + workspace config + agents -> JobConfig (the executor's input).

A model loop (or a nested sweep, model × temperature) becomes a matrix: for every cell the
script's config rewrites (sed, here-doc, copy) with that cell's loop values are applied to the
config text, the options are read back, and the cell keeps only what differs from the job's options. aip merges the agent's `# Options` over the config (spec §1.2),
so a rewrite the agent overrides changes nothing, and the migration says so.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from typing import Any

from aipack_compat.migrate.report import ReportEntry
from aipack_compat.migrate.sources import WorkspaceConfig, config_options, read_agent, read_workspace_config
from aipack_compat.model.diagnostic import Diagnostic
from aipack_compat.model.invocation import CELL_PLACEHOLDER, INPUT_PLACEHOLDERS, ConfigRewrite, Invocation, ScriptScan
from aipack_compat.rules import mig
from aipack_compat.model.job import (
    AgentSpec, InputSpec, JobConfig, JobSpec, MatrixCell, OutputSpec, RunFlags, SourceLocation,
)
from aipack_compat.model.options import AgentOptions

UI_ONLY_FLAGS = {"-o": "opens an editor", "--open": "opens an editor", "--xp-tui": "terminal UI only",
                 "--old-term": "terminal UI only", "--not-interactive": "same as single-shot", "--ni": "same as single-shot"}


@dataclass(slots=True)
class Migration:
    config: JobConfig
    entries: list[ReportEntry] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def build_job_config(root: str, scans: list[ScriptScan], aip_version: str | None = None) -> Migration:
    """Everything under `root` as one JobConfig, plus the report entries and MIG diagnostics."""
    root = posixpath.normpath(os.path.abspath(root).replace(os.sep, "/"))
    entries: list[ReportEntry] = []
    diagnostics: list[Diagnostic] = []
    workspace = read_workspace_config(root, entries, diagnostics)
    agents: dict[str, AgentSpec] = {}
    jobs: list[JobSpec] = []
    used_names: set[str] = set()
    invocations = sorted(((scan, inv) for scan in scans for inv in scan.invocations),
                         key=lambda pair: (pair[1].location.path, pair[1].location.line, pair[1].location.column))
    for scan, invocation in invocations:
        job = _job(root, invocation, workspace, agents, entries, diagnostics, used_names, aip_version)
        if job is not None:
            jobs.append(job)
    config = JobConfig(
        workspace_options=AgentOptions(**workspace.options),
        provenance=workspace.provenance,
        agents=dict(sorted(agents.items())),
        jobs=jobs,
    )
    return Migration(config, entries, diagnostics)


def _job(root: str, invocation: Invocation, workspace: WorkspaceConfig, agents: dict[str, AgentSpec],
         entries: list[ReportEntry], diagnostics: list[Diagnostic], used_names: set[str],
         aip_version: str | None) -> JobSpec | None:
    from aipack_compat.check.scripts import era_version, resolve_agent

    where = invocation.location
    script = _relative(root, where.path)
    location_text = f"{script}:{where.line}"
    subject = invocation.command_text
    version = aip_version or era_version(invocation.program, root)
    if invocation.agent_ref is None or invocation.workdir is None:
        reason = "the agent is only known at run time" if invocation.agent_ref is None else "the directory it runs in is unknown"
        _not_migrated(subject, reason, location_text, script, where.line, entries, diagnostics)
        return None
    resolution = resolve_agent(invocation.agent_ref, invocation.workdir, root, version)
    if resolution.path is None:
        reason = resolution.reason.split("\n", 1)[0]
        _not_migrated(subject, reason, location_text, script, where.line, entries, diagnostics)
        return None
    from aipack_compat.load.agent_spec import agent_key

    key = agent_key(root, resolution.path)
    if key not in agents:
        spec = read_agent(root, resolution.path, version, entries, diagnostics)
        if spec is None:
            _not_migrated(subject, "the agent file cannot be read", location_text, script, where.line, entries, diagnostics)
            return None
        agents[key] = spec
    agent = agents[key]
    changes: list[str] = []
    job_options = agent.options.merged_over(AgentOptions(**workspace.options))
    matrix: list[MatrixCell] = []
    fixed, cells = _rewritten_options(root, invocation, workspace, changes, diagnostics, script)
    if fixed is not None:
        job_options = agent.options.merged_over(AgentOptions(**fixed))
    for label, options in cells:
        effective = agent.options.merged_over(AgentOptions(**options))
        matrix.append(MatrixCell(label=label, options=_difference(effective, job_options)))
    if matrix and all(cell.options == AgentOptions() for cell in matrix):
        if invocation.config_rewrites:
            changes.append("the model loop changes no option aip uses (the agent's # Options win, or the rewrite matched nothing)")
        else:
            labels = ", ".join(cell.label for cell in matrix[:6]) + (", …" if len(matrix) > 6 else "")
            changes.append(f"the loop runs the same job {len(matrix)} times (cells {labels}), only the output file "
                           "differs: each cell gets answers of its own (the response cache keeps one per repetition)")
    for flag in invocation.flags:
        if flag in UI_ONLY_FLAGS:
            changes.append(f"`{flag}` dropped: {UI_ONLY_FLAGS[flag]}")
            if flag not in ("--not-interactive", "--ni"):
                diagnostics.append(mig.FLAG_DROPPED.diagnostic(script, f"`{flag}` dropped ({UI_ONLY_FLAGS[flag]})", where.line, where.column))
    for item in invocation.unresolved:
        changes.append(f"{item.what} left out: only known at run time (`{item.text[:60]}`)")
        diagnostics.append(mig.DYNAMIC_DROPPED.diagnostic(_relative(root, item.location.path), f"{item.what} is only known at run time",
                                                          item.location.line, item.location.column))
    if invocation.file_globs and invocation.inputs:
        changes.append("`-i` values dropped: aip refuses `-f` together with `-i`, the job keeps the `-f` globs")
    changes.extend(invocation.notes)
    staged = {stage.stage for stage in agent.stages}
    shown = " and ".join(title for stage, title in (("before_all", "# Before All"), ("after_all", "# After All"))
                         if stage in staged)
    if invocation.input_loop is not None and shown:
        # the shell started one `aip run` per file; aip runs these stages once per run (spec §0.4)
        changes.append(f"`{invocation.input_loop}` ran `aip run` once per file, so {shown} ran once per file; "
                       f"this job is one run over all the files: {shown} run once")
    name = _job_name(script, where.line, invocation, used_names)
    job = JobSpec(
        name=name,
        agent=key,
        agent_ref=invocation.agent_ref,
        workdir=invocation.workdir,
        inputs=_inputs(invocation),
        options=job_options,
        matrix=matrix,
        flags=RunFlags(single_shot=invocation.single_shot, verbose=invocation.verbose, watch=invocation.watch,
                       dry="req" if invocation.dry == "req" else "res" if invocation.dry == "res" else None),
        timeout_seconds=invocation.timeout_seconds,
        env=dict(sorted(invocation.env)),
        output=OutputSpec(stdout_path=invocation.stdout_path, stderr_path=invocation.stderr_path, append=invocation.append,
                          per_input=_is_per_input(invocation.stdout_path, invocation.stderr_path)),
        score_pattern=invocation.score_pattern,
        source=SourceLocation(path=script, line=where.line, column=where.column),
    )
    entries.append(ReportEntry("invocation", subject, "migrated-with-changes" if changes else "migrated",
                               list(dict.fromkeys(changes)), location_text, name))
    return job


def _not_migrated(subject: str, reason: str, location_text: str, script: str, line: int,
                  entries: list[ReportEntry], diagnostics: list[Diagnostic]) -> None:
    entries.append(ReportEntry("invocation", subject, "not-migrated", [reason], location_text))
    diagnostics.append(mig.JOB_NOT_MIGRATED.diagnostic(script, f"not migrated: {reason}", line))


def _rewritten_options(root: str, invocation: Invocation, workspace: WorkspaceConfig, changes: list[str],
                       diagnostics: list[Diagnostic], script: str) -> tuple[dict[str, Any] | None, list[tuple[str, dict[str, Any]]]]:
    """(options after one-off rewrites or None, [(cell label, options)] for a model matrix).

    Each cell's rewrites come with its loop values filled in (`Invocation.cell_rewrites`), so a
    nested sweep (model × temperature) applies both substitutions, in script order, per cell.
    """
    rewrites = [r for r in invocation.config_rewrites if _is_workspace_config(r.target, workspace)]
    for rewrite in invocation.config_rewrites:
        if rewrite not in rewrites:
            changes.append(f"rewrite of {rewrite.target} ignored: not the workspace config the run reads")
    config_path = workspace.path or ".aipack/config.toml"
    if invocation.matrix_labels:
        if not rewrites:
            return None, [(label, dict(workspace.options)) for label in invocation.matrix_labels]
        cells: list[tuple[str, dict[str, Any]]] = []
        per_cell = invocation.cell_rewrites or tuple(invocation.config_rewrites for _ in invocation.matrix_labels)
        values: tuple[str | None, ...] = () if invocation.cell_rewrites else invocation.matrix_values
        for index, label in enumerate(invocation.matrix_labels):
            cell_rewrites = [r for r in per_cell[index] if _is_workspace_config(r.target, workspace)]
            value = values[index] if index < len(values) else None
            text = _apply_all(root, cell_rewrites, workspace, value, changes, diagnostics, script)
            if text is None:
                return None, []
            cells.append((label, config_options(config_path, text)[0]))
        return None, cells
    if not rewrites:
        return None, []
    text = _apply_all(root, rewrites, workspace, None, changes, diagnostics, script)
    return (config_options(config_path, text)[0] if text is not None else None), []


def _apply_all(root: str, rewrites: list[ConfigRewrite], workspace: WorkspaceConfig, cell: str | None,
               changes: list[str], diagnostics: list[Diagnostic], script: str) -> str | None:
    from aipack_compat.load.scripts.shell.commands.sed_script import apply_substitutions, parse_substitutions

    text = workspace.text or ""
    for rewrite in rewrites:
        def fill(value: str | None) -> str | None:
            return value.replace(CELL_PLACEHOLDER, cell) if value is not None and cell is not None else value

        if rewrite.kind == "sed" and rewrite.sed_script is not None:
            subs = parse_substitutions(fill(rewrite.sed_script) or "")
            if subs is None:
                _rewrite_failed(rewrite, "the sed script uses commands other than `s`", changes, diagnostics, script)
                return None
            text, _ = apply_substitutions(subs, text, rewrite.extended_regex)
        elif rewrite.kind == "heredoc" and rewrite.content is not None:
            text = fill(rewrite.content) or ""
        elif rewrite.kind == "copy" and rewrite.copy_from is not None:
            source = posixpath.join(root, fill(rewrite.copy_from) or "")
            try:
                with open(source, encoding="utf-8") as handle:
                    text = handle.read()
            except (OSError, UnicodeDecodeError):
                _rewrite_failed(rewrite, f"{fill(rewrite.copy_from)} cannot be read", changes, diagnostics, script)
                return None
        else:
            _rewrite_failed(rewrite, "the new content is only known at run time", changes, diagnostics, script)
            return None
    return text


def _rewrite_failed(rewrite: ConfigRewrite, reason: str, changes: list[str], diagnostics: list[Diagnostic], script: str) -> None:
    changes.append(f"config rewrite at line {rewrite.location.line} not migrated: {reason}")
    diagnostics.append(mig.REWRITE_NOT_MIGRATED.diagnostic(script, f"config rewrite not migrated: {reason}",
                                                           rewrite.location.line, rewrite.location.column))


def _is_workspace_config(target: str, workspace: WorkspaceConfig) -> bool:
    return workspace.path is not None and posixpath.normpath(target) == workspace.path


def _difference(effective: AgentOptions, base: AgentOptions) -> AgentOptions:
    changed: dict[str, Any] = {}
    for key, value in effective.model_dump().items():
        if key == "model_aliases":
            extra = {k: v for k, v in value.items() if base.model_aliases.get(k) != v}
            if extra:
                changed[key] = extra
        elif value != getattr(base, key):
            changed[key] = value
    return AgentOptions(**changed)


def _is_per_input(*paths: str | None) -> bool:
    return any(placeholder in path for path in paths if path for placeholder in INPUT_PLACEHOLDERS)


def _inputs(invocation: Invocation) -> InputSpec:
    if invocation.file_globs:
        return InputSpec(kind="files", globs=list(invocation.file_globs))
    if invocation.inputs:
        return InputSpec(kind="literals", values=list(invocation.inputs))
    return InputSpec()


def _job_name(script: str, line: int, invocation: Invocation, used: set[str]) -> str:
    stem = posixpath.splitext(posixpath.basename(invocation.agent_ref or "run").rstrip("/"))[0] or "run"
    base = f"{script}:{line}:{stem}"
    name = base
    counter = 2
    while name in used:
        name = f"{base}#{counter}"
        counter += 1
    used.add(name)
    return name


def _relative(root: str, path: str) -> str:
    if not os.path.isabs(path):
        return path.replace(os.sep, "/")  # already relative to the migrated root
    absolute = posixpath.normpath(os.path.abspath(path).replace(os.sep, "/"))
    return posixpath.relpath(absolute, root)
