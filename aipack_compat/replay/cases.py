"""Replay cases: one per migrated `aip run` invocation and matrix cell, plus the config state each needs."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from aipack_compat.model.job import JobConfig, JobSpec, MatrixCell
from aipack_compat.model.options import AgentOptions

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class ReplayCase:
    case_id: str
    job: JobSpec
    cell: MatrixCell | None

    @property
    def file_stem(self) -> str:
        """A file-name-safe, still unique form of the case id (for cassettes)."""
        return _UNSAFE.sub("_", self.case_id).strip("_") or "case"

    def workspace_options(self, config: JobConfig) -> AgentOptions:
        """The config-file state this invocation saw: the merged config layers, with the cell's
        overrides on top. A model loop rewrote `.aipack/config.toml` (sed) before each `aip run`, so
        the cell's options are layer 3, below the agent's own `# Options` (spec §1.2)."""
        options = config.workspace_options
        return self.cell.options.merged_over(options) if self.cell is not None else options


def cases_of(config: JobConfig, only: Sequence[str] = ()) -> list[ReplayCase]:
    """Every case, in job order; `only` keeps cases whose id or job name matches a glob."""
    cases: list[ReplayCase] = []
    for job in config.jobs:
        if job.matrix:
            cases += [ReplayCase(f"{job.name}[{cell.label}]", job, cell) for cell in job.matrix]
        else:
            cases.append(ReplayCase(job.name, job, None))
    return [c for c in cases if selected(c.case_id, c.job.name, only)] if only else cases


def selected(case_id: str, job: str, only: Sequence[str]) -> bool:
    """`--only`: an exact case id (ids carry `[cell]`, which a glob reads as a character class), or a glob."""
    return any(p in (case_id, job) or fnmatch.fnmatchcase(case_id, p) or fnmatch.fnmatchcase(job, p) for p in only)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # TOML floats and Python repr agree for finite values (0.0, 0.7, 1e-07)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON string escapes are valid TOML basic strings
    raise TypeError(f"no TOML form for {type(value).__name__}")


def options_toml(options: AgentOptions, table: str | None = "options") -> str:
    """`[options]` TOML (aip 0.7.10+ shape, spec §1.4) for the values that are set."""
    lines = [f"[{table}]"] if table else []
    for key, value in options.model_dump(exclude={"model_aliases"}).items():
        if value is not None:
            lines.append(f"{key} = {_toml_value(value)}")
    if options.model_aliases:
        lines.append(f"[{table}.model_aliases]" if table else "[model_aliases]")
        lines += [f"{json.dumps(alias)} = {_toml_value(target)}" for alias, target in sorted(options.model_aliases.items())]
    return "\n".join(lines) + "\n"
