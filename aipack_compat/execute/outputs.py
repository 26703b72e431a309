"""Task outputs as aip shows them for agents without Lua: printed, or into the job's output file.

aip echoes a string output to the terminal (A:src/run/run_agent_task.rs@952ad06e); the legacy
scripts redirected that to a file (`> results/$model.txt`), which `OutputSpec.stdout_path` keeps
with `{cell}`/`{job}` placeholders. Files go through `write_atomic` (never overwritten without force).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aipack_compat.files import RefusedOverwrite, write_atomic
from aipack_compat.model.job import JobSpec, MatrixCell

if TYPE_CHECKING:
    from aipack_compat.execute.runner import Runner


def output_text(outputs: list[Any]) -> str:
    parts = []
    for output in outputs:
        if output is None:
            continue
        parts.append(output if isinstance(output, str) else json.dumps(output, ensure_ascii=False))
    return "".join(part if part.endswith("\n") else part + "\n" for part in parts)


def write_cell_outputs(runner: "Runner", job: JobSpec, cell: MatrixCell, outputs: list[Any]) -> None:
    text = output_text(outputs)
    target = job.output.stdout_path
    if target:
        relative = Path(job.workdir) / target.replace("{cell}", cell.label).replace("{job}", job.name)
        base = runner.settings.outputs_dir or runner.root
        path = base / relative
        try:
            write_atomic(path, text, force=runner.settings.force_outputs)
        except RefusedOverwrite as exc:
            runner.progress.note(f"{job.name} [{cell.label}]: output not written: {exc}")
        except OSError as exc:
            runner.progress.note(f"{job.name} [{cell.label}]: cannot write {path}: {exc.strerror}")
        return
    if runner.settings.echo_outputs and text:
        runner.out.write(f"== {job.name} [{cell.label}]\n{text}")
        runner.out.flush()
