"""aip.text.* contracts (nil in -> nil out, multi-returns, aip's exact splitting rules)."""

from __future__ import annotations

from typing import Any, Callable

import pytest

Eval = Callable[..., Any]


@pytest.mark.parametrize(
    "expr, expected",
    [
        ('aip.text.trim("  a b \\n")', "a b"),
        ('aip.text.trim_start("  a ")', "a "),
        ('aip.text.trim_end("  a \\n")', "  a"),
        ("aip.text.trim(nil) == nil", True),
        ('aip.text.ensure("file", {prefix = "./", suffix = ".md"})', "./file.md"),
        ('aip.text.ensure("./file.md", {prefix = "./", suffix = ".md"})', "./file.md"),
        ('aip.text.ensure_single_trailing_newline("a\\n\\n\\n")', "a\n"),
        ('aip.text.ensure_single_trailing_newline("")', "\n"),
        ('aip.text.remove_first_line("a\\nb\\nc")', "b\nc"),
        ('aip.text.remove_first_lines("a\\nb\\nc", 2)', "c"),
        ('aip.text.remove_first_lines("a", 1)', ""),
        ('aip.text.remove_last_line("a\\nb\\nc")', "a\nb"),
        ('aip.text.truncate("abcdef", 3, "...")', "abc..."),
        ('aip.text.truncate("abc", 3)', "abc"),
        ('aip.text.escape_decode("&lt;b&gt; &amp;")', "<b> &"),
        ('aip.text.escape_decode_if_needed("a &amp; b")', "a &amp; b"),
        ("aip.text.format_size(777)", "   777 B "),
        ("aip.text.format_size(8777)", "  8.78 KB"),
        ("aip.text.format_size(2345678900)", "  2.35 GB"),
        ('aip.text.format_size(1500, {lowest_unit = "MB", trim = true})', "0.00 MB"),
        ("aip.text.format_size(nil) == nil", True),
    ],
)


def test_single_value_functions(lua_eval: Eval, expr: str, expected: Any) -> None:
    assert lua_eval(f"return {expr}") == expected


def test_split_first_and_last(lua_eval: Eval) -> None:
    code = """
    local a, b = aip.text.split_first("k=v=w", "=")
    local c, d = aip.text.split_last("k=v=w", "=")
    local e, f = aip.text.split_first("none", "=")
    local g, h = aip.text.split_first(nil, "=")
    return {a, b, c, d, e, f == nil, g == nil, h == nil}
    """
    assert lua_eval(code) == ["k", "v=w", "k=v", "w", "none", True, True, True]


def test_split_first_line_needs_a_whole_line(lua_eval: Eval) -> None:
    code = """
    local a, b = aip.text.split_first_line("one\\n===\\ntwo\\n===\\nthree", "===")
    local c, d = aip.text.split_last_line("one\\n===\\ntwo\\n===\\nthree", "===")
    local e, f = aip.text.split_first_line("x === y", "===")
    local g, h = aip.text.split_first_line("===\\nrest", "===")
    return {a, b, c, d, e, f == nil, g, h}
    """
    assert lua_eval(code) == ["one", "two\n===\nthree", "one\n===\ntwo", "three", "x === y", True, "", "rest"]


def test_extract_line_blocks(lua_eval: Eval) -> None:
    code = """
    local content = "> one\\n> two\\nline1\\n> three\\nSome extruded line"
    local blocks, rest = aip.text.extract_line_blocks(content, {starts_with = ">", extrude = "content"})
    local firsts, rest2 = aip.text.extract_line_blocks(content, {starts_with = ">", first = 1, extrude = "content"})
    local plain, none = aip.text.extract_line_blocks(content, {starts_with = ">"})
    return {blocks = blocks, rest = rest, firsts = firsts, rest2 = rest2, plain_count = #plain, none = none == nil}
    """
    assert lua_eval(code) == {
        "blocks": ["> one\n> two\n", "> three\n"],
        "rest": "line1\nSome extruded line\n",
        "firsts": ["> one\n> two\n"],
        "rest2": "line1\n> three\nSome extruded line\n",
        "plain_count": 2,
        "none": True,
    }


def test_extract_line_blocks_requires_starts_with(lua_eval: Eval) -> None:
    ok, message = lua_eval("return {pcall(aip.text.extract_line_blocks, 'x', {})}")
    assert ok is False and "requires to options with {starts_with" in message


def test_non_string_content_is_an_error(lua_eval: Eval) -> None:
    ok, message = lua_eval("return {pcall(aip.text.trim, {})}")
    assert ok is False and "accepted argument types are String or Nil, but was table" in message
