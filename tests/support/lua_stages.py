"""Run Lua snippets through the real StageRunner: a one-stage agent in a tmp workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aipack_compat.lua.runtime import SandboxLimits
from aipack_compat.lua.stage_context import StageContext
from aipack_compat.lua.stages import StageRunner
from aipack_compat.model.job import AgentSpec, SourceLocation, StageCode


def make_runner(
    workspace: Path,
    stages: dict[str, tuple[str, int]],
    aip_version: str = "0.8.37",
    limits: SandboxLimits | None = None,
    options: dict[str, Any] | None = None,
    **context_fields: Any,
) -> StageRunner:
    agent_path = workspace / "agent.aip"
    agent = AgentSpec(
        name="agent",
        source=SourceLocation(path=str(agent_path)),
        stages=[
            StageCode(stage=stage, code=code, source=SourceLocation(path=str(agent_path), line=line))  # type: ignore[arg-type]
            for stage, (code, line) in stages.items()
        ],
    )
    context = StageContext(
        workspace_dir=str(workspace),
        agent_file_path=str(agent_path),
        options=options or {"model": "test-model"},
        aip_version=aip_version,
        limits=limits or SandboxLimits(),
        base_aipack_dir=str(workspace / "_base"),
        **context_fields,
    )
    return StageRunner(agent, context)


def run_data(workspace: Path, code: str, input: Any = None) -> Any:
    """The Data stage's value for `code` (the task input is `input`)."""
    return make_runner(workspace, {"data": (code, 1)}).data(input, None, 1).data
