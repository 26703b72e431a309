"""aip.lua.*: merge in place, merge_deep, dump."""

from __future__ import annotations

from typing import Any, Callable

Eval = Callable[..., Any]


def test_lua_merge_is_in_place(lua_eval: Eval) -> None:
    code = """
    local target = {a = 1, nested = {x = 1, y = 2}}
    local same = aip.lua.merge(target, {b = 2}, nil, {a = 3})
    local deep = aip.lua.merge_deep({nested = {x = 1, y = 2}}, {nested = {y = 20, z = 30}})
    return {target = target, same = same == target, deep = deep}
    """
    result = lua_eval(code)
    assert result["target"] == {"a": 3, "b": 2, "nested": {"x": 1, "y": 2}}
    assert result["same"] is True
    assert result["deep"] == {"nested": {"x": 1, "y": 20, "z": 30}}


def test_lua_dump(lua_eval: Eval) -> None:
    assert lua_eval('return aip.lua.dump({name = "x"})') == '{\n  name = "x"\n}'
    assert lua_eval("return aip.lua.dump(null)") == "NULL"
