"""aip.agent.*: extract_options, run through the executor's callback, clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from aipack_compat.lua.stages import StageError
from tests.support.lua_stages import make_runner

Eval = Callable[..., Any]


def test_extract_options_keeps_only_agent_option_keys(lua_eval: Eval) -> None:
    code = """
    return {o = aip.agent.extract_options({model = "m", temperature = 0.5, input_concurrency = 3, top_p = 0.9,
                                            model_aliases = {f = "x"}, allow_run_on_task_fail = true, other = 1}),
            s = aip.agent.extract_options("x") == nil, n = aip.agent.extract_options(nil) == nil}
    """
    assert lua_eval(code) == {
        "o": {"model": "m", "temperature": 0.5, "input_concurrency": 3, "top_p": 0.9, "model_aliases": {"f": "x"},
              "allow_run_on_task_fail": True},
        "s": True, "n": True,
    }


def test_agent_run_without_executor_is_a_clear_error(tmp_path: Path) -> None:
    runner = make_runner(tmp_path, {"data": ('return aip.agent.run("sub", {input = 1})', 1)})
    with pytest.raises(StageError, match="aip.agent.run is not supported by aipack-compat in this run \\(sub-agent 'sub'\\)"):
        runner.data(None, None, 1)


def test_agent_run_calls_the_executor_callback(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "main.aip").write_text("# Output\n```lua\nreturn input\n```\n")
    (tmp_path / "other.aip").write_text("")
    calls: list[tuple[str, dict[str, Any]]] = []

    def run_agent(agent_path: str, request: dict[str, Any]) -> dict[str, Any]:
        calls.append((agent_path, request))
        return {"outputs": [f"out:{value}" for value in request["inputs"] or []], "after_all": None}

    code = """
    local a = aip.agent.run("sub", {input = "first", inputs = {"x", "y"}, options = {model = "fast"}})
    local b = aip.agent.run("other.aip")
    return {outputs = a.outputs, after_all_nil = a.after_all == nil, redo = a.redo_requested, b_outputs = b.outputs}
    """
    runner = make_runner(tmp_path, {"data": (code, 1)}, run_agent=run_agent, run_uid="parent-uid")
    assert runner.data(None, None, 1).data == {
        "outputs": ["out:first", "out:x", "out:y"], "after_all_nil": True, "redo": False, "b_outputs": [],
    }
    assert calls[0] == (
        str(tmp_path / "sub" / "main.aip"),
        {"agent_name": "sub", "agent_path": str(tmp_path / "sub" / "main.aip"), "inputs": ["first", "x", "y"],
         "options": {"model": "fast"}, "parent_run_uid": "parent-uid"},
    )
    assert calls[1][1]["inputs"] is None and calls[1][0] == str(tmp_path / "other.aip")


def test_agent_run_failures_name_the_sub_agent(tmp_path: Path) -> None:
    def failing(agent_path: str, request: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("model unreachable")

    (tmp_path / "sub.aip").write_text("")
    missing = make_runner(tmp_path, {"data": ('return aip.agent.run("nope")', 1)}, run_agent=failing)
    with pytest.raises(StageError, match="Failed to find agent 'nope': No agent found for local path: 'nope'"):
        missing.data(None, None, 1)
    broken = make_runner(tmp_path, {"data": ('return aip.agent.run("sub")', 1)}, run_agent=failing)
    with pytest.raises(StageError, match="Failed to run agent 'sub': model unreachable"):
        broken.data(None, None, 1)
