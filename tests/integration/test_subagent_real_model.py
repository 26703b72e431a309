"""`aip.agent.run` end to end on the real SmolLM2 backend: a parent whose # Data runs a sibling prompt agent.

Asserts structure and same-request-same-text, never golden prose.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from aipack_compat.execute.client import build_http_client
from aipack_compat.execute.context import RunSettings
from aipack_compat.execute.journal import read_records
from aipack_compat.execute.runner import Runner
from aipack_compat.model.job import JobConfig
from aipack_compat.model.options import AgentOptions
from tests.unit.execute.subagent_helper import job_config, lua_agent, workspace

pytestmark = pytest.mark.llm

PARENT = lua_agent(
    data="""
local res = aip.agent.run("colour", {inputs = {input, input .. " again"}})
return {answers = res.outputs, total = res.after_all}
""",
    prompt="Reply with one word. Which of these is longest?\n{{#each data.answers}}- {{this}}\n{{/each}}",
    output="return {final = ai_response.content, answers = data.answers, total = data.total, model = ai_response.model_name}",
)
SUB = lua_agent(
    options="input_concurrency = 2",
    prompt="Name one colour that matches: {{input}}",
    output="return aip.text.trim(ai_response.content or '')",
    after_all="return #outputs",
)


def run(config: JobConfig, root: Path, url: str, results: str) -> Runner:
    settings = RunSettings(config_path=root / "jobs.json", results_path=root / results, ollama_urls=(url,),
                           echo_outputs=False, retry_base_seconds=0.1)

    async def main() -> Runner:
        async with build_http_client(120.0, 4) as http:
            runner = Runner(config, settings, http)
            await asyncio.wait_for(runner.run(), 240)
            return runner

    return asyncio.run(main())


def test_parent_runs_a_sub_agent_on_the_real_model_and_repeats_identically(ollama_backend: str, tmp_path: Path) -> None:
    workspace(tmp_path, {"parent.aip": PARENT, "colour.aip": SUB})
    config = job_config(tmp_path, "parent.aip", ["sky", "grass"],
                        workspace_options=AgentOptions(model="smollm2:135m", temperature=0.0))
    first = run(config, tmp_path, ollama_backend, "a.jsonl")
    records = sorted(read_records(tmp_path / "a.jsonl"), key=lambda r: r.input_index)
    assert [r.status for r in records] == ["success", "success"], [r.error for r in records]
    for record in records:
        output = record.output
        assert output["total"] == 2 and len(output["answers"]) == 2
        assert all(isinstance(answer, str) and answer for answer in output["answers"])
        assert isinstance(output["final"], str) and output["final"].strip()
        assert output["model"] == "smollm2:135m" and record.eval_count and record.eval_count > 0
        # the parent's prompt carried the sub-agent's answers
        last = record.request["messages"][-1]["content"] if record.request else ""
        assert all(answer in last for answer in output["answers"])
    stats = first.sub_agents.stats
    assert (stats.runs, stats.tasks, stats.ai_calls, stats.failed_runs) == (2, 4, 4, 0) and stats.eval_count > 0

    run(config, tmp_path, ollama_backend, "b.jsonl")
    again = sorted(read_records(tmp_path / "b.jsonl"), key=lambda r: r.input_index)
    assert [r.output for r in again] == [r.output for r in records]
