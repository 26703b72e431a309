"""`OutputSpec.per_input`: one output file per input, filled from its file record; refusals without force."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx

from aipack_compat.execute.context import RunSettings
from aipack_compat.execute.journal import read_records
from aipack_compat.execute.outputs import fill_input_template
from aipack_compat.execute.progress import Progress
from aipack_compat.execute.runner import Runner
from aipack_compat.model.job import InputSpec, JobConfig, OutputSpec
from aipack_compat.model.run import RunSummary

from .jobs_helper import config


def run(job_config: JobConfig, tmp_path: Path, handler: Any, progress: Progress | None = None,
        **overrides: Any) -> RunSummary:
    settings = RunSettings(config_path=tmp_path / "jobs.json", results_path=tmp_path / "results.jsonl",
                           retry_base_seconds=0.0, echo_outputs=False, **overrides)

    async def main() -> RunSummary:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            return await Runner(job_config, settings, http, progress=progress).run()

    return asyncio.run(main())


class NoteTaker(Progress):
    def __init__(self) -> None:
        self.notes: list[str] = []

    def note(self, message: str) -> None:
        self.notes.append(message)


def answer(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    prompt = body["messages"][-1]["content"].strip()
    if "spider" in prompt:
        return httpx.Response(404, json={"error": f"model '{body['model']}' not found"})
    return httpx.Response(200, json={"model": body["model"], "message": {"role": "assistant", "content": f"[{body['model']}] {prompt}"},
                                     "done": True, "done_reason": "stop", "eval_count": 2, "eval_duration": 1_000_000})


def per_input_job(output: OutputSpec, models: list[str] | None = None, workdir: str = ".",
                  globs: tuple[str, ...] = ("prompts/*.md",)) -> JobConfig:
    base = config([], templates=("answer {{input.path}} as {{input.stem}}\n",), models=models, retries=1)
    job = base.jobs[0].model_copy(update={"inputs": InputSpec(kind="files", globs=list(globs)), "output": output,
                                          "workdir": workdir})
    return base.model_copy(update={"jobs": [job]})


def workspace(tmp_path: Path) -> None:
    for name in ("capital.md", "haiku.md", "spider.md"):
        (tmp_path / "prompts" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "prompts" / name).write_text(f"question {name}\n")


def test_each_input_gets_its_own_file_and_failures_write_none(tmp_path: Path) -> None:
    workspace(tmp_path)
    job_config = per_input_job(OutputSpec(stdout_path="results/{cell}/{input_stem}.txt", per_input=True),
                               models=["m1", "m2"])
    summary = run(job_config, tmp_path, answer)
    assert summary.items_failed == 2  # spider.md, once per cell
    for model in ("m1", "m2"):
        folder = tmp_path / "results" / model
        assert sorted(p.name for p in folder.iterdir()) == ["capital.txt", "haiku.txt"]
        assert (folder / "capital.txt").read_text() == f"[{model}] answer prompts/capital.md as capital\n"
        assert (folder / "haiku.txt").read_text() == f"[{model}] answer prompts/haiku.md as haiku\n"
    statuses = {(r.cell, r.input["name"]): r.status for r in read_records(tmp_path / "results.jsonl")}
    assert statuses[("m1", "spider.md")] == "error" and statuses[("m1", "capital.md")] == "success"


def test_existing_files_are_refused_without_force_with_one_note_each(tmp_path: Path) -> None:
    workspace(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "capital.md.txt").write_text("kept\n")
    job_config = per_input_job(OutputSpec(stdout_path="out/{input_name}.txt", per_input=True))
    progress = NoteTaker()
    run(job_config, tmp_path, answer, progress=progress)
    assert (tmp_path / "out" / "capital.md.txt").read_text() == "kept\n"
    assert (tmp_path / "out" / "haiku.md.txt").read_text() == "[smollm2:135m] answer prompts/haiku.md as haiku\n"
    refused = [n for n in progress.notes if "output not written" in n]
    assert len(refused) == 1 and "capital.md.txt exists and differs" in refused[0]

    (tmp_path / "results.jsonl").unlink()
    run(job_config, tmp_path, answer, force_outputs=True)
    assert (tmp_path / "out" / "capital.md.txt").read_text() == "[smollm2:135m] answer prompts/capital.md as capital\n"


def test_outputs_dir_and_paths_relative_to_the_workdir(tmp_path: Path) -> None:
    workspace(tmp_path)
    (tmp_path / "runs").mkdir()
    # the script ran in runs/ with `for f in ../prompts/*.md; do ... > "out/$f.txt"`: the path is from runs/
    job_config = per_input_job(OutputSpec(stdout_path="runs/out/{input_path}.txt", per_input=True),
                               workdir="runs", globs=("../prompts/haiku.md",))
    elsewhere = tmp_path / "elsewhere"
    progress = NoteTaker()
    run(job_config, tmp_path, answer, outputs_dir=elsewhere, progress=progress)
    # `{input_path}` is `../prompts/haiku.md` from runs/: runs/out/../prompts/haiku.md.txt
    assert (elsewhere / "runs" / "prompts" / "haiku.md.txt").read_text() == \
        "[smollm2:135m] answer prompts/haiku.md as haiku\n"
    assert not (tmp_path / "runs" / "prompts").exists()
    job_config = per_input_job(OutputSpec(stdout_path="{input_path}.txt", per_input=True),
                               workdir="runs", globs=("../prompts/haiku.md",))
    (tmp_path / "results.jsonl").unlink()
    run(job_config, tmp_path, answer, outputs_dir=elsewhere, progress=progress)
    assert any("leaves the outputs directory" in note for note in progress.notes)
    assert not (tmp_path / "prompts" / "haiku.md.txt").exists()


def test_inputs_sharing_a_name_share_the_file_in_input_order(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.md").write_text("x\n")
    progress = NoteTaker()
    run(per_input_job(OutputSpec(stdout_path="out/{input_name}", per_input=True), globs=("a/*.md", "b/*.md")),
        tmp_path, answer, progress=progress)
    assert (tmp_path / "out" / "x.md").read_text() == \
        "[smollm2:135m] answer a/x.md as x\n[smollm2:135m] answer b/x.md as x\n"
    assert any("2 inputs map to out/x.md" in note for note in progress.notes)


def test_literal_inputs_use_their_index(tmp_path: Path) -> None:
    base = config(["first", "second"], retries=1)
    job = base.jobs[0].model_copy(update={"output": OutputSpec(stdout_path="out/{input_stem}-{input_name}.txt",
                                                               per_input=True)})
    run(base.model_copy(update={"jobs": [job]}), tmp_path, answer)
    assert (tmp_path / "out" / "0-0.txt").read_text() == "[smollm2:135m] Hi first\n"
    assert (tmp_path / "out" / "1-1.txt").read_text() == "[smollm2:135m] Hi second\n"


def test_fill_input_template_from_records(tmp_path: Path) -> None:
    record: dict[str, Any] = {"path": "prompts/sub/q.v2.md", "name": "q.v2.md", "stem": "q.v2"}
    template = "r/{input_path}|{input_name}|{input_stem}"
    assert fill_input_template(template, record, 4, tmp_path, tmp_path) == "r/prompts/sub/q.v2.md|q.v2.md|q.v2"
    assert fill_input_template(template, record, 4, tmp_path, tmp_path / "prompts") == "r/sub/q.v2.md|q.v2.md|q.v2"
    assert fill_input_template(template, "text", 4, tmp_path, tmp_path) == "r/4|4|4"
    assert fill_input_template(template, None, 0, tmp_path, tmp_path) == "r/0|0|0"
