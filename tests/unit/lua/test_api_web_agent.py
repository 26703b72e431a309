"""aip.web (parse_url, resolve_href, network refusal) and aip.agent (extract_options, run callback)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from aipack_compat.lua.stages import StageError

from .conftest import make_runner

Eval = Callable[..., Any]


def test_parse_url_normalises_like_the_url_crate(lua_eval: Eval) -> None:
    parsed = lua_eval('return aip.web.parse_url("https://User:Pw@Example.COM:443/a/./b/../c d?x=1&y=a+b&x=2#frag")')
    assert parsed == {
        "scheme": "https", "host": "example.com", "path": "/a/c%20d", "query": {"x": "2", "y": "a b"},
        "fragment": "frag", "username": "User", "password": "Pw",
        "url": "https://User:Pw@example.com/a/c%20d?x=1&y=a+b&x=2#frag", "page_url": "https://example.com/a/c%20d",
    }
    plain = lua_eval('local u = aip.web.parse_url("HTTP://ex.com:8080") return {u = u, no_query = u.query == nil}')
    assert plain["u"]["url"] == "http://ex.com:8080/" and plain["u"]["port"] == 8080 and plain["no_query"] is True
    assert lua_eval('return aip.web.parse_url("file:///tmp/a b.txt").url') == "file:///tmp/a%20b.txt"
    assert lua_eval("return aip.web.parse_url(nil) == nil") is True


def test_parse_url_errors_name_the_url(lua_eval: Eval) -> None:
    ok, message = lua_eval('return {pcall(aip.web.parse_url, "not a url")}')
    assert ok is False and message.startswith("Cannot parse url 'not a url'.\nCause: relative URL without a base")
    ok, message = lua_eval('return {pcall(aip.web.parse_url, "http://x.com:99999/")}')
    assert ok is False and "invalid port number" in message


def test_resolve_href_joins_relative_links_and_keeps_absolute_ones(lua_eval: Eval) -> None:
    code = """
    local base = "https://example.com/docs/path/index.html?z=1#t"
    local out = {}
    for i, h in ipairs({"sub/page.html", "/other/x.txt", "//cdn.com/a.js", "../up", "?q=2", "#f", "https://Abs.com/X", "./a b"}) do
      out[i] = aip.web.resolve_href(h, base)
    end
    out[#out + 1] = tostring(aip.web.resolve_href(nil, base))
    return out
    """
    assert lua_eval(code) == [
        "https://example.com/docs/path/sub/page.html", "https://example.com/other/x.txt", "https://cdn.com/a.js",
        "https://example.com/docs/up", "https://example.com/docs/path/index.html?q=2",
        "https://example.com/docs/path/index.html?z=1#f", "https://Abs.com/X", "https://example.com/docs/path/a%20b", "nil",
    ]
    ok, message = lua_eval('return {pcall(aip.web.resolve_href, "a", "relative/base")}')
    assert ok is False and "Invalid base_url 'relative/base'" in message


def test_network_calls_obey_the_run_switch(tmp_path: Path) -> None:
    from aipack_compat.lua.api import ApiError, ApiHost
    from aipack_compat.lua.api.web_http import web_request

    host = ApiHost(workspace_dir=str(tmp_path), base_aipack_dir=str(tmp_path), agent_dir=str(tmp_path), stage="data",
                   allow_network=False)
    with pytest.raises(ApiError, match=r"aip.web.get is disabled for this run .*would request: http://127.0.0.1:9/x"):
        web_request(host, "get", "http://127.0.0.1:9/x", None, None)


def test_web_url_helpers_are_absent_before_0_7_9(lua_eval: Eval) -> None:
    assert lua_eval("return {aip.web.parse_url == nil, aip.agent.extract_options == nil}", aip_version="0.7.7") == [True, True]
    assert lua_eval("return aip.web.get ~= nil", aip_version="0.7.7") is True


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
