"""aip.toml.*: serde-shaped values (datetimes), the toml crate's layout, errors."""

from __future__ import annotations

from typing import Any, Callable

from aipack_compat.lua.ports.toml_serde import write_toml

Eval = Callable[..., Any]


def test_toml_parse_and_stringify(lua_eval: Eval) -> None:
    parsed = lua_eval('return aip.toml.parse("n = 3\\ndt = 1979-05-27T07:32:00Z\\n[owner]\\nname = \'Tom\'\\n[[items]]\\nid = 1\\n")')
    assert parsed == {"n": 3, "dt": {"$__toml_private_datetime": "1979-05-27T07:32:00Z"}, "owner": {"name": "Tom"}, "items": [{"id": 1}]}
    # Key order follows Lua `pairs` (hash-seed dependent, as in aip): check the layout with an ordered dict.
    text = write_toml({"s": 'q"uote', "arr": [1, 2], "owner": {"sub": {"k": True}}, "items": [{"id": 1}, {"id": 2}]})
    assert text == 's = \'q"uote\'\narr = [1, 2]\n\n[owner.sub]\nk = true\n\n[[items]]\nid = 1\n\n[[items]]\nid = 2\n'
    assert lua_eval("return aip.toml.stringify({t = {n = 1.5}})") == "[t]\nn = 1.5\n"
    ok, message = lua_eval('return {pcall(aip.toml.parse, "a = ")}')
    assert ok is False and message.startswith("aip.toml.parse failed.")
