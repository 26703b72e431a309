#!/usr/bin/env python3
"""Benchmark `aipack-compat replay`: a 20-case replay (real aip vs the executor through the recording
proxy) and the `--offline` re-check of the same cassettes (target < 1 s).

Usage: python scripts/bench_replay.py [--aip BIN] [--ollama-url URL] [--cases 20] [--work DIR]
                                     [--real-model] [--proxy-mode forward|reverse]
`--aip ~/.cache/aipack-compat/aip-0.8.16/bin/aip` measures the /v1 era.
Without --ollama-url the project backend (tests/support/ollama_backend.py) is started on a free port,
in `--instant` mode unless --real-model is given, so the numbers measure replay overhead, not the model.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKSPACE = ROOT / "fixtures" / "replay" / "inputs"


def bench_config(cases: int, work: Path):  # type: ignore[no-untyped-def]
    """The `inputs` fixture as a JobConfig with `cases` jobs of one `-i` input each."""
    from aipack_compat.model.job import AgentSpec, InputSpec, JobConfig, JobSpec, PromptPart, SourceLocation
    from aipack_compat.model.options import AgentOptions

    source = SourceLocation(path="agents/greet.aip")
    text = (WORKSPACE / "agents" / "greet.aip").read_text()
    # The fixture agent is two plain prompt parts; aip's capture = body lines joined by \n plus one \n.
    system_body, instruction_body = text.split("# System\n", 1)[1].split("# Instruction\n", 1)
    parts = [PromptPart(role="system", heading="System", template=system_body, source=source),
             PromptPart(role="user", heading="Instruction", template=instruction_body, source=source)]
    options = AgentOptions(model="smollm2", temperature=0.0, input_concurrency=1)
    jobs = [JobSpec(name=f"greet-{n:02d}", agent="agents/greet", agent_ref="agents/greet.aip", options=options,
                    inputs=InputSpec(kind="literals", values=[f"Person {n}"]), source=SourceLocation(path="run.sh", line=4))
            for n in range(1, cases + 1)]
    config = JobConfig(root=str(WORKSPACE), workspace_options=options,
                       agents={"agents/greet": AgentSpec(name="agents/greet", source=source, prompt_parts=parts)}, jobs=jobs)
    path = work / "aipack-compat.json"
    path.write_text(config.model_dump_json())
    return path


def start_backend(real_model: bool) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = [sys.executable, str(ROOT / "tests" / "support" / "ollama_backend.py"), "--port", str(port)]
    process = subprocess.Popen(argv + ([] if real_model else ["--instant"]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/api/version", timeout=1).read()
            return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"backend did not start on {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aip", default=shutil.which("aip") or str(Path.home() / ".cargo/bin/aip"))
    parser.add_argument("--ollama-url")
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--real-model", action="store_true")
    parser.add_argument("--work", type=Path)
    parser.add_argument("--proxy-mode", choices=("forward", "reverse"), default="forward")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from aipack_compat.cli import main as cli

    temporary = args.work is None
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-replay-"))
    work.mkdir(parents=True, exist_ok=True)
    config = bench_config(args.cases, work)
    out = work / "out"
    backend = None
    url = args.ollama_url
    if url is None:
        backend, url = start_backend(args.real_model)
    try:
        started = time.perf_counter()
        online = cli(["replay", str(config), "--out", str(out), "--aip", args.aip, "--ollama-url", url, "--force",
                      "--proxy-mode", args.proxy_mode])
        replay_seconds = time.perf_counter() - started
    finally:
        if backend is not None:
            backend.terminate()
            backend.wait(10)
    if not (out / "report.json").is_file():
        print(f"replay did not produce a report (exit {online}); see the error above", file=sys.stderr)
        if temporary:
            shutil.rmtree(work, ignore_errors=True)
        return 2
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        offline = cli(["replay", str(config), "--out", str(out), "--offline"])
        timings.append(time.perf_counter() - started)
    offline_seconds = sorted(timings)[len(timings) // 2]
    backend_kind = "given" if args.ollama_url else ("real model" if args.real_model else "instant")
    report = json.loads((out / "report.json").read_text())
    aip, summary = report["aip"], report["summary"]
    print(f"aip {aip['version']} (wire era {aip['observed_era']}), {args.proxy_mode} proxy: "
          f"{summary['equivalent']}/{summary['total']} equivalent")
    print(f"replay of {args.cases} cases ({backend_kind} backend): {replay_seconds:.2f} s "
          f"({replay_seconds / args.cases * 1000:.0f} ms per case, both paths), exit {online}")
    print(f"offline re-check (median of 5, in-process, reports written): {offline_seconds * 1000:.0f} ms, exit {offline}"
          f" -> target < 1 s {'met' if offline_seconds < 1 else 'MISSED'}")
    if temporary:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if online == 0 and offline == 0 and offline_seconds < 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
