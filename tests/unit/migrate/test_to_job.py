"""Fixture workspaces -> exact jobs; idempotence; JSON/Python round trips."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.migrate.emit_python import render_python
from aipack_compat.migrate.plan import JSON_NAME, plan_migration
from aipack_compat.model.job import InputSpec, JobConfig, JobSpec, MatrixCell, OutputSpec, RunFlags, SourceLocation
from aipack_compat.model.options import AgentOptions

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "scripts"


def jobs_of(name: str) -> list[dict]:  # type: ignore[type-arg]
    plan = plan_migration(str(FIXTURES / name), "json")
    return json.loads(plan.files[JSON_NAME])["jobs"]


def summary(job: dict) -> dict:  # type: ignore[type-arg]
    return {
        "agent": job["agent"], "workdir": job["workdir"], "inputs": job["inputs"], "flags": job["flags"],
        "timeout": job["timeout_seconds"], "output": job["output"], "score": job["score_pattern"],
        "models": [(cell["label"], cell["options"]["model"]) for cell in job["matrix"]], "env": job["env"],
    }


NO_INPUTS = {"kind": "none", "globs": [], "values": []}
SINGLE = {"single_shot": True, "verbose": False, "watch": False, "dry": None}


def test_model_loop_with_sed() -> None:
    (job,) = jobs_of("model-loop-sed")
    assert summary(job) == {
        "agent": "flows/eval", "workdir": "runs", "inputs": NO_INPUTS, "flags": SINGLE, "timeout": 90.0,
        "output": {"stdout_path": "runs/results/{cell}.txt", "stderr_path": "runs/results/{cell}.txt", "append": False, "per_input": False},
        "score": "Score: [0-9]+/10",
        "models": [("gemma3_1b", "gemma3:1b"), ("qwen3_0.6b", "qwen3:0.6b"), ("llama3.2_1b", "llama3.2:1b")], "env": {},
    }
    assert job["options"]["model"] == "gpt-4.1-mini" and job["options"]["input_concurrency"] == 2
    assert job["source"] == {"path": "eval.sh", "line": 11, "column": 3}


def test_heredoc_rewrite_sets_model_and_temperature() -> None:
    (job,) = jobs_of("heredoc-rewrite")
    assert summary(job)["models"] == [("gemma3:1b", "gemma3:1b"), ("qwen3:0.6b", "qwen3:0.6b")]
    assert [cell["options"]["temperature"] for cell in job["matrix"]] == [0.0, 0.0]
    # the here-doc replaces the whole file: input_concurrency = 2 is gone for these runs
    assert [cell["options"]["input_concurrency"] for cell in job["matrix"]] == [None, None]
    assert job["inputs"] == {"kind": "literals", "globs": [], "values": ["What is 2+2?"]}
    assert job["output"] == {"stdout_path": "out/{cell}.log", "stderr_path": None, "append": True, "per_input": False}
    assert job["timeout_seconds"] == 120.0


def test_function_called_from_loop() -> None:
    (job,) = jobs_of("function-loop")
    assert summary(job) == {
        "agent": "flows/eval", "workdir": ".", "inputs": NO_INPUTS, "flags": {**SINGLE, "verbose": True}, "timeout": 300.0,
        "output": {"stdout_path": "reports/{cell}.md", "stderr_path": None, "append": False, "per_input": False}, "score": None,
        "models": [("phi3:mini", "phi3:mini"), ("mistral:7b", "mistral:7b")], "env": {"OLLAMA_KEEP_ALIVE": "0"},
    }


def test_makefile_jobs() -> None:
    review, loop = jobs_of("makefile")
    assert summary(review)["inputs"] == {"kind": "files", "globs": ["src/**/*.rs"], "values": []}
    assert summary(review)["output"]["stdout_path"] == "review.md" and summary(review)["models"] == []
    assert summary(loop)["models"] == [("gemma3:1b", "gemma3:1b"), ("qwen3:0.6b", "qwen3:0.6b")]
    assert summary(loop)["output"]["stdout_path"] == "out/{cell}.txt"


def test_ci_yaml_matrix_job() -> None:
    (job,) = jobs_of("ci-yaml")
    assert summary(job) == {
        "agent": "flows/eval", "workdir": ".", "inputs": {"kind": "files", "globs": ["docs/*.md"], "values": []},
        "flags": SINGLE, "timeout": 600.0,
        "output": {"stdout_path": "results/{cell}.txt", "stderr_path": None, "append": False, "per_input": False}, "score": None,
        "models": [("gemma3:1b", "gemma3:1b"), ("qwen3:0.6b", "qwen3:0.6b")], "env": {"RESULTS": "results"},
    }


def test_python_subprocess_job() -> None:
    (job,) = jobs_of("python-subprocess")
    assert summary(job)["models"] == [("gemma3:1b", "gemma3:1b"), ("qwen3:0.6b", "qwen3:0.6b")]
    assert summary(job)["inputs"] == {"kind": "literals", "globs": [], "values": ["hello"]}
    assert summary(job)["timeout"] == 120.0
    assert summary(job)["output"]["stdout_path"] == summary(job)["output"]["stderr_path"] == "transcripts/{cell}.txt"


def test_file_globs_job() -> None:
    (job,) = jobs_of("file-globs")
    assert job["inputs"] == {"kind": "files", "globs": ["src/**/*.rs", "Cargo.toml", "README.md"], "values": []}
    assert job["output"]["stdout_path"] == "review.log"


def test_agent_is_carried_inside_the_config() -> None:
    plan = plan_migration(str(FIXTURES / "model-loop-sed"), "json")
    agent = json.loads(plan.files[JSON_NAME])["agents"]["flows/eval"]
    assert agent["prompt_parts"][0]["role"] == "user"
    assert "Score: N/10" in agent["prompt_parts"][0]["template"]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_migration_is_deterministic_and_python_matches_json(name: str, tmp_path: Path) -> None:
    first = plan_migration(str(FIXTURES / name), "both").files
    second = plan_migration(str(FIXTURES / name), "both").files
    assert first == second
    module_path = tmp_path / "aipack_jobs.py"
    module_path.write_text(first["aipack_jobs.py"], encoding="utf-8")
    spec = importlib.util.spec_from_file_location("aipack_jobs_under_test", module_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.dump_json() + "\n" == first[JSON_NAME]


def test_emit_python_of_an_empty_config() -> None:
    text = render_python(JobConfig())
    namespace: dict[str, object] = {}
    exec(compile(text, "aipack_jobs.py", "exec"), namespace)  # noqa: S102 - our own generated code
    assert namespace["JOB_CONFIG"] == JobConfig()


_labels = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    models=st.lists(_labels, max_size=4),
    timeout=st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False)),
    globs=st.lists(_labels, max_size=3),
    temperature=st.one_of(st.none(), st.floats(min_value=0, max_value=2, allow_nan=False)),
)
def test_generated_configs_round_trip(models: list[str], timeout: float | None, globs: list[str], temperature: float | None) -> None:
    job = JobSpec(
        name="j", agent="a", agent_ref="a.aip", inputs=InputSpec(kind="files" if globs else "none", globs=globs),
        options=AgentOptions(temperature=temperature), matrix=[MatrixCell(label=m, options=AgentOptions(model=m)) for m in models],
        flags=RunFlags(), timeout_seconds=timeout, output=OutputSpec(stdout_path="out/{cell}.txt"),
        source=SourceLocation(path="s.sh", line=1),
    )
    config = JobConfig(jobs=[job])
    assert JobConfig.model_validate_json(config.model_dump_json()) == config
    namespace: dict[str, object] = {}
    exec(compile(render_python(config), "aipack_jobs.py", "exec"), namespace)  # noqa: S102
    assert namespace["JOB_CONFIG"] == config
