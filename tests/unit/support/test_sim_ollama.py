"""The simulated Ollama (tests/support/sim_ollama.py) schedules as ollama v0.17.4's server/sched.go does.

Assertions are on counted loads/evictions and the order of scheduler events, never on timings.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "support"))
from sim_ollama import SimOllama, parse_model  # noqa: E402
from sim_ollama_sched import (FOREVER, SimModel, SimSettings, parse_env_keep_alive, parse_go_duration,  # noqa: E402
                              parse_keep_alive)

Start = Callable[..., SimOllama]
HTTP = httpx.Client(timeout=30)  # shared by the threads: a client per request costs ~30 ms of TLS set-up


@pytest.fixture()
def start_sim() -> Iterator[Start]:
    started: list[SimOllama] = []

    def start(models: list[SimModel], **settings: Any) -> SimOllama:
        settings.setdefault("time_scale", 200.0)
        sim = SimOllama(models, SimSettings(**settings)).start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


def chat(sim: SimOllama, model: str, **extra: Any) -> dict[str, Any]:
    body = {"model": model, "stream": False, "messages": [{"role": "user", "content": "hello"}], **extra}
    response = HTTP.post(sim.url + "/api/chat", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def resident(sim: SimOllama) -> list[str]:
    return [row["name"] for row in HTTP.get(sim.url + "/api/ps").json()["models"]]


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)


def events(sim: SimOllama) -> list[tuple[str, str]]:
    return [(kind, key) for _, kind, key in sim.call(lambda: list(sim.counters.events))]


def test_switching_models_on_one_slot_loads_once_per_switch(start_sim: Start) -> None:
    sim = start_sim([SimModel("a:1"), SimModel("b:1")], max_loaded_models=1)
    for model in ("a:1", "a:1", "b:1", "b:1", "a:1"):
        chat(sim, model)
    assert sim.counters.loads == {"a:1": 2, "b:1": 1}
    assert sim.counters.evictions == {"a:1": 1, "b:1": 1}
    assert resident(sim) == ["a:1"]


def test_load_duration_is_reported_on_loads_only(start_sim: Start) -> None:
    sim = start_sim([SimModel("a:1", load_seconds=3.0)], runner_start_seconds=0.5)
    first, second = chat(sim, "a:1"), chat(sim, "a:1")
    assert first["load_duration"] >= 3.5e9 and second["load_duration"] < 3.5e9 / 2
    for reply in (first, second):
        assert reply["total_duration"] >= reply["load_duration"] + reply["eval_duration"]
        assert reply["eval_count"] == 24 and reply["prompt_eval_count"] > 0 and reply["done_reason"] == "stop"
    assert first["message"] == second["message"]  # deterministic text


def test_copied_tags_share_one_runner(start_sim: Start) -> None:
    sim = start_sim([SimModel("smollm2:135m", blob="g"), SimModel("llama3.2:1b", blob="g")], max_loaded_models=1)
    chat(sim, "smollm2:135m")
    chat(sim, "llama3.2:1b")
    assert sim.counters.loads == {"g": 1} and not sim.counters.evictions


def test_default_limit_is_three_models_on_a_cpu(start_sim: Start) -> None:
    models = [SimModel(f"m{i}:1") for i in range(4)]
    sim = start_sim(models)
    for model in models:
        chat(sim, model.name)
    assert len(resident(sim)) == 3 and sum(sim.counters.evictions.values()) == 1


def test_eviction_takes_the_shortest_keep_alive_then_the_model_path(start_sim: Start) -> None:
    models = [SimModel(f"m{i}:1") for i in range(4)]
    sim = start_sim(models, max_loaded_models=3)
    for model, keep_alive in zip(models, ("10m", "1m", "5m")):
        chat(sim, model.name, keep_alive=keep_alive)
    chat(sim, "m3:1")
    assert sim.counters.evictions == {"m1:1": 1}
    chat(sim, "m1:1")  # m2 ("5m") and m3 (the server's default, 5m) tie: the lower model path goes
    first_by_path = min((models[2], models[3]), key=lambda m: m.model_path)
    assert sim.counters.evictions == {"m1:1": 1, first_by_path.name: 1}


def test_a_busy_runner_is_not_evicted_while_an_idle_one_exists(start_sim: Start) -> None:
    slow, idle = SimModel("slow:1", reply_tokens=40, decode_tokens_per_second=4.0), SimModel("idle:1")
    sim = start_sim([slow, idle, SimModel("new:1")], max_loaded_models=2, time_scale=20.0)
    chat(sim, "idle:1", keep_alive="10m")
    with ThreadPoolExecutor(1) as pool:
        busy = pool.submit(chat, sim, "slow:1", keep_alive="1m")  # shortest keep_alive: first in the order
        wait_until(lambda: sim.call(lambda: sim.counters.peak_parallel["slow:1"]) == 1)
        chat(sim, "new:1")
        assert sim.counters.evictions == {"idle:1": 1}
        assert busy.result()["eval_count"] == 40


def test_with_no_idle_runner_the_load_waits_for_the_busy_one(start_sim: Start) -> None:
    slow = SimModel("slow:1", reply_tokens=40, decode_tokens_per_second=4.0)
    sim = start_sim([slow, SimModel("next:1")], max_loaded_models=1, time_scale=20.0)
    with ThreadPoolExecutor(1) as pool:
        busy = pool.submit(chat, sim, "slow:1")
        wait_until(lambda: sim.call(lambda: sim.counters.peak_parallel["slow:1"]) == 1)
        waited = chat(sim, "next:1")
        assert busy.result()["eval_count"] == 40  # finished, not cut off by the eviction
    assert events(sim) == [("load", "slow:1"), ("loaded", "slow:1"), ("unload", "slow:1"),
                           ("load", "next:1"), ("loaded", "next:1")]
    assert waited["load_duration"] > 2.5e9  # runner start + load, and the wait before them


@pytest.mark.parametrize("parallel", [1, 2, 3])
def test_parallel_slots_per_runner(start_sim: Start, parallel: int) -> None:
    sim = start_sim([SimModel("a:1", reply_tokens=8, decode_tokens_per_second=1.0)], num_parallel=parallel,
                    time_scale=40.0)
    chat(sim, "a:1")
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: chat(sim, "a:1"), range(6)))
    assert sim.counters.peak_parallel["a:1"] == parallel
    assert sim.counters.loads["a:1"] == 1 and len({json.dumps(r["message"]) for r in replies}) == 1


def test_keep_alive_zero_unloads_after_the_request(start_sim: Start) -> None:
    sim = start_sim([SimModel("a:1")])
    chat(sim, "a:1", keep_alive=0)
    assert resident(sim) == [] and sim.counters.expirations == {"a:1": 1}


def test_negative_keep_alive_keeps_the_model_forever(start_sim: Start) -> None:
    sim = start_sim([SimModel("a:1"), SimModel("b:1")], keep_alive=1.0)
    chat(sim, "a:1", keep_alive=-1)
    chat(sim, "b:1", keep_alive="-5m")
    rows = HTTP.get(sim.url + "/api/ps").json()["models"]
    assert [datetime.fromisoformat(row["expires_at"]).year > 2200 for row in rows] == [True, True]


def test_keep_alive_expires_an_idle_model(start_sim: Start) -> None:
    sim = start_sim([SimModel("a:1"), SimModel("b:1")], time_scale=20.0)
    chat(sim, "a:1", keep_alive="2s")
    chat(sim, "b:1")  # the server default, 5 minutes
    wait_until(lambda: resident(sim) == ["b:1"])
    assert sim.counters.expirations == {"a:1": 1} and not sim.counters.evictions


def test_the_latest_keep_alive_wins_and_ps_lists_the_longest_first(start_sim: Start) -> None:
    sim = start_sim([SimModel("a:1"), SimModel("b:1")])
    chat(sim, "a:1", keep_alive="1h")
    chat(sim, "b:1", keep_alive="10m")
    assert resident(sim) == ["a:1", "b:1"]
    chat(sim, "a:1", keep_alive="1m")
    assert resident(sim) == ["b:1", "a:1"]


def test_unload_request_and_load_request(start_sim: Start) -> None:
    sim = start_sim([SimModel("a:1")])
    loaded = HTTP.post(sim.url + "/api/generate", json={"model": "a:1"}).json()
    assert loaded["done_reason"] == "load" and resident(sim) == ["a:1"]
    unloaded = HTTP.post(sim.url + "/api/generate", json={"model": "a:1", "keep_alive": 0}).json()
    assert unloaded["done_reason"] == "unload" and resident(sim) == []


def test_changed_runner_options_reload_the_model(start_sim: Start) -> None:
    sim = start_sim([SimModel("a:1")])
    chat(sim, "a:1", options={"num_ctx": 2048})
    chat(sim, "a:1", options={"num_ctx": 2048, "temperature": 0.5})  # sampling options do not reload
    chat(sim, "a:1", options={"num_ctx": 8192})
    assert sim.counters.loads == {"a:1": 2} and sim.counters.reloads == {"a:1": 1}


def test_a_full_pending_queue_answers_503(start_sim: Start) -> None:
    slow = SimModel("slow:1", reply_tokens=40, decode_tokens_per_second=4.0)
    sim = start_sim([slow, SimModel("b:1"), SimModel("c:1")], max_loaded_models=1, max_queue=1, time_scale=20.0)
    with ThreadPoolExecutor(2) as pool:
        busy = pool.submit(chat, sim, "slow:1")
        wait_until(lambda: sim.call(lambda: sim.counters.peak_parallel["slow:1"]) == 1)
        waiting = pool.submit(chat, sim, "b:1")  # taken by the scheduler, waits for the unload
        wait_until(lambda: sim.call(lambda: sim.counters.requests["b:1"]) == 1)
        time.sleep(0.05)
        queued = threading.Thread(target=chat, args=(sim, "c:1"))  # fills the one-deep queue
        queued.start()
        wait_until(lambda: sim.call(lambda: sim.counters.requests["c:1"]) == 1)
        refused = HTTP.post(sim.url + "/api/chat", json={"model": "b:1", "messages": []})
        assert refused.status_code == 503 and "maximum pending requests exceeded" in refused.json()["error"]
        busy.result(), waiting.result()
        queued.join(30)


def test_native_stream_openai_wire_and_errors(start_sim: Start) -> None:
    sim = start_sim([SimModel("org/model:tag"), SimModel("plain:latest")])
    with HTTP.stream("POST", sim.url + "/api/chat", json={
            "model": "org/model:tag", "messages": [{"role": "user", "content": "hi"}], "options": {"num_predict": 5}}
    ) as response:
        lines = [json.loads(line) for line in response.iter_lines() if line]
    assert response.headers["content-type"] == "application/x-ndjson"
    assert all(not line["done"] for line in lines[:-1]) and lines[-1]["done_reason"] == "length"
    assert lines[-1]["eval_count"] == 5 and "load_duration" in lines[-1]
    assert "".join(line["message"]["content"] for line in lines).count(" ") == 4
    openai = HTTP.post(sim.url + "/v1/chat/completions", json={
        "model": "plain", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}).json()
    assert openai["object"] == "chat.completion" and openai["usage"]["completion_tokens"] == 3
    with HTTP.stream("POST", sim.url + "/v1/chat/completions", json={
            "model": "plain", "stream": True, "messages": [{"role": "user", "content": "hi"}]}) as response:
        events = [line for line in response.iter_lines() if line]
    assert events[-1] == "data: [DONE]" and json.loads(events[-2][6:])["choices"][0]["finish_reason"] == "stop"
    assert HTTP.post(sim.url + "/api/chat", json={"model": "nope:1", "messages": []}).status_code == 404
    assert HTTP.post(sim.url + "/api/chat", content=b"{").status_code == 400
    assert HTTP.post(sim.url + "/api/chat", json={"model": "plain", "keep_alive": "-1"}).status_code == 400
    tags = [m["name"] for m in HTTP.get(sim.url + "/api/tags").json()["models"]]
    assert tags == ["org/model:tag", "plain:latest"]


def test_instances_are_independent_endpoints(start_sim: Start) -> None:
    first, second = (start_sim([SimModel("a:1"), SimModel("b:1")], max_loaded_models=1) for _ in range(2))
    chat(first, "a:1")
    chat(second, "b:1")
    assert first.counters.loads == {"a:1": 1} and second.counters.loads == {"b:1": 1}
    assert resident(first) == ["a:1"] and resident(second) == ["b:1"]


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["h", "m", "s", "ms"]))
def test_go_durations(amount: int, unit: str) -> None:
    scale = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3}[unit]
    assert parse_go_duration(f"{amount}{unit}") == pytest.approx(amount * scale)
    assert parse_keep_alive(f"-{amount + 1}{unit}") == FOREVER


def test_keep_alive_values_as_ollama_reads_them() -> None:
    assert parse_go_duration("1h30m") == 5400 and parse_go_duration("1.5s") == 1.5
    assert parse_keep_alive(None) is None and parse_keep_alive(0) == 0 and parse_keep_alive(-1) == FOREVER
    assert parse_keep_alive(90) == 90 and parse_keep_alive("0") == 0
    for bad, message in (("-1", "missing unit"), ("5x", "invalid"), (True, "Unsupported type")):
        with pytest.raises(ValueError, match=message):
            parse_keep_alive(bad)
    assert parse_env_keep_alive(None) == 300 and parse_env_keep_alive("60") == 60
    assert parse_env_keep_alive("-1") == FOREVER and parse_env_keep_alive("2m") == 120


def test_model_specs_from_the_command_line() -> None:
    model = parse_model("llama3.2:1b=load:3,decode:40,tokens:10,blob:shared")
    assert (model.load_seconds, model.decode_tokens_per_second, model.reply_tokens, model.key) == (
        3.0, 40.0, 10, "shared")
