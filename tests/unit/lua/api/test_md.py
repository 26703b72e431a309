"""aip.md.*: fenced blocks, meta blocks, outer block, refs."""

from __future__ import annotations

from typing import Any, Callable

Eval = Callable[..., Any]


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


def test_md_extract_refs_skips_code(lua_eval: Eval) -> None:
    code = r'''return aip.md.extract_refs("See [a](https://x.com) and ![img](p.png) `[no](x)` [](#top)\n```\n[in](code)\n```\n[b](//cdn/x)")'''
    assert lua_eval(code) == [
        {"_type": "MdRef", "target": "https://x.com", "text": "a", "inline": False, "kind": "Url"},
        {"_type": "MdRef", "target": "p.png", "text": "img", "inline": True, "kind": "File"},
        {"_type": "MdRef", "target": "#top", "inline": False, "kind": "Anchor"},
        {"_type": "MdRef", "target": "//cdn/x", "text": "b", "inline": False, "kind": "Url"},
    ]
    assert lua_eval("return aip.md.extract_refs == nil", aip_version="0.8.9") is True
