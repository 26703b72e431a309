"""A workspace on disk with a parent agent that calls sub-agents, and a Runner over httpx.MockTransport."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Callable

import httpx

from aipack_compat.execute.agent_file import load_agent_spec
from aipack_compat.execute.context import RunSettings
from aipack_compat.execute.runner import Runner
from aipack_compat.model.job import ExecutionSettings, InputSpec, JobConfig, JobSpec, MatrixCell, SourceLocation
from aipack_compat.model.options import AgentOptions


def lua_agent(*, options: str = "", before_all: str = "", data: str = "", prompt: str = "",
              output: str = "", after_all: str = "") -> str:
    """An agent file's text; empty sections are left out."""
    sections = [("Options", "toml", options), ("Before All", "lua", before_all), ("Data", "lua", data)]
    text = "".join(f"# {title}\n\n```{language}\n{code.strip()}\n```\n\n" for title, language, code in sections if code)
    if prompt:
        text += f"# Instruction\n\n{prompt.strip()}\n\n"
    for title, code in (("Output", output), ("After All", after_all)):
        if code:
            text += f"# {title}\n\n```lua\n{code.strip()}\n```\n\n"
    return text


def workspace(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def job_config(root: Path, agent_file: str, values: list[str], *, workspace_options: AgentOptions | None = None,
               cells: list[MatrixCell] | None = None, concurrency: int = 2) -> JobConfig:
    """The config `migrate` would write for `aip run <agent_file> -i v ...` in `root`."""
    base = workspace_options or AgentOptions(model="ws-model", temperature=0.1)
    spec = load_agent_spec(str(root), str(root / agent_file), "0.8.37")
    options = spec.options.merged_over(base)
    if concurrency:
        options = AgentOptions(input_concurrency=concurrency).merged_over(options)
    job = JobSpec(name="job", agent=spec.name, agent_ref=agent_file,
                  inputs=InputSpec(kind="literals", values=values) if values else InputSpec(),
                  options=options, matrix=cells or [], source=SourceLocation(path="run.sh", line=1))
    return JobConfig(workspace_options=base, agents={spec.name: spec}, jobs=[job],
                     execution=ExecutionSettings(ollama_url="http://backend", retries=0, request_timeout_seconds=5))


def echo_answer(request: httpx.Request) -> httpx.Response:
    """`<model>: <last message>` so tests see which model and prompt each call had."""
    body = json.loads(request.content)
    text = f"{body['model']}: {body['messages'][-1]['content'].strip()}"
    return httpx.Response(200, json={"model": body["model"], "message": {"role": "assistant", "content": text},
                                     "done": True, "done_reason": "stop", "eval_count": 2,
                                     "eval_duration": 10_000_000, "prompt_eval_count": 3})


def run_jobs(config: JobConfig, root: Path, handler: Callable[[httpx.Request], Any],
             timeout: float = 30.0, **overrides: Any) -> Runner:
    overrides.setdefault("results_path", root / "results.jsonl")
    settings = RunSettings(config_path=root / "jobs.json", retry_base_seconds=0.0, echo_outputs=False, **overrides)

    async def main() -> Runner:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            runner = Runner(config, settings, http)
            await asyncio.wait_for(runner.run(), timeout)
            return runner

    return asyncio.run(main())
