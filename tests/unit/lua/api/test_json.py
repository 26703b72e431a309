"""aip.json.*: relaxed parsing, serde_json's output, error wording."""

from __future__ import annotations

import json
from typing import Any, Callable

Eval = Callable[..., Any]


def test_json_parse_is_relaxed_and_stringify_matches_serde(lua_eval: Eval) -> None:
    code = """
    local v = aip.json.parse('{ /* c */ "b": [1, 2.5, null,], "a": "x", // end\\n }')
    return {v = v, line = aip.json.stringify({b = 1, a = {true}}), pretty = aip.json.stringify_pretty({a = 1}),
            null_kept = v.b[3] == null, none = aip.json.parse(nil) == nil}
    """
    result = lua_eval(code)
    assert result["v"] == {"a": "x", "b": [1, 2.5, None]}
    assert json.loads(result["line"]) == {"a": [True], "b": 1} and " " not in result["line"]
    assert result["pretty"] == '{\n  "a": 1\n}'
    assert result["null_kept"] is True and result["none"] is True


def test_json_parse_error(lua_eval: Eval) -> None:
    ok, message = lua_eval("return {pcall(aip.json.parse, '{oops')}")
    assert ok is False and "aip.json.parse failed" in message
