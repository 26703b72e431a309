"""aip.json/md/tag/semver/lua/code/hbs/run/task/cmd/agent contracts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from aipack_compat.lua.stages import StageError

from .conftest import make_runner

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


def test_md_extract_blocks(lua_eval: Eval) -> None:
    code = """
    local md = "Intro\\n```lua\\nprint(1)\\n```\\ntext\\n````md\\n```js\\nx\\n```\\n````\\nend"
    local all = aip.md.extract_blocks(md)
    local only_lua = aip.md.extract_blocks(md, "lua")
    local blocks, rest = aip.md.extract_blocks(md, {lang = "lua", extrude = "content"})
    return {all = all, n_lua = #only_lua, rest = rest}
    """
    result = lua_eval(code)
    assert result["all"] == [
        {"_type": "MdBlock", "lang": "lua", "content": "print(1)\n"},
        {"_type": "MdBlock", "lang": "md", "content": "```js\nx\n```\n"},
    ]
    assert result["n_lua"] == 1
    assert result["rest"] == "Intro\ntext\n````md\n```js\nx\n```\n````\nend\n"


def test_md_extract_meta_merges_meta_blocks(lua_eval: Eval) -> None:
    code = """
    local md = "Hey\\n\\n```toml\\n#!meta\\nmodel = \\"m1\\"\\nfiles = [\\"a\\"]\\n```\\n\\nBody\\n\\n```toml\\n#!meta\\ntemperature = 0.0\\n```\\n\\n```rust\\nfn x() {}\\n```"
    local meta, rest = aip.md.extract_meta(md)
    return {meta = meta, rest = rest}
    """
    result = lua_eval(code)
    assert result["meta"] == {"model": "m1", "files": ["a"], "temperature": 0.0}
    assert result["rest"] == "Hey\n\n\nBody\n\n\n```rust\nfn x() {}\n```"


def test_md_outer_block_content_or_raw(lua_eval: Eval) -> None:
    code = 'return {aip.md.outer_block_content_or_raw("```python\\ndef f():\\n  pass\\n```\\nafter"), aip.md.outer_block_content_or_raw("plain")}'
    assert lua_eval(code) == ["def f():\n  pass\n", "plain"]


def test_tag_extract(lua_eval: Eval) -> None:
    code = """
    local content = 'Prefix <FILE path="a.rs">one</FILE> mid <B>two</B> end <FILE path=\\'b.rs\\'>three</FILE>'
    local elems, rest = aip.tag.extract(content, {"FILE", "B"}, {extrude = "content"})
    local map = aip.tag.extract_as_map(content, {"FILE", "B"})
    local multi = aip.tag.extract_as_multi_map(content, "FILE")
    return {elems = elems, rest = rest, last_file = map.FILE.content, n_multi = #multi.FILE}
    """
    result = lua_eval(code)
    assert result["elems"] == [
        {"tag": "FILE", "attrs": {"path": "a.rs"}, "content": "one"},
        {"tag": "B", "content": "two"},
        {"tag": "FILE", "attrs": {"path": "b.rs"}, "content": "three"},
    ]
    assert result["rest"] == "Prefix  mid  end "
    assert (result["last_file"], result["n_multi"]) == ("three", 2)


@pytest.mark.parametrize(
    "expr, expected",
    [
        ('aip.semver.compare("1.2.3", ">", "1.2.0")', True),
        ('aip.semver.compare("0.6.7-WIP", "<", "0.6.7")', True),
        ('aip.semver.compare("0.6.7-WIP", "!=", "0.6.7")', True),
        ('aip.semver.compare("1.0.0-alpha.2", "<", "1.0.0-alpha.10")', True),
        ('aip.semver.compare("1.0.0+build", "==", "1.0.0")', True),
        ('aip.semver.parse("1.2.3-rc.1").prerelease', "rc.1"),
        ('aip.semver.is_prerelease("1.2.3")', False),
        ('aip.semver.valid("x.y")', False),
        ('aip.code.comment_line("lua", "hi")', "-- hi"),
        ('aip.code.comment_line(" HTML ", "hi")', "<!-- hi -->"),
        ('aip.code.comment_line("py", "hi")', "# hi"),
        ('aip.code.comment_line("rs", "hi")', "// hi"),
        ('aip.hbs.render("Hi {{name}} {{#each xs}}[{{this}}]{{/each}}", {name = "<b>", xs = {1, 2}})', "Hi <b> [1][2]"),
    ],
)
def test_small_functions(lua_eval: Eval, expr: str, expected: Any) -> None:
    assert lua_eval(f"return {expr}") == expected


def test_semver_invalid_operator(lua_eval: Eval) -> None:
    ok, message = lua_eval('return {pcall(aip.semver.compare, "1.0.0", "<>", "1.0.0")}')
    assert ok is False and "Invalid operator" in message


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


def test_pins_labels_and_print_are_recorded(tmp_path: Path) -> None:
    code = 'aip.run.pin("status", 1, "working")\naip.task.pin("t", {label = "L", content = "C"})\naip.run.set_label("lbl")\nprint("a", 2)'
    runner = make_runner(tmp_path, {"data": (code, 1)})
    runner.data(None, None, 1)
    assert runner.events == [
        ("run_pin", {"iden": "status", "priority": 1, "content": "working"}),
        ("task_pin", {"iden": "t", "priority": None, "content": {"label": "L", "content": "C"}}),
        ("run_label", "lbl"),
        ("print", "a\n2"),
    ]


def test_task_pin_is_refused_outside_task_stages(tmp_path: Path) -> None:
    with pytest.raises(StageError, match="only be called in # Data or # Output"):
        make_runner(tmp_path, {"before_all": ('aip.task.pin("x", "y")', 1)}).before_all(None)


def test_cmd_exec_runs_without_a_shell(tmp_path: Path) -> None:
    code = 'return aip.cmd.exec("echo", {"a", "$HOME;", "b"})'
    assert make_runner(tmp_path, {"data": (code, 1)}).data(None, None, 1).data == {"stdout": "a $HOME; b\n", "stderr": "", "exit": 0}
    with pytest.raises(StageError, match="disabled"):
        make_runner(tmp_path, {"data": (code, 1)}, allow_commands=False).data(None, None, 1)


def test_agent_run_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StageError, match="aip.agent.run is not supported"):
        make_runner(tmp_path, {"data": ('return aip.agent.run("sub", {input = 1})', 1)}).data(None, None, 1)
