"""`aipack-compat run` against the real Ollama server (ollama 0.17.4 serving SmolLM2-135M; see the
`real_ollama` fixture): native /api/chat, the OpenAI-compatible wire, streaming, keep_alive as the
server applies it, a missing model, and the endpoint pool over two real servers.

Texts are compared only between requests that are deterministic (temperature 0 and a seed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from aipack_compat.execute.journal import read_records

pytestmark = [pytest.mark.ollama, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
JOBS = REPO / "fixtures" / "executor" / "jobs.json"
EXAMPLE = REPO / "fixtures" / "example"
sys.path.insert(0, str(REPO / "tests" / "support"))


def aipack(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aipack_compat", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600, env={**os.environ, "PYTHONPATH": str(REPO)})


def run_json(config: Path, url: str | list[str], results: Path, *extra: str) -> dict[str, Any]:
    urls = [url] if isinstance(url, str) else url
    done = aipack("run", str(config), *(arg for u in urls for arg in ("--ollama-url", u)), "--results", str(results),
                  "--no-cache", "--format", "json", *extra)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    return dict(json.loads(done.stdout))


@pytest.fixture(scope="module")
def migrated_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("migrated")
    done = aipack("migrate", str(EXAMPLE), "--out", str(out), "--force")
    assert done.returncode == 0, done.stderr
    return out / "aipack-compat.json"


def test_migrated_example_runs_on_native_chat(real_ollama: Any, migrated_example: Path, tmp_path: Path) -> None:
    summary = run_json(migrated_example, real_ollama.url, tmp_path / "r.jsonl", "--seed", "7", "--num-predict",
                       "8", "--outputs-dir", str(tmp_path / "out"))
    cells = {(c["job"].rsplit(":", 1)[-1], c["cell"]): (c["succeeded"], c["total"]) for c in summary["cells"]}
    assert cells == {("eval", "smollm2:135m"): (3, 3), ("eval", "smollm2:135m-instruct-q4"): (3, 3),
                     ("greet", "default"): (2, 2)}
    records = read_records(tmp_path / "r.jsonl")
    assert all(r.status == "success" and r.response_text and r.endpoint == real_ollama.url for r in records)
    assert all(r.backend and r.backend.eval_count and r.backend.eval_count <= 8 for r in records)
    assert all(r.request and r.request["options"]["seed"] == 7 for r in records)
    assert {r.backend.model for r in records if r.backend} == {"smollm2:135m", "smollm2:135m-instruct-q4"}
    assert sorted(p.name for p in (tmp_path / "out" / "results").iterdir()) == [
        "greetings.txt", "smollm2:135m-instruct-q4.txt", "smollm2:135m.txt"]


def test_native_and_openai_wires_give_the_same_texts(real_ollama: Any, tmp_path: Path) -> None:
    texts = {}
    for wire in ("ollama", "openai"):
        run_json(JOBS, real_ollama.url, tmp_path / f"{wire}.jsonl", "--job", "greet", "--wire", wire, "--seed", "3",
                 "--num-predict", "10")
        records = read_records(tmp_path / f"{wire}.jsonl")
        assert all(r.status == "success" and r.eval_count for r in records)
        texts[wire] = sorted((r.input, r.response_text) for r in records)
    assert texts["ollama"] == texts["openai"]
    openai_request = read_records(tmp_path / "openai.jsonl")[0].request or {}
    assert openai_request["max_tokens"] == 10 and "options" not in openai_request


def test_aip_0_8_16_wire_talks_v1_to_the_real_server(real_ollama: Any, tmp_path: Path) -> None:
    """aip up to 0.8.16 sent /v1/chat/completions with no token cap; the fixture's num_predict caps it."""
    run_json(JOBS, real_ollama.url, tmp_path / "r.jsonl", "--job", "greet", "--wire", "aip-compat",
             "--aip-version", "0.8.16")
    records = read_records(tmp_path / "r.jsonl")
    assert [r.status for r in records] == ["success", "success"]
    assert all(r.request and set(r.request) == {"model", "messages", "stream", "temperature"} for r in records)
    assert all(r.backend and r.backend.eval_count and r.backend.eval_count <= 32 for r in records)


def test_streaming_records_time_to_first_token(real_ollama: Any, tmp_path: Path) -> None:
    run_json(JOBS, real_ollama.url, tmp_path / "r.jsonl", "--job", "greet", "--stream", "--num-predict", "8")
    records = read_records(tmp_path / "r.jsonl")
    assert all(r.ttft_seconds is not None and 0 < r.ttft_seconds <= (r.latency_seconds or 0) for r in records)
    assert all(r.backend and r.backend.total_duration_ns and r.backend.eval_count == 8 for r in records)


def test_the_model_stays_resident_for_the_keep_alive_in_effect(real_ollama: Any, tmp_path: Path) -> None:
    """After a run, /api/ps lists the model until the keep_alive the requests sent, else the server's 5m."""
    run_json(JOBS, real_ollama.url, tmp_path / "r.jsonl", "--job", "greet", "--num-predict", "4")
    finished = datetime.now(timezone.utc)
    sent = {json.dumps(r.request.get("keep_alive")) for r in read_records(tmp_path / "r.jsonl") if r.request}
    rows = {row["name"]: row for row in httpx.get(real_ollama.url + "/api/ps", timeout=10).json()["models"]}
    assert len(rows) == 1  # every tag of the fixture is one blob: one runner
    expires = datetime.fromisoformat(next(iter(rows.values()))["expires_at"])
    if sent == {"null"}:
        assert 240 < (expires - finished).total_seconds() <= 300
    else:
        assert len(sent) == 1 and expires > finished


def test_a_missing_model_is_a_failed_record_not_a_crash(real_ollama: Any, tmp_path: Path) -> None:
    config = json.loads(JOBS.read_text())
    config["root"] = str(JOBS.parent / config["root"])
    greet = next(job for job in config["jobs"] if job["name"] == "greet")
    greet["options"]["model"] = "no-such-model:7b"
    path = tmp_path / "missing.json"
    path.write_text(json.dumps(config))
    done = aipack("run", str(path), "--ollama-url", real_ollama.url, "--results", str(tmp_path / "r.jsonl"),
                  "--no-cache", "--job", "greet", "--format", "json")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    records = read_records(tmp_path / "r.jsonl")
    assert [r.status for r in records] == ["error", "error"]  # a backend error, recorded
    assert all(r.error and r.error.status_code == 404 and "not found" in r.error.message for r in records)
    assert all(r.error and r.error.attempts == 1 for r in records)  # a 404 is not retried


@pytest.fixture(scope="module")
def second_real_ollama(tmp_path_factory: pytest.TempPathFactory, real_ollama: Any) -> Any:
    from real_ollama import serve_for_tests

    yield from serve_for_tests(tmp_path_factory.mktemp("real-ollama-2"))


def test_the_pool_spreads_over_two_real_servers(real_ollama: Any, second_real_ollama: Any,
                                                tmp_path: Path) -> None:
    config = json.loads(JOBS.read_text())
    config["root"] = str(JOBS.parent / config["root"])
    greet = next(job for job in config["jobs"] if job["name"] == "greet")
    greet["inputs"]["values"] = [f"person {i}" for i in range(8)]
    greet["options"]["input_concurrency"] = 4
    path = tmp_path / "pool.json"
    path.write_text(json.dumps(config))
    urls = [real_ollama.url, second_real_ollama.url]
    summary = run_json(path, urls, tmp_path / "r.jsonl", "--job", "greet", "--seed", "5", "--num-predict", "6")
    assert summary["cells"][0]["succeeded"] == 8
    records = read_records(tmp_path / "r.jsonl")
    served = {url: sum(r.endpoint == url for r in records) for url in urls}
    assert all(count >= 1 for count in served.values()) and sum(served.values()) == 8
    for url in urls:  # both servers really generated (their own scheduler loaded the model)
        assert [row["name"] for row in httpx.get(url + "/api/ps", timeout=10).json()["models"]]
