#!/usr/bin/env python3
"""Benchmark the executor; prints ratios measured in this one run.

    python scripts/bench_executor.py [--requests 4000] [--rss-items 100000] [--skip-real-model] [--only abcdefg]

(a) our client vs the official `ollama` AsyncClient at concurrency 8 and 32 on a zero-latency backend
    (tests/support/canned_backend.py, a raw asyncio.Protocol server in its own process whose own CPU
    per request is printed, so it is visibly faster than either client): req/s and client CPU/request;
(b) vs promptfoo eval (promptfoo@0.121, `ollama:chat:` provider via OLLAMA_BASE_URL) on the same
    prompts and backend;
(c) vs the real `aip run -s` on the same 50-input job and backend on localhost:11434 (aip's fixed
    endpoint): the canned backend, and the real model unless --skip-real-model;
(d) executor overhead vs pure backend time with the real model (20 items, concurrency 1), with and
    without the fixed start-up;
(e) a cached re-run of 1,000 items; (f) peak RSS of a 100k-input run (in a child process);
(g) the executor (`run`'s runner, journal included) vs the official `ollama` AsyncClient against the real
    Ollama server (scripts/install_ollama.sh) on the real SmolLM2 model, same prompts, concurrency 1 and 4:
    wall and overhead per request (client latency minus the server-reported total_duration). The wall
    follows the server's generation time, which varies run to run on a shared machine; the overhead does not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BACKEND = REPO / "tests" / "support" / "ollama_backend.py"
CANNED = REPO / "tests" / "support" / "canned_backend.py"
AIP = Path.home() / ".cargo" / "bin" / "aip"
sys.path.insert(0, str(REPO))

from aipack_compat.model.job import (AgentSpec, ExecutionSettings, InputSpec, JobConfig, JobSpec,  # noqa: E402
                                     PromptPart, SourceLocation)
from aipack_compat.model.options import AgentOptions  # noqa: E402

MESSAGES = [{"role": "user", "content": "Say hello to Ada."}]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(process: subprocess.Popen[bytes], url: str, what: str) -> None:
    for _ in range(600):
        try:
            urllib.request.urlopen(url + "/api/version", timeout=1)
            return
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    stop(process)
    raise SystemExit(f"backend did not start: {what}")


def start_backend(*extra: str, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """The aiohttp/llama.cpp backend: the real model, or `--instant` canned answers."""
    port = port or free_port()
    process = subprocess.Popen([sys.executable, str(BACKEND), "--port", str(port), *extra],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    _wait_until_up(process, url, " ".join(extra) or "real model")
    return process, url


def start_canned(port: int | None = None, processes: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    """The fast canned backend (asyncio.Protocol); several processes share the port via SO_REUSEPORT."""
    port = port or free_port()
    process = subprocess.Popen([sys.executable, str(CANNED), "--port", str(port), "--processes", str(processes)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    _wait_until_up(process, url, "canned backend")
    return process, url


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a backend this script started, with its forked children (its own session/group)."""
    try:
        os.killpg(process.pid, 15)
    except ProcessLookupError:
        pass
    process.wait()


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its reaped children, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


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


def measure(coroutine_factory, url: str, concurrency: int, total: int,  # type: ignore[no-untyped-def]
            backend_pid: int | None = None) -> tuple[float, float, float | None]:
    asyncio.run(coroutine_factory(url, concurrency, min(200, total)))  # warm-up
    backend_cpu = process_cpu_seconds(backend_pid) if backend_pid else 0.0
    cpu, wall = time.process_time(), time.perf_counter()
    asyncio.run(coroutine_factory(url, concurrency, total))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    backend = (process_cpu_seconds(backend_pid) - backend_cpu) / total * 1000 if backend_pid else None
    return total / wall, cpu / total * 1000, backend


def bench_a(url: str, total: int, backend_pid: int) -> None:
    print("(a) client throughput on a zero-latency backend (canned asyncio.Protocol server, own process)")
    rates = {}
    for concurrency in (8, 32):
        ours, ours_cpu, backend_ours = measure(_ours, url, concurrency, total, backend_pid)
        theirs, theirs_cpu, backend_theirs = measure(_official, url, concurrency, total, backend_pid)
        rates[concurrency] = ours
        print(f"    c={concurrency:<3} ours {ours:7.0f} req/s ({ours_cpu:.3f} ms CPU/req)   "
              f"ollama.AsyncClient {theirs:7.0f} req/s ({theirs_cpu:.3f} ms CPU/req)   ratio {ours / theirs:.2f}x   "
              f"[backend CPU/req {backend_ours:.3f} / {backend_theirs:.3f} ms]")
    print(f"    ours c=32 vs c=8: {rates[32] / rates[8]:.2f}x")


def run_cli(config_path: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "aipack_compat", "run", str(config_path), "--quiet", *args],
                          capture_output=True, text=True, cwd=REPO)
    return time.perf_counter() - started, done


def bench_b(url: str, work: Path, small: int = 100, large: int = 2000) -> None:
    """Request rate vs promptfoo. Both tools are run at two sizes; the marginal rate
    (large - small) / (t_large - t_small) removes each tool's fixed start-up (Node ~3 s, Python ~0.35 s)
    the same way, so it compares how fast each one sends requests. Process-wall rates are printed too."""
    npx = shutil.which("npx")
    local = Path(os.environ.get("PROMPTFOO_DIR", "/tmp/pf")) / "node_modules" / ".bin" / "promptfoo"
    command = [str(local)] if local.exists() else ([npx, "--yes", "promptfoo@0.121"] if npx else None)
    if command is None:
        print("(b) skipped: neither a local promptfoo ($PROMPTFOO_DIR or /tmp/pf) nor npx is available")
        return
    theirs: dict[int, float] = {}
    ours: dict[int, float] = {}
    note = ""
    for total in (small, large):
        elapsed = _promptfoo_eval(command, url, work / f"pf-{total}", total)
        if isinstance(elapsed, str):  # promptfoo 0.121 sometimes dies in its logger before the summary: once more
            elapsed = _promptfoo_eval(command, url, work / f"pf-{total}-again", total)
        if isinstance(elapsed, str):
            print(f"(b) skipped: {elapsed}")
            return
        theirs[total], exited_1 = elapsed
        if exited_1:
            note = " (promptfoo exits 1 after completing: its logger throws `write after end` at exit)"
        config = work / f"b-{total}.json"
        config.write_text(job_config(url, total).model_dump_json())
        ours[total], result = run_cli(config, "--no-cache", "--results", str(work / f"b-{total}.jsonl"),
                                      "--concurrency", "32")
        if result.returncode != 0:
            print(f"(b) aipack-compat run failed (exit {result.returncode}): {result.stderr.strip()[-300:]}")
            return
    extra = large - small
    their_rate = extra / max(theirs[large] - theirs[small], 1e-6)
    our_rate = extra / max(ours[large] - ours[small], 1e-6)
    print(f"(b) vs promptfoo eval, concurrency 32, same prompts and backend{note}")
    print(f"    process wall for {large} prompts: promptfoo {theirs[large]:.2f} s ({large / theirs[large]:.0f} req/s), "
          f"aipack-compat {ours[large]:.2f} s ({large / ours[large]:.0f} req/s): {theirs[large] / ours[large]:.1f}x")
    print(f"    request rate ({small} -> {large} prompts, start-up removed alike): promptfoo {their_rate:.0f} req/s, "
          f"aipack-compat {our_rate:.0f} req/s: ratio {our_rate / their_rate:.1f}x (target >= 10x)")


def _promptfoo_eval(command: list[str], url: str, folder: Path, total: int) -> tuple[float, bool] | str:
    folder.mkdir(parents=True, exist_ok=True)
    tests = "\n".join(f"  - vars: {{name: 'person {i}'}}" for i in range(total))
    (folder / "promptfooconfig.yaml").write_text(
        "prompts:\n  - 'Say hello to {{name}}.'\nproviders:\n  - id: ollama:chat:smollm2:135m\n"
        "    config:\n      temperature: 0\n" + f"tests:\n{tests}\n")
    env = {**os.environ, "OLLAMA_BASE_URL": url, "PROMPTFOO_DISABLE_TELEMETRY": "1", "PROMPTFOO_CACHE_ENABLED": "false",
           "PROMPTFOO_DISABLE_UPDATE": "1", "HOME": str(folder)}
    started = time.perf_counter()
    try:
        done = subprocess.run([*command, "eval", "--no-cache", "-j", "32", "--no-table", "--no-write"], cwd=folder,
                              env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "promptfoo eval did not finish within 600 s"
    elapsed = time.perf_counter() - started
    # promptfoo 0.121 on Node 20 finishes the eval, then its winston logger throws `write after end`
    # at exit (exit 1); the eval itself is complete when it reports every test passed.
    if f"{total:,} passed" not in done.stdout + done.stderr:
        tail = (done.stderr.strip() or done.stdout.strip())[-300:]
        return f"promptfoo eval failed (exit {done.returncode}): {tail}"
    return elapsed, done.returncode != 0


def aip_workspace(work: Path, name: str) -> tuple[Path, dict[str, str]]:
    """A workspace and an isolated HOME for the real aip. The HOME directory must exist: aip 0.8.37
    given a missing HOME prints `Home dir '…' does not exist` and then never exits, even with -s —
    the cause of the earlier "did not finish in 600 s" (not stdin, the TUI or concurrency)."""
    workspace, home = work / name, work / f"{name}-home"
    (workspace / ".aipack").mkdir(parents=True, exist_ok=True)
    home.mkdir(exist_ok=True)
    (workspace / ".aipack" / "config.toml").write_text(
        '[options]\nmodel = "smollm2:135m"\ntemperature = 0.0\ninput_concurrency = 32\n')
    (workspace / "greet.aip").write_text("# Instruction\n\nSay hello to {{input}}.\n")
    env = {name: os.environ[name] for name in ("PATH", "LANG", "TMPDIR") if name in os.environ}
    env.update(HOME=str(home), TERM="dumb", NO_COLOR="1")
    return workspace, env


def run_aip(workspace: Path, env: dict[str, str], total: int, timeout: float) -> float | str:
    inputs = [arg for i in range(total) for arg in ("-i", f"person {i}")]
    started = time.perf_counter()
    try:
        done = subprocess.run([str(AIP), "run", "greet.aip", *inputs, "-s"], cwd=workspace, env=env,
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return f"aip run did not finish within {timeout:g} s"
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or done.stdout.count("==== DONE") != total:
        return f"aip run failed (exit {done.returncode}): {(done.stderr or done.stdout).strip()[-300:]}"
    return elapsed


def _median_pair(workspace: Path, env: dict[str, str], work: Path, total: int, runs: int) -> tuple[float, float] | str:
    """Median wall of `aip run` and of `aipack-compat run` on the same `total`-input job, interleaved."""
    work = work / f"{workspace.name}-{total}"
    work.mkdir(parents=True, exist_ok=True)
    config = work / f"c-{total}.json"
    config.write_text(job_config("http://localhost:11434", total).model_dump_json())
    theirs: list[float] = []
    ours: list[float] = []
    for attempt in range(runs):
        aip_time = run_aip(workspace, env, total, timeout=600)
        if isinstance(aip_time, str):
            return aip_time
        theirs.append(aip_time)
        our_time, result = run_cli(config, "--no-cache", "--results", str(work / f"c-{total}-{attempt}.jsonl"),
                                   "--concurrency", "32")
        if result.returncode != 0:
            return f"aipack-compat run failed: {result.stderr.strip()[-300:]}"
        ours.append(our_time)
    return statistics.median(theirs), statistics.median(ours)


def bench_c(work: Path, real_model: bool, total: int = 50) -> None:
    """Process wall of both tools on one job (medians of interleaved runs). On the zero-latency backend
    both are measured at a second size too, which splits each wall time into fixed start-up and a
    per-input cost and gives the job size from which we take <= 0.8x of aip's time."""
    if not AIP.exists():
        print("(c) skipped: ~/.cargo/bin/aip is not installed")
        return
    backends = [("canned", lambda: start_canned(port=11434), 5)]
    if real_model:
        backends.append(("real model", lambda: start_backend(port=11434), 1))
    for label, start, runs in backends:
        if not port_is_free(11434):
            print("(c) skipped: port 11434 is taken (aip only talks to localhost:11434)")
            return
        process, _ = start()
        try:
            workspace, env = aip_workspace(work, f"aip-{label.replace(' ', '-')}")
            measured = _median_pair(workspace, env, work, total, runs)
            if isinstance(measured, str):
                print(f"(c) {label}: skipped: {measured}")
                continue
            theirs, ours = measured
            print(f"(c) {label}, {total}-input job, aip input_concurrency 32 vs --concurrency 32 (median of {runs}): "
                  f"aip run {theirs:.3f} s, aipack-compat run {ours:.3f} s = {ours / theirs:.2f}x of aip's time "
                  "(target <= 0.8x)")
            if label == "canned":
                larger = _median_pair(workspace, env, work, total * 10, 3)
                if isinstance(larger, str):
                    print(f"    second size skipped: {larger}")
                    continue
                their_item = (larger[0] - theirs) / (total * 9)
                our_item = (larger[1] - ours) / (total * 9)
                their_fixed, our_fixed = theirs - their_item * total, ours - our_item * total
                print(f"    split from {total} and {total * 10} inputs: aip {their_fixed * 1000:.0f} ms start-up + "
                      f"{their_item * 1000:.2f} ms/input; aipack-compat {our_fixed * 1000:.0f} ms start-up + "
                      f"{our_item * 1000:.2f} ms/input; {total * 10} inputs: {larger[1] / larger[0]:.2f}x")
                gain = 0.8 * their_item - our_item
                if gain > 0:
                    crossover = max(0.0, (our_fixed - 0.8 * their_fixed) / gain)
                    print(f"    <= 0.8x of aip's wall time from about {crossover:.0f} inputs per run")
        finally:
            stop(process)


def bench_d(work: Path, total: int = 20) -> None:
    process, url = start_backend()
    try:
        config = work / "d.json"
        config.write_text(job_config(url, total).model_dump_json())
        started = time.perf_counter()
        asyncio.run(_run_runner(config, work / "d.jsonl", concurrency=1, cache=None))
        wall = time.perf_counter() - started
        records = [json.loads(line) for line in (work / "d.jsonl").read_text().splitlines()]
        backend = sum(r["backend"]["total_duration_ns"] for r in records) / 1e9
        first = min(r["started_at"] for r in records)
        last = max(r["started_at"] + r["latency_seconds"] for r in records)
        latency = sum(r["latency_seconds"] for r in records)
        print(f"(d) real model, {total} items at concurrency 1: backend generation {backend:.2f} s; "
              f"steady state (first request to last answer) {last - first:.2f} s = overhead "
              f"{100 * ((last - first) / backend - 1):.1f} % (of which HTTP round trips incl. the backend's own "
              f"HTTP server {100 * (latency / backend - 1):.1f} %); with fixed start-up (config load, "
              f"imports, journal) wall {wall:.2f} s = {100 * (wall / backend - 1):.1f} %")
    finally:
        stop(process)


async def _run_runner(config_path: Path, results: Path, concurrency: int, cache: Path | None) -> object:
    from aipack_compat.execute.progress import Progress
    from aipack_compat.execute.context import RunSettings
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


def bench_g(work: Path, total: int = 8) -> None:
    sys.path.insert(0, str(REPO / "tests" / "support"))
    from real_ollama import RealOllama, missing  # type: ignore[import-not-found]

    reason = missing()
    if reason:
        print(f"(g) skipped: {reason}")
        return
    server = RealOllama(work / "ollama", num_parallel=4).start()
    try:
        server.import_smollm2(tags=(), parameters={"num_thread": 1, "num_predict": 16})
        asyncio.run(_official_timed(server.url, 1, 1))  # load the model
        print(f"(g) real Ollama 0.17.4 (OLLAMA_NUM_PARALLEL=4, SmolLM2-135M, num_thread 1, 16 tokens), "
              f"{total} requests per run, runs in the order A B B A (medians of 2; the server's time varies)")
        for concurrency in (1, 4):
            runs: dict[str, list[tuple[float, list[tuple[float, float]]]]] = {"aipack-compat": [],
                                                                               "ollama.AsyncClient": []}
            order = ("aipack-compat", "ollama.AsyncClient", "ollama.AsyncClient", "aipack-compat")
            for attempt, label in enumerate(order):
                started = time.perf_counter()
                if label == "aipack-compat":
                    config = work / f"g-{concurrency}-{attempt}.json"
                    config.write_text(job_config(server.url, total).model_dump_json())
                    results = work / f"g-{concurrency}-{attempt}.jsonl"
                    asyncio.run(_run_runner(config, results, concurrency, None))
                    records = [json.loads(line) for line in results.read_text().splitlines()]
                    timings = [(r["latency_seconds"], r["backend"]["total_duration_ns"] / 1e9) for r in records]
                else:
                    timings = asyncio.run(_official_timed(server.url, concurrency, total))
                runs[label].append((time.perf_counter() - started, timings))
            for label, measured in runs.items():
                wall = statistics.median(w for w, _ in measured)
                timings = [t for _, run in measured for t in run]
                overhead = [1000 * (latency - backend) for latency, backend in timings]
                print(f"    c={concurrency} {label:<19} wall {wall:6.2f} s, {wall / total:5.2f} s/request; "
                      f"overhead/request median {statistics.median(overhead):6.1f} ms, max {max(overhead):6.1f} ms "
                      f"(server total_duration mean {statistics.mean(b for _, b in timings):.2f} s)")
    finally:
        server.stop()


async def _official_timed(url: str, concurrency: int, total: int) -> list[tuple[float, float]]:
    """(client latency, server total_duration) per request, the same prompts `job_config` renders."""
    import ollama

    client = ollama.AsyncClient(host=url)
    remaining = iter(range(total))
    timings: list[tuple[float, float]] = []

    async def worker() -> None:
        for index in remaining:
            messages = [{"role": "user", "content": f"\nSay hello to person {index}.\n"}]
            started = time.perf_counter()
            reply = await client.chat(model="smollm2:135m", messages=messages, options={"temperature": 0.0})
            timings.append((time.perf_counter() - started, (reply.total_duration or 0) / 1e9))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--rss-items", type=int, default=100_000)
    parser.add_argument("--skip-real-model", action="store_true")
    parser.add_argument("--only", default="abcdefg", help="which measurements to run, e.g. `ae`")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aipack-bench-"))
    process, url = start_canned()
    try:
        if "a" in args.only:
            bench_a(url, args.requests, process.pid)
        if "b" in args.only:
            bench_b(url, work)
        if "c" in args.only:
            bench_c(work, real_model=not args.skip_real_model)
        if "d" in args.only:
            if args.skip_real_model:
                print("(d) skipped: --skip-real-model")
            else:
                bench_d(work)
        if "e" in args.only:
            bench_e(url, work)
        if "f" in args.only:
            bench_f(url, work, args.rss_items)
        if "g" in args.only:
            if args.skip_real_model:
                print("(g) skipped: --skip-real-model")
            else:
                bench_g(work)
    finally:
        stop(process)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
