"""aip.web URL helpers (parse_url, resolve_href), their eras, and the network switch."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from aipack_compat.lua.api.host import ApiError, ApiHost
from aipack_compat.lua.api.web import web_request

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
    host = ApiHost(workspace_dir=str(tmp_path), base_aipack_dir=str(tmp_path), agent_dir=str(tmp_path), stage="data",
                   allow_network=False)
    with pytest.raises(ApiError, match=r"aip.web.get is disabled for this run .*would request: http://127.0.0.1:9/x"):
        web_request(host, "get", "http://127.0.0.1:9/x", None, None)


def test_web_url_helpers_are_absent_before_0_7_9(lua_eval: Eval) -> None:
    assert lua_eval("return {aip.web.parse_url == nil, aip.agent.extract_options == nil}", aip_version="0.7.7") == [True, True]
    assert lua_eval("return aip.web.get ~= nil", aip_version="0.7.7") is True
