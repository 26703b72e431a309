"""fixtures/scripts/per-input-outputs -> exact jobs: per-file loops as one run with per-input outputs."""

from __future__ import annotations

import json
from pathlib import Path

from aipack_compat.migrate.emit_python import render_python
from aipack_compat.migrate.plan import JSON_NAME, REPORT_NAME, plan_migration
from aipack_compat.model.job import InputSpec, JobConfig, JobSpec, OutputSpec, SourceLocation

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "scripts" / "per-input-outputs"
SINGLE = {"single_shot": True, "verbose": False, "watch": False, "dry": None}
PROMPTS = {"kind": "files", "globs": ["prompts/*.md"], "values": []}


def migrated() -> tuple[list[dict], dict]:  # type: ignore[type-arg]
    plan = plan_migration(str(FIXTURE), "json")
    return json.loads(plan.files[JSON_NAME])["jobs"], json.loads(plan.files[REPORT_NAME])


def shape(job: dict) -> dict:  # type: ignore[type-arg]
    return {key: job[key] for key in ("name", "agent", "workdir", "inputs", "flags", "output")} | {
        "models": [(cell["label"], cell["options"]["model"]) for cell in job["matrix"]]}


def test_exact_jobs() -> None:
    jobs, _ = migrated()
    assert [shape(job) for job in jobs] == [
        {"name": "eval.sh:7:eval", "agent": "flows/eval", "workdir": ".", "inputs": PROMPTS, "flags": SINGLE,
         "output": {"stdout_path": "results/{input_stem}.txt", "stderr_path": None, "append": False, "per_input": True},
         "models": []},
        {"name": "eval.sh:14:eval", "agent": "flows/eval", "workdir": ".", "inputs": PROMPTS, "flags": SINGLE,
         "output": {"stdout_path": "results/{cell}/{input_name}.txt", "stderr_path": None, "append": False,
                    "per_input": True},
         "models": [("gemma3_1b", "gemma3:1b"), ("qwen3_0.6b", "qwen3:0.6b")]},
        {"name": "eval.sh:21:digest", "agent": "flows/digest", "workdir": ".",
         "inputs": {"kind": "files", "globs": ["notes/todo.txt", "notes/done.txt"], "values": []}, "flags": SINGLE,
         "output": {"stdout_path": "digests.log", "stderr_path": None, "append": True, "per_input": False},
         "models": []},
        {"name": "eval.sh:26:eval", "agent": "flows/eval", "workdir": ".", "inputs": PROMPTS, "flags": SINGLE,
         "output": {"stdout_path": None, "stderr_path": None, "append": False, "per_input": False}, "models": []},
    ]
    assert jobs[0]["options"]["model"] == "gpt-4.1-mini"


def test_report_notes_stage_semantics_and_unresolved_names() -> None:
    _, report = migrated()
    by_job = {entry["job"]: entry for entry in report["entries"] if entry["kind"] == "invocation"}
    assert by_job["eval.sh:7:eval"]["status"] == "migrated"
    assert by_job["eval.sh:14:eval"]["status"] == "migrated"
    (note,) = by_job["eval.sh:21:digest"]["details"]
    assert note.startswith("`for f in notes/todo.txt notes/done.txt; do` ran `aip run` once per file, "
                           "so # Before All and # After All ran once per file")
    (loss,) = by_job["eval.sh:26:eval"]["details"]
    assert loss.startswith("stdout path (a form of `$f` other than {input_path}/{input_name}/{input_stem})")
    assert [(d["code"], d["line"]) for d in report["diagnostics"] if d["code"].startswith("MIG")] == [("MIG003", 26)]


def test_python_emit_round_trips_per_input() -> None:
    job = JobSpec(name="j", agent="a", agent_ref="a.aip", inputs=InputSpec(kind="files", globs=["p/*.md"]),
                  output=OutputSpec(stdout_path="out/{cell}/{input_stem}.txt", per_input=True),
                  source=SourceLocation(path="s.sh", line=3))
    config = JobConfig(jobs=[job])
    text = render_python(config)
    assert "per_input=True" in text
    namespace: dict[str, object] = {}
    exec(compile(text, "aipack_jobs.py", "exec"), namespace)  # noqa: S102 - our own generated code
    assert namespace["JOB_CONFIG"] == config
    assert JobConfig.model_validate_json(config.model_dump_json()).jobs[0].output.per_input is True
