"""aip.tag.*: elements, maps, extruded text."""

from __future__ import annotations

from typing import Any, Callable

Eval = Callable[..., Any]


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
