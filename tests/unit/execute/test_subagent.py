"""`aip.agent.run` served by the executor: sub-agent flow, options, failures, threading, journal."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from aipack_compat.execute import subagent
from aipack_compat.execute.agent_file import AgentFileError, load_agent_spec
from aipack_compat.execute.journal import read_records
from aipack_compat.execute.subagent import caller_workspace_options
from aipack_compat.model.job import MatrixCell
from aipack_compat.model.options import AgentOptions

from .subagent_helper import echo_answer, job_config, lua_agent, run_jobs, workspace

# The parent asks the sibling prompt agent `sub` about its input twice, then prompts with the answers.
PARENT = lua_agent(
    options='model = "parent-model"',
    data="""
local res = aip.agent.run("sub", {input = input, inputs = {input .. "!"}, options = {temperature = 0.5}})
return {subs = table.concat(res.outputs, " | "), after = res.after_all, redo = res.redo_requested}
""",
    prompt="Parent sees {{data.subs}}",
    output='return {text = ai_response.content, data = data}',
)
SUB = lua_agent(prompt="Sub {{input}}")


def recording(handler: Any = echo_answer) -> tuple[list[dict[str, Any]], Any]:
    seen: list[dict[str, Any]] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return handler(request)

    return seen, record


def test_parent_output_sees_the_sub_agent_outputs_and_sub_calls_use_the_workspace_layer(tmp_path: Path) -> None:
    workspace(tmp_path, {"parent.aip": PARENT, "sub.aip": SUB})
    seen, handler = recording()
    runner = run_jobs(job_config(tmp_path, "parent.aip", ["Ada"]), tmp_path, handler)
    [record] = read_records(tmp_path / "results.jsonl")
    assert record.status == "success", record.error
    assert record.output["data"]["subs"] == "ws-model: Sub Ada | ws-model: Sub Ada!"
    assert record.output["text"] == "parent-model: Parent sees ws-model: Sub Ada | ws-model: Sub Ada!"
    assert record.output["data"]["redo"] is False and "after" not in record.output["data"]
    # the sub-agent has no `# Options`: the workspace's model, not the caller's; the call's temperature
    sub_calls = [body for body in seen if body["model"] == "ws-model"]
    assert [(b["messages"][-1]["content"].strip(), b["options"]) for b in sub_calls] == \
        [("Sub Ada", {"temperature": 0.5}), ("Sub Ada!", {"temperature": 0.5})]
    assert [b["options"] for b in seen if b["model"] == "parent-model"] == [{"temperature": 0.1}]
    stats = runner.sub_agents.stats
    assert (stats.runs, stats.tasks, stats.ai_calls, stats.eval_count, stats.failed_runs) == (1, 2, 2, 4, 0)


def test_sub_agent_options_layering_and_model_loop_cell(tmp_path: Path) -> None:
    sub = lua_agent(options='temperature = 0.9\n[model_aliases]\nfast = "alias-target"', prompt="Sub {{input}}")
    parent = PARENT.replace("options = {temperature = 0.5}", 'options = {model = "fast"}')
    workspace(tmp_path, {"parent.aip": parent, "sub.aip": sub})
    seen, handler = recording()
    cells = [MatrixCell(label="m2", options=AgentOptions(model="loop-model"))]
    # the loop's sed rewrote the config's model; the parent's own `# Options` model wins for the parent
    config = job_config(tmp_path, "parent.aip", ["x"], cells=cells)
    run_jobs(config, tmp_path, handler)
    sub_calls = [b for b in seen if b["messages"][-1]["content"].strip().startswith("Sub")]
    assert {(b["model"], b["options"]["temperature"]) for b in sub_calls} == {("alias-target", 0.9)}

    # a parent without its own model: the cell's (rewritten config) model reaches the sub-agent too
    workspace(tmp_path, {"parent.aip": PARENT.replace('model = "parent-model"', "temperature = 0.3")
                                             .replace("options = {temperature = 0.5}", "")})
    seen.clear()
    run_jobs(job_config(tmp_path, "parent.aip", ["x"], cells=cells), tmp_path, handler, results_path=tmp_path / "second.jsonl")
    assert {(b["model"], b["options"]["temperature"]) for b in seen} == {("loop-model", 0.9), ("loop-model", 0.3)}


def test_caller_workspace_options_recovers_the_config_layer() -> None:
    workspace_layer = AgentOptions(model="ws", temperature=0.1, model_aliases={"a": "1", "b": "2"})
    caller = AgentOptions(model="own", model_aliases={"b": "caller"})
    effective = AgentOptions(model="own", temperature=0.7, input_concurrency=4,
                             model_aliases={"a": "rewritten", "b": "caller"})
    assert caller_workspace_options(workspace_layer, caller, effective) == AgentOptions(
        model="ws", temperature=0.7, input_concurrency=4, model_aliases={"a": "rewritten", "b": "2"})


def test_missing_sub_agent_is_a_clear_per_item_failure(tmp_path: Path) -> None:
    parent = lua_agent(data="return aip.agent.run(input).outputs", output="return data")
    workspace(tmp_path, {"parent.aip": parent, "sub.aip": SUB})
    run_jobs(job_config(tmp_path, "parent.aip", ["sub", "nope"]), tmp_path, echo_answer)
    records = {r.input: r for r in read_records(tmp_path / "results.jsonl")}
    assert records["sub"].status == "success" and records["sub"].output == ["ws-model: Sub"]  # input nil
    failed = records["nope"]
    assert failed.status == "failure" and failed.error is not None and failed.error.type == "StageError"
    assert "parent.aip:" in failed.error.message and "[Data]" in failed.error.message
    assert "Failed to find agent 'nope': No agent found for local path: 'nope'" in failed.error.message


def test_failing_sub_task_fails_the_caller_unless_allow_run_on_task_fail(tmp_path: Path) -> None:
    broken = lua_agent(data='if input == "bad" then error("no way") end return input')
    tolerant = lua_agent(options="allow_run_on_task_fail = true",
                         data='if input == "bad" then error("no way") end return input')
    parent = lua_agent(data='return aip.agent.run(input, {inputs = {"ok", "bad"}}).outputs', output="return data")
    workspace(tmp_path, {"parent.aip": parent, "broken.aip": broken, "tolerant.aip": tolerant})
    runner = run_jobs(job_config(tmp_path, "parent.aip", ["broken", "tolerant"]), tmp_path, echo_answer)
    records = {r.input: r for r in read_records(tmp_path / "results.jsonl")}
    message = records["broken"].error.message if records["broken"].error else ""
    assert records["broken"].status == "failure"
    assert "Failed to run agent 'broken':" in message and "broken.aip:4: [Data] no way" in message
    ok, bad = records["tolerant"].output
    assert records["tolerant"].status == "success" and ok is None  # no prompt, no Output: nil output
    assert set(bad) == {"error"} and "tolerant.aip:10: [Data] no way" in bad["error"]
    assert runner.sub_agents.stats.failed_runs == 1


def test_before_all_after_all_skip_and_redo_reach_the_caller(tmp_path: Path) -> None:
    counted = lua_agent(
        before_all='return aip.flow.before_all_response({inputs = {"a", "b", "c"}, before_all = "ba"})',
        data='if input == "b" then return aip.flow.skip("not b") end return input',
        output="return data",
        after_all='return {n = #inputs, first = outputs[1], ba = before_all}')
    skipped = lua_agent(before_all='return aip.flow.skip("nothing to do")', data="return 1")
    redo = lua_agent(after_all="return aip.flow.redo_run()")
    parent = lua_agent(data="""
local c = aip.agent.run("counted")
local s = aip.agent.run("skipped", {inputs = {1, 2}})
local r = aip.agent.run("redo")
return {c_outputs = c.outputs, c_after = c.after_all, s_outputs = s.outputs, s_after = s.after_all,
        s_redo = s.redo_requested, r_redo = r.redo_requested, r_outputs = r.outputs}
""", output="return data")
    workspace(tmp_path, {"parent.aip": parent, "counted.aip": counted, "skipped.aip": skipped, "redo.aip": redo})
    run_jobs(job_config(tmp_path, "parent.aip", []), tmp_path, echo_answer)
    [record] = read_records(tmp_path / "results.jsonl")
    assert record.status == "success", record.error
    # outputs align with inputs (the skipped task's output is nil; a Lua list with a hole keeps its keys)
    assert record.output["c_after"] == {"n": 3, "first": "a", "ba": "ba"}
    assert record.output["c_outputs"] in (["a", None, "c"], {"1": "a", "3": "c"})
    assert "s_outputs" not in record.output and "s_after" not in record.output and record.output["s_redo"] is False
    # no inputs and no task stage: no task, outputs nil; the After All redo is reported
    assert record.output["r_redo"] is True and "r_outputs" not in record.output


def test_recursion_is_bounded_with_a_clear_error(tmp_path: Path) -> None:
    selfish = lua_agent(data='return aip.agent.run("selfish", {input = (input or 0) + 1})')
    workspace(tmp_path, {"selfish.aip": selfish})
    runner = run_jobs(job_config(tmp_path, "selfish.aip", []), tmp_path, echo_answer)
    [record] = read_records(tmp_path / "results.jsonl")
    assert record.status == "failure" and record.error is not None
    assert f"sub-agents nested more than {subagent.MAX_DEPTH} levels deep" in record.error.message
    assert runner.sub_agents.stats.max_depth == subagent.MAX_DEPTH


def test_no_deadlock_when_every_stage_thread_waits_for_a_sub_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 2 threads per depth, 6 parent items in flight, each blocked in # Data on a sub-agent whose
    monkeypatch.setattr(subagent, "THREADS_PER_DEPTH", 2)
    # own stages need threads too (it runs a leaf agent): one shared pool would starve; per-depth pools cannot.
    sub = lua_agent(options="input_concurrency = 3", data='return aip.agent.run("leaf", {input = input}).outputs[1]',
                    prompt="Sub {{data}}", output="return ai_response.content")
    parent = lua_agent(data='return aip.agent.run("sub", {inputs = {input .. "a", input .. "b", input .. "c"}}).outputs',
                       output="return data")
    workspace(tmp_path, {"parent.aip": parent, "sub.aip": sub, "leaf.aip": lua_agent(prompt="Leaf {{input}}")})
    in_flight = {"now": 0, "max": 0}
    lock = threading.Lock()

    async def slow(request: httpx.Request) -> httpx.Response:
        with lock:
            in_flight["now"] += 1
            in_flight["max"] = max(in_flight["max"], in_flight["now"])
        await asyncio.sleep(0.02)
        with lock:
            in_flight["now"] -= 1
        return echo_answer(request)

    started = time.perf_counter()
    values = [f"i{n}" for n in range(12)]
    run_jobs(job_config(tmp_path, "parent.aip", values, concurrency=6), tmp_path, slow, timeout=20)
    records = read_records(tmp_path / "results.jsonl")
    assert sorted(r.input for r in records if r.status == "success") == sorted(values)
    by_input = {r.input: r.output for r in records}
    assert by_input["i3"] == [f"ws-model: Sub ws-model: Leaf i3{x}" for x in "abc"]
    assert in_flight["max"] >= 2 and time.perf_counter() - started < 20


def test_dry_req_is_not_inherited_and_resume_does_not_rerun_sub_agents(tmp_path: Path) -> None:
    workspace(tmp_path, {"parent.aip": PARENT, "sub.aip": SUB})
    seen, handler = recording()
    # aip runs sub-agents with RunBaseOptions::default(): the caller's --dry does not reach them
    run_jobs(job_config(tmp_path, "parent.aip", ["x"]), tmp_path, handler, dry="req",
             results_path=tmp_path / "dry.jsonl")
    assert [b["model"] for b in seen] == ["ws-model", "ws-model"]

    config = job_config(tmp_path, "parent.aip", ["x", "y"])
    run_jobs(config, tmp_path, echo_answer)
    records = read_records(tmp_path / "results.jsonl")
    assert len(records) == 2 and {r.key.count("/") for r in records} == {2}  # one record per parent item

    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("resume re-ran a completed item's sub-agent")

    runner = run_jobs(config, tmp_path, refuse, resume=True)
    assert runner.resumed == 2 and runner.sub_agents.stats.runs == 0


def test_cache_serves_repeated_sub_agent_calls(tmp_path: Path) -> None:
    workspace(tmp_path, {"parent.aip": PARENT, "sub.aip": SUB})
    seen, handler = recording()
    config = job_config(tmp_path, "parent.aip", ["x"])
    run_jobs(config, tmp_path, handler, cache_dir=tmp_path / "cache", results_path=tmp_path / "one.jsonl")
    calls = len(seen)
    runner = run_jobs(config, tmp_path, handler, cache_dir=tmp_path / "cache", results_path=tmp_path / "two.jsonl")
    assert len(seen) == calls == 3
    assert (runner.sub_agents.stats.ai_calls, runner.sub_agents.stats.cached) == (2, 2)


def test_bad_call_options_and_unrunnable_sub_agent_files(tmp_path: Path) -> None:
    parent = lua_agent(data='return aip.agent.run(input, {options = {temperature = "hot"}})', output="return data")
    workspace(tmp_path, {"parent.aip": parent, "sub.aip": SUB,
                         "badopts.aip": lua_agent(options="temperature = [", prompt="x")})
    run_jobs(job_config(tmp_path, "parent.aip", ["sub", "badopts"]), tmp_path, echo_answer)
    records = {r.input: r.error.message for r in read_records(tmp_path / "results.jsonl") if r.error}
    assert "Failed to run agent 'sub': invalid options: temperature:" in records["sub"]
    assert "Failed to run agent 'badopts':" in records["badopts"] and "badopts.aip:5: invalid `# Options`: TOML syntax error" in records["badopts"]
    with pytest.raises(AgentFileError, match="cannot read the agent file"):
        load_agent_spec(str(tmp_path), str(tmp_path / "absent.aip"), "0.8.37")


def test_agent_spec_matches_what_migrate_builds(tmp_path: Path) -> None:
    from aipack_compat.migrate.sources import read_agent

    workspace(tmp_path, {"flows/parent.aip": PARENT})
    ours = load_agent_spec(str(tmp_path), str(tmp_path / "flows/parent.aip"), "0.8.37")
    theirs = read_agent(str(tmp_path), str(tmp_path / "flows/parent.aip"), "0.8.37", [], [])
    assert ours == theirs and ours.name == "flows/parent" and ours.options.model == "parent-model"


def test_only_stages_that_can_reach_agent_run_leave_the_event_loop(tmp_path: Path) -> None:
    from aipack_compat.execute.flow import AgentFlow, FlowContext

    workspace(tmp_path, {"plain.aip": lua_agent(data="return CTX.AGENT_NAME", prompt="x"),
                         "calls.aip": lua_agent(output='return aip.agent.run("x")'),
                         "requires.aip": lua_agent(data='return require("helpers").go()'),
                         "prompt.aip": lua_agent(prompt="agent {{input}}")})
    context = FlowContext(workspace_dir=str(tmp_path), agent_file_path="a.aip", aip_version="0.8.37",
                          session_uid="s", run_uid="r")
    blocking = {name: AgentFlow(load_agent_spec(str(tmp_path), str(tmp_path / f"{name}.aip"), "0.8.37"),
                                AgentOptions(), context).may_run_sub_agents
                for name in ("plain", "calls", "requires", "prompt")}
    assert blocking == {"plain": False, "calls": True, "requires": True, "prompt": False}
