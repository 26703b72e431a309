"""Run Lua snippets through the real StageRunner (a one-stage agent in a tmp workspace)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from aipack_compat.lua.runtime import SandboxLimits
from aipack_compat.lua.stages import StageContext, StageRunner
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


@pytest.fixture
def lua_eval(tmp_path: Path) -> Callable[..., Any]:
    """lua_eval(code, input=None, aip_version=...) -> the Data stage's value."""

    def run(code: str, input: Any = None, before_all: Any = None, aip_version: str = "0.8.37") -> Any:
        runner = make_runner(tmp_path, {"data": (code, 1)}, aip_version=aip_version)
        result = runner.data(input, before_all, 1)
        return result.data

    return run
