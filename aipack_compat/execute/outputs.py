"""Task outputs as aip shows them for agents without Lua: printed, or into the job's output file(s).

aip echoes a string output to the terminal (A:src/run/run_agent_task.rs@952ad06e); the legacy
scripts redirected that to a file (`> results/$model.txt`), which `OutputSpec.stdout_path` keeps
with `{cell}`/`{job}` placeholders, relative to the migrated root. A per-file loop
(`for f in *.md; do aip run … -f "$f" > "out/${f##*/}.txt"; done`) wrote one file per input:
`OutputSpec.per_input` templates carry `{input_path}`/`{input_name}`/`{input_stem}`, filled from
each input's file record. Files go through `write_atomic` (never overwritten without force).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from aipack_compat.execute.context import RunContext
from aipack_compat.files import RefusedOverwrite, os_reason, write_atomic
from aipack_compat.model.job import JobSpec, MatrixCell


def output_text(outputs: list[Any]) -> str:
    parts = []
    for output in outputs:
        if output is None:
            continue
        parts.append(output if isinstance(output, str) else json.dumps(output, ensure_ascii=False))
    return "".join(part if part.endswith("\n") else part + "\n" for part in parts)


def write_cell_outputs(context: RunContext, job: JobSpec, cell: MatrixCell, outputs: list[Any]) -> None:
    """All of one cell's outputs, in input order: into the job's stdout file, or echoed."""
    text = output_text(outputs)
    target = job.output.stdout_path
    if target:
        _write(context, job, cell, _fill(target, job, cell), text)
        return
    if context.settings.echo_outputs and text:
        context.out.write(f"== {job.name} [{cell.label}]\n{text}")
        context.out.flush()


def write_input_outputs(context: RunContext, job: JobSpec, cell: MatrixCell, tasks: list[Any],
                        outputs: dict[int, Any]) -> None:
    """`per_input`: each input that produced an output gets its own file from the template.

    `outputs` holds only the tasks that succeeded (a skipped or failed input writes no file; a
    success without an output writes an empty one, as the shell's `>` created it). Inputs whose
    names fill the template to the same path (`{input_name}` of `a/x.md` and `b/x.md`) share it,
    in input order, and a note says so: the shell's `>` would have kept only the last one.
    """
    template = job.output.stdout_path
    if not template:
        write_cell_outputs(context, job, cell, [outputs.get(i) for i in range(len(tasks))])
        return
    workdir = (context.root / job.workdir).resolve()
    by_path: dict[str, list[int]] = {}
    for index in sorted(outputs):
        task_input = tasks[index] if index < len(tasks) else None
        filled = fill_input_template(_fill(template, job, cell), task_input, index, context.root, workdir)
        by_path.setdefault(filled, []).append(index)
    for relative, indexes in by_path.items():
        if len(indexes) > 1:
            context.progress.note(f"{job.name} [{cell.label}]: {len(indexes)} inputs map to {relative};"
                                 " their outputs are written there one after the other, in input order")
        _write(context, job, cell, relative, output_text([outputs[i] for i in indexes]))


def fill_input_template(template: str, task_input: Any, index: int, root: Path, workdir: Path) -> str:
    """`{input_path}`/`{input_name}`/`{input_stem}` from a file record; a non-file input uses its index."""
    if isinstance(task_input, dict) and isinstance(task_input.get("path"), str):
        path = task_input["path"]
        name = str(task_input.get("name") or path.rpartition("/")[2])
        stem = str(task_input.get("stem") or name)
        # the record's path is relative to the workspace root; the shell's `$f` was relative to the
        # directory the command ran in, and the template was written against that
        from_workdir = os.path.relpath(root / path, workdir).replace(os.sep, "/")
    else:
        from_workdir = name = stem = str(index)
    return (template.replace("{input_path}", from_workdir).replace("{input_name}", name)
            .replace("{input_stem}", stem))


def _fill(template: str, job: JobSpec, cell: MatrixCell) -> str:
    return template.replace("{cell}", cell.label).replace("{job}", job.name)


def _write(context: RunContext, job: JobSpec, cell: MatrixCell, relative: str, text: str) -> None:
    """One output file under `--outputs-dir` (or the migrated root); refusals become notes."""
    base = context.settings.outputs_dir or context.root
    path = base / relative
    if context.settings.outputs_dir is not None and not _inside(path, base):
        # `--outputs-dir` promises the workspace stays untouched; `../` in a filled name would leave it
        context.progress.note(f"{job.name} [{cell.label}]: output not written: {relative} leaves the outputs directory")
        return
    resolved = path.resolve()
    try:
        if resolved in context.written_outputs or job.output.append:
            _append(path, text, context, job, cell)
        else:
            write_atomic(path, text, force=context.settings.force_outputs)
        context.written_outputs.add(resolved)
    except RefusedOverwrite as exc:
        context.progress.note(f"{job.name} [{cell.label}]: output not written: {exc}")
    except OSError as exc:
        context.progress.note(f"{job.name} [{cell.label}]: cannot write {exc.filename or path}: {os_reason(exc)}")


def _append(path: Path, text: str, context: RunContext, job: JobSpec, cell: MatrixCell) -> None:
    """`>>` in the script, or a file this run already wrote (`{ …; } > f`, `done > f`, `exec > f`):
    the script's single open file collected every run's output, so later writes go after it."""
    try:
        existing = path.read_bytes() if path.exists() else b""
    except OSError as exc:
        context.progress.note(f"{job.name} [{cell.label}]: cannot read {path} to append: {os_reason(exc)}")
        return
    if path.resolve() in context.written_outputs and not job.output.append:
        context.progress.note(f"{job.name} [{cell.label}]: {path.name} was already written by this run; "
                             "this output is appended after it, as the script's one open file collected both")
    write_atomic(path, existing + text.encode("utf-8"), force=True)


def _inside(path: Path, base: Path) -> bool:
    resolved_base = base.resolve()
    return resolved_base == path.resolve() or resolved_base in path.resolve().parents
