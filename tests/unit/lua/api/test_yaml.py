"""aip.yaml.* and aip.file.load_yaml/load_toml: documents, serde_yaml's layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from aipack_compat.lua.ports.yaml_serde import dump_yaml

Eval = Callable[..., Any]


def test_yaml_parse_multi_docs_and_stringify(lua_eval: Eval, tmp_path: Path) -> None:
    assert lua_eval('return aip.yaml.parse("a: 1\\nb: [x, y]\\n---\\n- two\\n")') == [{"a": 1, "b": ["x", "y"]}, ["two"]]
    text = dump_yaml({"k": "yes", "list": [1, "two"], "n": "123", "e": ""})
    assert text == "k: yes\nlist:\n- 1\n- two\nn: '123'\ne: ''\n"
    assert lua_eval("return aip.yaml.stringify({top = {inner = {1, 'on'}}})") == "top:\n  inner:\n  - 1\n  - on\n"
    assert lua_eval('return aip.yaml.stringify("just text")') == "just text\n"
    assert lua_eval("return aip.yaml.stringify_multi_docs({{a = 1}, {'b'}})") == "a: 1\n---\n- b\n"
    (tmp_path / "c.yaml").write_text("x: 1\n")
    (tmp_path / "c.toml").write_text("x = 1\n")
    assert lua_eval('return {aip.file.load_yaml("c.yaml"), aip.file.load_toml("c.toml")}') == [[{"x": 1}], {"x": 1}]
