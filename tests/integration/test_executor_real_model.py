"""End to end against the project-owned Ollama-API backend running the real SmolLM2 model.

Asserts structure and same-request-same-text, never golden prose.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from aipack_compat.execute.journal import read_records

pytestmark = pytest.mark.llm
REPO = Path(__file__).resolve().parents[2]
JOBS = REPO / "fixtures" / "executor" / "jobs.json"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aipack_compat", "run", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=REPO, timeout=300)


def test_backend_speaks_ollama_and_is_deterministic(ollama_backend: str) -> None:
    body = {"model": "smollm2:135m", "stream": False, "options": {"temperature": 0.0, "num_predict": 12},
            "messages": [{"role": "user", "content": "Name a colour."}]}
    first = httpx.post(ollama_backend + "/api/chat", json=body, timeout=60).json()
    second = httpx.post(ollama_backend + "/api/chat", json=body, timeout=60).json()
    assert first["done"] is True and first["eval_count"] > 0 and first["prompt_eval_count"] > 0
    assert first["message"]["content"] == second["message"]["content"]
    with httpx.stream("POST", ollama_backend + "/api/generate", json={"model": "smollm2", "prompt": "Hi",
                                                                      "options": {"num_predict": 3}}) as response:
        lines = [json.loads(line) for line in response.iter_lines() if line]
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert all(not line["done"] for line in lines[:-1]) and lines[-1]["done"] and "eval_count" in lines[-1]
    assert httpx.post(ollama_backend + "/api/chat", json={"model": "nope", "messages": []}).status_code == 404
    assert httpx.post(ollama_backend + "/api/chat", content=b"{").status_code == 400
    assert httpx.post(ollama_backend + "/api/chat", json={"messages": []}).status_code == 400
    assert "smollm2:135m" in [m["name"] for m in httpx.get(ollama_backend + "/api/tags").json()["models"]]
    assert httpx.get(ollama_backend + "/v1/models").json()["object"] == "list"
    assert httpx.post(ollama_backend + "/api/show", json={"model": "smollm2:135m"}).json()["details"]["family"]
    openai = httpx.post(ollama_backend + "/v1/chat/completions", timeout=60,
                        json={"model": "smollm2:135m", "max_tokens": 4, "messages": body["messages"]}).json()
    assert openai["object"] == "chat.completion" and openai["usage"]["completion_tokens"] > 0


def test_jobs_run_end_to_end_and_repeat_identically(ollama_backend: str, tmp_path: Path) -> None:
    env = {"AIPACK_COMPAT_CACHE_DIR": str(tmp_path / "cache")}
    results = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    for wire, path in zip(("ollama", "aip-compat"), results):
        done = cli(str(JOBS), "--ollama-url", ollama_backend, "--results", str(path), "--no-cache", "--wire", wire,
                   "--format", "json", "--job", "greet", "--job", "ask", env=env)
        assert done.returncode == 0, done.stderr
        summary = json.loads(done.stdout)
        assert [(c["job"], c["cell"], c["succeeded"]) for c in summary["cells"]] == [
            ("greet", "default", 2), ("ask", "smollm2:135m", 2), ("ask", "smollm2:135m-instruct-q4", 2)]
    first, second = (read_records(path) for path in results)
    assert all(r.status == "success" and r.response_text and r.eval_count for r in first)
    assert [r.request for r in first] == [r.request for r in second]  # both modes send aip's body here
    assert [r.response_text for r in first] == [r.response_text for r in second]
    ask = [r for r in first if r.job == "ask"]
    assert {r.input["path"] for r in ask} == {"questions/geography.md", "questions/arithmetic.md"}


def test_streaming_records_time_to_first_token(ollama_backend: str, tmp_path: Path) -> None:
    done = cli(str(JOBS), "--ollama-url", ollama_backend, "--results", str(tmp_path / "r.jsonl"), "--no-cache",
               "--job", "greet", "--stream", "--num-predict", "8", "--quiet")
    assert done.returncode == 0, done.stderr
    records = read_records(tmp_path / "r.jsonl")
    assert all(r.ttft_seconds is not None and r.ttft_seconds <= (r.latency_seconds or 0) for r in records)
    assert all(r.backend and r.backend.eval_count and r.backend.eval_count <= 8 for r in records)


def test_sigkill_then_resume_loses_and_duplicates_nothing(ollama_backend: str, tmp_path: Path) -> None:
    results = tmp_path / "r.jsonl"
    args = [sys.executable, "-m", "aipack_compat", "run", str(JOBS), "--ollama-url", ollama_backend, "--results",
            str(results), "--no-cache", "--concurrency", "1", "--quiet", "--job", "greet", "--job", "ask"]
    process = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not results.exists() or results.read_bytes().count(b"\n") < 2):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    before = len(read_records(results))
    assert 2 <= before < 6
    done = cli(*args[4:], "--resume")
    assert done.returncode == 0, done.stderr
    keys = [r.key for r in read_records(results)]
    assert len(keys) == 6 and len(set(keys)) == 6
