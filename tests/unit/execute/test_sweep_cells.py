"""A migrated nested sweep (model × temperature) run by the executor: each cell sends its own
model and temperature and writes the file the shell script wrote for it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx

from aipack_compat.execute.context import RunSettings

from aipack_compat.execute.runner import Runner
from aipack_compat.migrate.plan import JSON_NAME, plan_migration
from aipack_compat.model.job import JobConfig
from aipack_compat.model.run import RunSummary

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "scripts" / "nested-sweep"


def test_each_cell_sends_its_options_and_writes_its_own_file(tmp_path: Path) -> None:
    migrated = JobConfig.model_validate_json(plan_migration(str(FIXTURE), "json").files[JSON_NAME])
    (job,) = [job for job in migrated.jobs if job.name == "sweep.sh:9:eval"]
    config = migrated.model_copy(update={"jobs": [job], "root": str(FIXTURE)})
    sent: list[tuple[str, float | None]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        temperature = body.get("options", {}).get("temperature")
        sent.append((body["model"], temperature))
        return httpx.Response(200, json={"model": body["model"], "done": True, "done_reason": "stop",
                                         "message": {"role": "assistant", "content": f"{body['model']} at {temperature}"}})

    outputs = tmp_path / "outputs"
    summary = run(config, tmp_path, answer, outputs_dir=outputs)
    assert summary.items_failed == 0
    cells = [("llama3.2:1b", 0.0), ("llama3.2:1b", 0.7), ("qwen2.5:0.5b", 0.0), ("qwen2.5:0.5b", 0.7)]
    assert sorted(sent) == cells
    # the shell wrote results/${model//:/_}-t$temp.txt: the same names, one per cell
    written = {p.relative_to(outputs).as_posix(): p.read_text() for p in outputs.rglob("*.txt")}
    assert written == {f"results/{model.replace(':', '_')}-t{temp:g}.txt": f"{model} at {temp}\n"
                       for model, temp in cells}
    assert not (FIXTURE / "results").exists()  # the fixture itself is never written to


def run(config: JobConfig, tmp_path: Path, handler: Any, **overrides: Any) -> RunSummary:
    settings = RunSettings(config_path=tmp_path / "jobs.json", results_path=tmp_path / "results.jsonl",
                           retry_base_seconds=0.0, echo_outputs=False, **overrides)

    async def main() -> RunSummary:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            return await Runner(config, settings, http).run()

    return asyncio.run(main())
