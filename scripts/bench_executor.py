#!/usr/bin/env python3
"""Benchmark the executor; prints ratios measured in this one run.

    python scripts/bench_executor.py [--requests 4000] [--rss-items 100000] [--skip-real-model]

(a) our client vs the official `ollama` AsyncClient at concurrency 8 and 32 on a zero-latency
    backend (tests/support/ollama_backend.py --instant, in its own process): req/s and client CPU/request;
(b) vs promptfoo eval (npx promptfoo@0.121) on the same prompts and backend, if installed;
(c) vs the real `aip run` on the same 50-input job, when ~/.cargo/bin/aip exists and port 11434 is free;
(d) executor overhead vs pure backend time with the real model;
(e) a cached re-run of 1,000 items; (f) peak RSS of a 100k-input run (in a child process).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BACKEND = REPO / "tests" / "support" / "ollama_backend.py"
sys.path.insert(0, str(REPO))

from aipack_compat.model.job import (AgentSpec, ExecutionSettings, InputSpec, JobConfig, JobSpec,  # noqa: E402
                                     PromptPart, SourceLocation)
from aipack_compat.model.options import AgentOptions  # noqa: E402

MESSAGES = [{"role": "user", "content": "Say hello to Ada."}]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_backend(*extra: str, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    port = port or free_port()
    process = subprocess.Popen([sys.executable, str(BACKEND), "--port", str(port), *extra],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(url + "/api/version", timeout=1)
            return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"backend did not start: {' '.join(extra)}")


def job_config(url: str, count: int, root: str = ".") -> JobConfig:
    part = PromptPart(role="user", heading="Instruction", template="\nSay hello to {{input}}.\n",
                      source=SourceLocation(path="greet.aip", line=1))
    agent = AgentSpec(name="greet", source=SourceLocation(path="greet.aip"), prompt_parts=[part])
    job = JobSpec(name="greet", agent="greet", agent_ref="greet.aip", source=SourceLocation(path="bench"),
                  inputs=InputSpec(kind="literals", values=[f"person {i}" for i in range(count)]),
                  options=AgentOptions(model="smollm2:135m", temperature=0.0, input_concurrency=32))
    return JobConfig(root=root, agents={"greet": agent}, jobs=[job],
                     execution=ExecutionSettings(ollama_url=url, wire="aip-compat"))


async def _ours(url: str, concurrency: int, total: int) -> None:
    from aipack_compat.execute.client import OllamaClient, build_http_client
    from aipack_compat.execute.pool import EndpointPool
    from aipack_compat.execute.retry import RetryPolicy
    from aipack_compat.execute.wire import build_request

    request = build_request(MESSAGES, "smollm2:135m", 0.0, None, "aip-compat", "0.8.37")
    http = build_http_client(60, concurrency)
    client = OllamaClient(http, EndpointPool([url], concurrency), RetryPolicy(), 60)
    remaining = iter(range(total))

    async def worker() -> None:
        for _ in remaining:
            await client.chat(request)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await http.aclose()


async def _official(url: str, concurrency: int, total: int) -> None:
    import ollama

    client = ollama.AsyncClient(host=url)
    remaining = iter(range(total))

    async def worker() -> None:
        for _ in remaining:
            await client.chat(model="smollm2:135m", messages=MESSAGES, options={"temperature": 0.0})

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def measure(coroutine_factory, url: str, concurrency: int, total: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    asyncio.run(coroutine_factory(url, concurrency, min(200, total)))  # warm-up
    cpu, wall = time.process_time(), time.perf_counter()
    asyncio.run(coroutine_factory(url, concurrency, total))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return total / wall, cpu / total * 1000


def bench_a(url: str, total: int) -> None:
    print("(a) client throughput on a zero-latency backend (backend in its own process)")
    rates = {}
    for concurrency in (8, 32):
        ours, ours_cpu = measure(_ours, url, concurrency, total)
        theirs, theirs_cpu = measure(_official, url, concurrency, total)
        rates[concurrency] = ours
        print(f"    c={concurrency:<3} ours {ours:7.0f} req/s ({ours_cpu:.3f} ms CPU/req)   "
              f"ollama.AsyncClient {theirs:7.0f} req/s ({theirs_cpu:.3f} ms CPU/req)   ratio {ours / theirs:.2f}x")
    print(f"    ours c=32 vs c=8: {rates[32] / rates[8]:.2f}x")


def run_cli(config_path: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "aipack_compat", "run", str(config_path), "--quiet", *args],
                          capture_output=True, text=True, cwd=REPO)
    return time.perf_counter() - started, done


def bench_b(url: str, work: Path, total: int = 200) -> None:
    npx = shutil.which("npx")
    local = Path(os.environ.get("PROMPTFOO_DIR", "/tmp/pf")) / "node_modules" / ".bin" / "promptfoo"
    command = [str(local)] if local.exists() else ([npx, "--yes", "promptfoo@0.121"] if npx else None)
    if command is None:
        print("(b) skipped: neither a local promptfoo nor npx is available")
        return
    (work / "pf").mkdir(exist_ok=True)
    tests = "\n".join(f"  - vars: {{name: 'person {i}'}}" for i in range(total))
    (work / "pf" / "promptfooconfig.yaml").write_text(
        "prompts:\n  - 'Say hello to {{name}}.'\nproviders:\n  - id: ollama:chat:smollm2:135m\n"
        "    config:\n      temperature: 0\n" + f"tests:\n{tests}\n")
    env = {**os.environ, "OLLAMA_BASE_URL": url, "PROMPTFOO_DISABLE_TELEMETRY": "1", "PROMPTFOO_CACHE_ENABLED": "false",
           "PROMPTFOO_DISABLE_UPDATE": "1", "HOME": str(work / "pf")}
    started = time.perf_counter()
    done = subprocess.run([*command, "eval", "--no-cache", "-j", "32", "--no-table", "--no-write"], cwd=work / "pf",
                          env=env, capture_output=True, text=True, timeout=600)
    theirs = time.perf_counter() - started
    if done.returncode not in (0, 100):
        print(f"    promptfoo failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
        print("(b) skipped: promptfoo eval did not run")
        return
    config = work / "b.json"
    config.write_text(job_config(url, total).model_dump_json())
    ours, result = run_cli(config, "--no-cache", "--results", str(work / "b.jsonl"), "--concurrency", "32")
    print(f"(b) {total} prompts at concurrency 32: promptfoo eval {total / theirs:.0f} req/s (process wall {theirs:.2f} s), "
          f"aipack-compat run {total / ours:.0f} req/s (process wall {ours:.2f} s): ratio {theirs / ours:.1f}x")


def bench_c(work: Path, total: int = 50) -> None:
    aip = Path.home() / ".cargo" / "bin" / "aip"
    if not aip.exists():
        print("(c) skipped: ~/.cargo/bin/aip is not installed")
        return
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", 11434)) == 0:
            print("(c) skipped: port 11434 is taken (aip only talks to localhost:11434)")
            return
    process, url = start_backend("--instant", port=11434)
    try:
        workspace = work / "aipws"
        (workspace / ".aipack").mkdir(parents=True, exist_ok=True)
        (workspace / ".aipack" / "config.toml").write_text(
            '[options]\nmodel = "smollm2:135m"\ntemperature = 0.0\ninput_concurrency = 32\n')
        (workspace / "greet.aip").write_text("# Instruction\n\nSay hello to {{input}}.\n")
        env = {**os.environ, "HOME": str(work / "home")}
        inputs = [arg for i in range(total) for arg in ("-i", f"person {i}")]
        subprocess.run([str(aip), "init-base"], cwd=workspace, env=env, capture_output=True, timeout=120)
        started = time.perf_counter()
        try:
            done = subprocess.run([str(aip), "run", "greet.aip", *inputs, "-s"], cwd=workspace, env=env,
                                  capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            print("(c) skipped: `aip run -s` did not finish within 120 s without a terminal here")
            return
        theirs = time.perf_counter() - started
        if done.returncode != 0:
            print(f"(c) skipped: aip run failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
            return
        config = work / "c.json"
        config.write_text(job_config(url, total).model_dump_json())
        ours, result = run_cli(config, "--no-cache", "--results", str(work / "c.jsonl"), "--concurrency", "32")
        print(f"(c) {total}-input job: aip run {theirs:.2f} s, aipack-compat run {ours:.2f} s (process wall): "
              f"{ours / theirs:.2f}x of aip's time")
    finally:
        process.terminate()
        process.wait()


def bench_d(work: Path, total: int = 8) -> None:
    process, url = start_backend()
    try:
        config = work / "d.json"
        config.write_text(job_config(url, total).model_dump_json())
        started = time.perf_counter()
        asyncio.run(_run_runner(config, work / "d.jsonl", concurrency=1, cache=None))
        wall = time.perf_counter() - started
        records = [json.loads(line) for line in (work / "d.jsonl").read_text().splitlines()]
        backend = sum(r["backend"]["total_duration_ns"] for r in records) / 1e9
        print(f"(d) real model, {total} items at concurrency 1: wall {wall:.2f} s, backend generation {backend:.2f} s, "
              f"overhead {100 * (wall / backend - 1):.1f} %")
    finally:
        process.terminate()
        process.wait()


async def _run_runner(config_path: Path, results: Path, concurrency: int, cache: Path | None) -> object:
    from aipack_compat.execute.progress import Progress
    from aipack_compat.execute.runner import RunSettings
    from aipack_compat.execute.session import load_job_config, run_job_config

    settings = RunSettings(config_path=config_path, results_path=results, concurrency=concurrency,
                           cache_dir=cache, echo_outputs=False)
    return await run_job_config(load_job_config(config_path), settings, Progress())


def bench_e(url: str, work: Path, total: int = 1000) -> None:
    config = work / "e.json"
    config.write_text(job_config(url, total).model_dump_json())
    cache = work / "cache"
    asyncio.run(_run_runner(config, work / "e1.jsonl", 32, cache))
    started = time.perf_counter()
    summary = asyncio.run(_run_runner(config, work / "e2.jsonl", 32, cache))
    elapsed = time.perf_counter() - started
    print(f"(e) cached re-run of {total} items: {elapsed:.3f} s ({summary.cells[0].cached} cache hits)")  # type: ignore[attr-defined]


def bench_f(url: str, work: Path, total: int) -> None:
    config = work / "f.json"
    config.write_text(job_config(url, total).model_dump_json())
    code = ("import asyncio, resource, sys; sys.path.insert(0, %r); from scripts.bench_executor import _run_runner;"
            "from pathlib import Path; s = asyncio.run(_run_runner(Path(%r), Path(%r), 32, None));"
            "print(s.cells[0].succeeded, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
            % (str(REPO), str(config), str(work / "f.jsonl")))
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        print(f"(f) failed: {done.stderr.strip()[-400:]}")
        return
    succeeded, rss_kb = done.stdout.split()
    print(f"(f) {total} inputs: {succeeded} ok in {elapsed:.1f} s ({int(succeeded) / elapsed:.0f} items/s with the "
          f"fsync'ed journal), peak RSS {int(rss_kb) / 1024:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--rss-items", type=int, default=100_000)
    parser.add_argument("--skip-real-model", action="store_true")
    parser.add_argument("--only", default="abcdef", help="which measurements to run, e.g. `ae`")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aipack-bench-"))
    process, url = start_backend("--instant")
    try:
        if "a" in args.only:
            bench_a(url, args.requests)
        if "b" in args.only:
            bench_b(url, work)
        if "c" in args.only:
            bench_c(work)
        if "d" in args.only:
            if args.skip_real_model:
                print("(d) skipped: --skip-real-model")
            else:
                bench_d(work)
        if "e" in args.only:
            bench_e(url, work)
        if "f" in args.only:
            bench_f(url, work, args.rss_items)
    finally:
        process.terminate()
        process.wait()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
