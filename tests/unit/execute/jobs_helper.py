"""Small JobConfig builders for executor tests (no files needed)."""

from __future__ import annotations

from aipack_compat.model.job import (AgentSpec, ExecutionSettings, InputSpec, JobConfig, JobSpec, MatrixCell,
                                     PromptPart, SourceLocation, StageCode)
from aipack_compat.model.options import AgentOptions


def agent(*templates: str, stages: list[StageCode] | None = None) -> AgentSpec:
    parts = [PromptPart(role="user", heading="Instruction", template=t, source=SourceLocation(path="a.aip", line=1))
             for t in templates]
    return AgentSpec(name="a", source=SourceLocation(path="a.aip"), prompt_parts=parts, stages=stages or [])


def config(values: list[str], *, templates: tuple[str, ...] = ("Hi {{input}}\n",), models: list[str] | None = None,
           model: str = "smollm2:135m", wire: str = "ollama", retries: int = 2, url: str = "http://backend",
           stages: list[StageCode] | None = None, score_pattern: str | None = None, concurrency: int = 2) -> JobConfig:
    matrix = [MatrixCell(label=m, options=AgentOptions(model=m)) for m in models or []]
    job = JobSpec(name="job", agent="a", agent_ref="a.aip",
                  inputs=InputSpec(kind="literals", values=values) if values else InputSpec(),
                  options=AgentOptions(model=model, temperature=0.0, input_concurrency=concurrency),
                  matrix=matrix, score_pattern=score_pattern, source=SourceLocation(path="run.sh", line=1))
    return JobConfig(agents={"a": agent(*templates, stages=stages)}, jobs=[job],
                     execution=ExecutionSettings(ollama_url=url, wire=wire, retries=retries,  # type: ignore[arg-type]
                                                 request_timeout_seconds=5))
