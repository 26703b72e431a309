from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest

from aipack_compat.execute import flow as flow_module
from aipack_compat.execute.context import RunSettings
from aipack_compat.execute.journal import read_records
from aipack_compat.execute.runner import Runner
from aipack_compat.model.job import JobConfig, SourceLocation, StageCode
from aipack_compat.model.run import RunSummary

from .jobs_helper import config


def native_answer(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    text = "echo: " + body["messages"][-1]["content"].strip() + " Score: 6/10"
    return httpx.Response(200, json={"model": body["model"], "message": {"role": "assistant", "content": text},
                                     "done": True, "done_reason": "stop", "eval_count": 5,
                                     "eval_duration": 50_000_000, "prompt_eval_count": 3})


def run(job_config: JobConfig, tmp_path: Path, handler: Callable[[httpx.Request], Any],
        **overrides: Any) -> RunSummary:
    settings = RunSettings(config_path=tmp_path / "jobs.json", results_path=tmp_path / "results.jsonl",
                           retry_base_seconds=0.0, echo_outputs=False, **overrides)

    async def main() -> RunSummary:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            return await Runner(job_config, settings, http).run()

    return asyncio.run(main())


def test_every_input_becomes_one_success_record_with_request_and_metrics(tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return native_answer(request)

    summary = run(config(["Ada", "Linus", "Grace"], score_pattern="Score: [0-9]\\+/10"), tmp_path, handler)
    records = read_records(tmp_path / "results.jsonl")
    assert [r.status for r in records] == ["success"] * 3
    assert sorted(r.output for r in records) == sorted(f"echo: Hi {n} Score: 6/10" for n in ("Ada", "Linus", "Grace"))
    assert sorted(json.dumps(r.request, sort_keys=True) for r in records) == \
        sorted(json.dumps(body, sort_keys=True) for body in seen)
    assert records[0].eval_count == 5 and records[0].tokens_per_second == pytest.approx(100.0)
    assert summary.cells[0].succeeded == 3 and summary.cells[0].mean_score == 6.0
    assert seen[0]["options"] == {"temperature": 0.0} and seen[0]["stream"] is False


def test_no_ai_call_when_every_part_renders_empty(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    run(config(["x"], templates=("  {{data.missing}}  \n",)), tmp_path, handler)
    [record] = read_records(tmp_path / "results.jsonl")
    assert record.status == "success" and record.request is None and record.output is None


def test_retries_5xx_then_succeeds_and_never_retries_404(tmp_path: Path) -> None:
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return httpx.Response(503, json={"error": "busy"}) if calls["n"] <= 2 else native_answer(request)

    summary = run(config(["a"], retries=3), tmp_path, flaky)
    assert summary.items_failed == 0 and calls["n"] == 3

    calls["n"] = 0

    def missing(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return httpx.Response(404, json={"error": "model 'nope' not found"})

    summary = run(config(["a"], retries=3), tmp_path / "b", missing)
    [record] = read_records(tmp_path / "b" / "results.jsonl")
    assert calls["n"] == 1 and record.status == "error" and record.error is not None
    assert record.error.type == "ModelNotFound" and record.error.status_code == 404
    assert summary.items_failed == 1


def test_resume_skips_completed_keys_and_reruns_errors(tmp_path: Path) -> None:
    def fail_linus(request: httpx.Request) -> httpx.Response:
        if b"Linus" in request.content:
            return httpx.Response(400, json={"error": "bad"})
        return native_answer(request)

    run(config(["Ada", "Linus"]), tmp_path, fail_linus)
    seen: list[bytes] = []

    def record_calls(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return native_answer(request)

    summary = run(config(["Ada", "Linus"]), tmp_path, record_calls, resume=True)
    assert len(seen) == 1 and b"Linus" in seen[0] and summary.resumed == 1
    records = read_records(tmp_path / "results.jsonl")
    assert [(r.input, r.status) for r in records if r.status == "success"].count(("Ada", "success")) == 1


def test_torn_last_line_is_cut_before_resuming(tmp_path: Path) -> None:
    run(config(["Ada"]), tmp_path, native_answer)
    with open(tmp_path / "results.jsonl", "ab") as handle:
        handle.write(b'{"key":"job/default/1:abc","status":"succ')  # SIGKILL mid-write
    run(config(["Ada", "Linus"]), tmp_path, native_answer, resume=True)
    lines = (tmp_path / "results.jsonl").read_bytes().splitlines()
    assert [json.loads(line)["input"] for line in lines] == ["Ada", "Linus"]


def test_cache_hit_skips_http(tmp_path: Path) -> None:
    calls = {"n": 0}

    def counted(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return native_answer(request)

    run(config(["Ada"]), tmp_path, counted, cache_dir=tmp_path / "cache")
    summary = run(config(["Ada"]), tmp_path / "again", counted, cache_dir=tmp_path / "cache")
    [record] = read_records(tmp_path / "again" / "results.jsonl")
    assert calls["n"] == 1 and record.cached and summary.cells[0].cached == 1
    assert record.output == "echo: Hi Ada Score: 6/10"


def test_repeated_cells_sample_each_time_and_cache_each_repetition(tmp_path: Path) -> None:
    from aipack_compat.model.job import MatrixCell

    answers = iter(f"sample {n}" for n in range(100))

    def sampling(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        return httpx.Response(200, json={"model": body["model"], "message": {"role": "assistant", "content": next(answers)},
                                         "done": True})

    base = config(["Ada"])
    repeated = base.model_copy(update={"jobs": [base.jobs[0].model_copy(
        update={"matrix": [MatrixCell(label=str(i)) for i in (1, 2, 3)]})]})
    run(repeated, tmp_path, sampling, cache_dir=tmp_path / "cache")
    first = {r.cell: r.output for r in read_records(tmp_path / "results.jsonl")}
    assert first == {"1": "sample 0", "2": "sample 1", "3": "sample 2"}  # `for i in {1..3}` sampled 3 times
    run(repeated, tmp_path / "again", sampling, cache_dir=tmp_path / "cache")
    again = read_records(tmp_path / "again" / "results.jsonl")
    assert {r.cell: r.output for r in again} == first and all(r.cached for r in again)


def test_matrix_runs_each_model_as_its_own_cell(tmp_path: Path) -> None:
    models: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        models.append(json.loads(request.content)["model"])
        return native_answer(request)

    summary = run(config(["a", "b"], models=["m1:1b", "ollama::m2"]), tmp_path, handler)
    assert [(c.cell, c.succeeded) for c in summary.cells] == [("m1:1b", 2), ("ollama::m2", 2)]
    assert sorted(set(models)) == ["m1:1b", "m2"]


def test_non_ollama_model_is_an_item_error_without_a_request(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    summary = run(config(["a"], model="gpt-4o-mini"), tmp_path, handler)
    [record] = read_records(tmp_path / "results.jsonl")
    assert record.error is not None and record.error.type == "NotOllama" and summary.items_failed == 1


def test_lua_agent_without_lua_support_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flow_module, "lua_available", lambda: False)
    stage = StageCode(stage="data", code="return 1", source=SourceLocation(path="a.aip", line=3))
    summary = run(config(["a", "b"], stages=[stage]), tmp_path, native_answer)
    records = read_records(tmp_path / "results.jsonl")
    assert [r.error.type for r in records if r.error] == ["NeedsLuaStages"] * 2
    assert "needs Lua stage support" in records[0].error.message and summary.items_failed == 2  # type: ignore[union-attr]


def test_template_error_is_a_located_failure(tmp_path: Path) -> None:
    run(config(["a"], templates=("{{#if}}\n",)), tmp_path, native_answer)
    [record] = read_records(tmp_path / "results.jsonl")
    assert record.status == "failure" and record.error is not None
    assert record.error.type == "RenderFailure" and record.error.message.startswith("a.aip")


def test_dry_req_sends_nothing(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    summary = run(config(["a"]), tmp_path, handler, dry="req")
    assert summary.cells[0].succeeded == 1
