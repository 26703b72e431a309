#!/usr/bin/env python3
"""Calibrate the simulated Ollama (tests/support/sim_ollama.py) against the real server; prints both.

    python scripts/calibrate_sim_ollama.py [--threads 1] [--tokens 16] [--time-scale 20]

Measures on the real ollama 0.17.4 (scripts/install_ollama.sh) with the SmolLM2-135M GGUF under several
tags: the cold load time, prefill/decode rates, OLLAMA_NUM_PARALLEL (4 concurrent requests with 1 and 2
slots), OLLAMA_MAX_LOADED_MODELS (alternating two models with 1 and with 2 resident: loads counted from
`load_duration`), `ollama cp` tags (do they share a runner?), two loads at once (do they overlap?) and
keep_alive 0. The simulator, given the measured load time and rates, runs the same sequences; the
table shows real and simulated side by side (simulated times in simulated seconds).
Two different models are the GGUF and a copy differing in one metadata byte (another blob).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "support"))
from real_ollama import BASE_TAG, RealOllama, distinct_gguf, missing  # type: ignore[import-not-found]  # noqa: E402
from sim_ollama import SimOllama  # type: ignore[import-not-found]  # noqa: E402
from sim_ollama_sched import SimModel, SimSettings  # type: ignore[import-not-found]  # noqa: E402
from ollama_backend import gguf_path  # type: ignore[import-not-found]  # noqa: E402

A, A_COPY, B = BASE_TAG, "llama3.2:1b", "qwen2.5:0.5b"
"""A and its `ollama cp` tag share a blob; B is another blob (the same weights, one metadata byte off)."""
PROMPT = [{"role": "user", "content": "Write one sentence about the sea."}]
HTTP = httpx.Client(timeout=600)  # one client for every thread: a new one per request costs ~30 ms of TLS set-up


def chat(url: str, model: str, tokens: int, **extra: Any) -> tuple[float, dict[str, Any]]:
    body = {"model": model, "stream": False, "messages": PROMPT,
            "options": {"temperature": 0, "seed": 1, "num_predict": tokens}, **extra}
    started = time.perf_counter()
    response = HTTP.post(url + "/api/chat", json=body)
    response.raise_for_status()
    return time.perf_counter() - started, dict(response.json())


def unload(url: str, model: str) -> None:
    HTTP.post(url + "/api/chat", json={"model": model, "messages": [], "keep_alive": 0})
    deadline = time.monotonic() + 30
    while HTTP.get(url + "/api/ps").json()["models"] and time.monotonic() < deadline:
        time.sleep(0.05)


def resident(url: str) -> list[str]:
    return [row["name"] for row in HTTP.get(url + "/api/ps").json()["models"]]


def concurrent(url: str, models: list[str], tokens: int) -> tuple[float, list[dict[str, Any]]]:
    started = time.perf_counter()
    with ThreadPoolExecutor(len(models)) as pool:
        replies = [reply for _, reply in pool.map(lambda m: chat(url, m, tokens), models)]
    return time.perf_counter() - started, replies


class Real:
    """Real servers with the three tags imported, one per environment."""

    def __init__(self, work: Path, threads: int) -> None:
        self.work, self.threads = work, threads
        source = gguf_path()
        assert source is not None
        self.other_blob = distinct_gguf(source, work / "other.gguf", 1)
        self.started: list[RealOllama] = []

    def server(self, **env: Any) -> RealOllama:
        server = RealOllama(self.work / f"s{len(self.started)}", **env).start()
        self.started.append(server)
        parameters: dict[str, object] | None = {"num_thread": self.threads} if self.threads else None
        server.import_smollm2(tags=(A_COPY,), parameters=parameters)
        server.create(B, self.other_blob, parameters)
        return server

    def stop(self) -> None:
        for server in self.started:
            server.stop()


def loads_in(replies: list[dict[str, Any]], cold_load: float) -> int:
    """Requests whose load_duration shows a model load (more than a third of a cold load)."""
    return sum(reply["load_duration"] / 1e9 > cold_load / 3 for reply in replies)


def sim_models(load: float, prefill: float, decode: float, tokens: int) -> list[SimModel]:
    def model(name: str, blob: str) -> SimModel:
        return SimModel(name, load_seconds=load, prefill_tokens_per_second=prefill, decode_tokens_per_second=decode,
                        reply_tokens=tokens, blob=blob)
    return [model(A, "a"), model(A_COPY, "a"), model(B, "b")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="num_thread for the model (0: Ollama's default)")
    parser.add_argument("--tokens", type=int, default=16)
    parser.add_argument("--time-scale", type=float, default=5.0,
                        help="the simulator's; its own per-request cost (~ms) is multiplied by it")
    args = parser.parse_args()
    reason = missing()
    if reason:
        print(f"calibration skipped: {reason}")
        return 2
    work = Path(tempfile.mkdtemp(prefix="aipack-calibrate-"))
    real = Real(work, args.threads)
    rows: list[tuple[str, str, str]] = []
    tokens = args.tokens
    try:
        # E1: one model on the default server: cold load, warm requests, reloads
        default = real.server()
        _, cold = chat(default.url, A, tokens)
        warm = [chat(default.url, A, tokens)[1] for _ in range(3)]
        reloads = []
        for _ in range(2):
            unload(default.url, A)
            reloads.append(chat(default.url, A, tokens)[1]["load_duration"] / 1e9)
        load = statistics.median([cold["load_duration"] / 1e9, *reloads])
        prefill = statistics.median(r["prompt_eval_count"] / (r["prompt_eval_duration"] / 1e9) for r in warm)
        decode = statistics.median(r["eval_count"] / (r["eval_duration"] / 1e9) for r in warm)
        request = statistics.median(r["total_duration"] / 1e9 for r in warm)
        # E1b: a cp tag of a resident model
        _, copied = chat(default.url, A_COPY, tokens)
        cp_shares = copied["load_duration"] / 1e9 < load / 3 and len(resident(default.url)) == 1
        # E4: two loads at once (different blobs; the default allows 3 resident)
        unload(default.url, A)
        both_wall, both = concurrent(default.url, [A, B], tokens)
        # E3: 4 concurrent requests on one slot (the default server) and on two
        warm_wall_1, replies_1 = concurrent(default.url, [A] * 4, tokens)
        parallel = real.server(num_parallel=2, max_loaded_models=2)
        chat(parallel.url, A, tokens)
        warm_wall_2, replies_2 = concurrent(parallel.url, [A] * 4, tokens)
        decode_2 = statistics.median(r["eval_count"] / (r["eval_duration"] / 1e9) for r in replies_2)
        # E2: switching models with 1 and with 2 resident
        sequence = [A, B, A, B, A]
        one_slot = real.server(max_loaded_models=1)
        switch_1 = [chat(one_slot.url, model, 4)[1] for model in sequence]
        switch_2 = [chat(parallel.url, model, 4)[1] for model in [B, A, B, A]]  # A already resident there
        keep_zero = chat(one_slot.url, A, 4, keep_alive=0)[1]
        time.sleep(0.5)
        unloaded_after_zero = resident(one_slot.url) == []
    finally:
        real.stop()

    # the part of a load that blocks the next one: how much longer the second of two simultaneous loads took
    first_load, second_load = sorted(reply["load_duration"] / 1e9 for reply in both)
    runner_start = min(max(second_load - first_load, 0.0), load)
    models = sim_models(load - runner_start, prefill, decode, tokens)
    slowdown = max(0.0, decode / decode_2 - 1.0)
    scale = args.time_scale

    def simulate(settings: SimSettings, action: Any) -> Any:
        with SimOllama(models, settings) as sim:
            return action(sim)

    base = {"runner_start_seconds": runner_start, "time_scale": scale}

    def e1(sim: SimOllama) -> tuple[float, float, bool]:
        cold_sim = chat(sim.url, A, tokens)[1]
        warm_sim = chat(sim.url, A, tokens)[1]
        chat(sim.url, A_COPY, tokens)
        return cold_sim["load_duration"] / 1e9, warm_sim["total_duration"] / 1e9, sim.counters.loads == {"a": 1}

    sim_load, sim_request, sim_cp = simulate(SimSettings(**base), e1)
    sim_both = simulate(SimSettings(**base), lambda sim: concurrent(sim.url, [A, B], tokens)[0] * scale)

    def parallel_wall(slots: int) -> float:
        def action(sim: SimOllama) -> float:
            chat(sim.url, A, tokens)
            return concurrent(sim.url, [A] * 4, tokens)[0] * scale
        return float(simulate(SimSettings(num_parallel=slots, parallel_slowdown=slowdown, **base), action))

    def switching(limit: int, order: list[str], warm_first: str | None) -> int:
        def action(sim: SimOllama) -> int:
            if warm_first:
                chat(sim.url, warm_first, 4)
            before = sum(sim.counters.loads.values())
            for model in order:
                chat(sim.url, model, 4)
            return sum(sim.counters.loads.values()) - before
        return int(simulate(SimSettings(max_loaded_models=limit, **base), action))

    def zero(sim: SimOllama) -> bool:
        chat(sim.url, A, 4, keep_alive=0)
        return resident(sim.url) == []

    both_loads = ", ".join(f"{reply['load_duration'] / 1e9:.2f}" for reply in both)
    rows += [
        ("cold load_duration (s)", f"{cold['load_duration'] / 1e9:.2f} (reloads {', '.join(f'{r:.2f}' for r in reloads)})",
         f"{sim_load:.2f}"),
        ("prefill / decode (tokens/s)", f"{prefill:.0f} / {decode:.1f}", f"{prefill:.0f} / {decode:.1f} (set)"),
        (f"warm request, {tokens} tokens (s)", f"{request:.2f}", f"{sim_request:.2f}"),
        ("`ollama cp` tag shares the runner", str(cp_shares), str(sim_cp)),
        ("two loads at once: wall / one load", f"{both_wall:.2f} s / {load:.2f} s (load_durations {both_loads})",
         f"{sim_both:.2f} s / {load:.2f} s"),
        ("4 requests at once, NUM_PARALLEL=1 (s)", f"{warm_wall_1:.2f}", f"{parallel_wall(1):.2f}"),
        ("4 requests at once, NUM_PARALLEL=2 (s)", f"{warm_wall_2:.2f} (decode {decode_2:.1f} tok/s each)",
         f"{parallel_wall(2):.2f} (parallel_slowdown {slowdown:.2f})"),
        ("MAX_LOADED=1, A B A B A: loads", str(loads_in(switch_1, load)), str(switching(1, sequence, None))),
        ("MAX_LOADED=2, B A B A (A resident): loads", str(loads_in(switch_2, load)),
         str(switching(2, [B, A, B, A], A))),
        ("keep_alive 0 unloads after the request", str(unloaded_after_zero and keep_zero["done"]),
         str(simulate(SimSettings(**base), zero))),
    ]
    width = max(len(row[0]) for row in rows)
    print(f"real ollama 0.17.4 (SmolLM2-135M Q4_1, num_thread {args.threads or 'default'}) vs sim_ollama "
          f"(time scale {scale:g}; simulated seconds)")
    print(f"{'':{width}}  {'real':<48} sim")
    for name, real_value, sim_value in rows:
        print(f"{name:{width}}  {real_value:<48} {sim_value}")
    print(f"calibrated: SimModel(load_seconds={load - runner_start:.2f}, prefill_tokens_per_second={prefill:.0f}, "
          f"decode_tokens_per_second={decode:.1f}), SimSettings(runner_start_seconds={runner_start:.2f}, "
          f"parallel_slowdown={slowdown:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
