"""Handlebars as aip renders it (handlebars-rust 6, identity escape, non-strict)."""

import pytest

from aipack_compat.template import RenderFailure, check_syntax, render


def test_no_html_escaping_and_missing_paths_render_empty():
    assert render("<{{input}}> [{{data.missing}}]", {"input": "a&b\"'=", "data": {}}) == "<a&b\"'=> []"


def test_value_rendering_matches_handlebars_rust():
    context = {"data": {"f": 1.0, "b": True, "l": [1, 2, 3], "o": {"a": 1}, "n": None}}
    assert render("{{data.f}}|{{data.b}}|{{data.l}}|{{data.o}}|{{data.n}}", context) == "1.0|true|[1, 2, 3]|[object]|"


def test_standalone_each_lines_keep_their_newlines():
    assert render("{{#each items}}\n- {{this}}\n{{/each}}\n", {"items": ["a", "b"]}) == "- a\n- b\n"


def test_escaped_mustache_and_block_params():
    assert render("\\{{x}}", {"x": 1}) == "{{x}}"
    assert render("{{#each items as |it i|}}{{i}}={{it}};{{/each}}", {"items": ["a", "b"]}) == "0=a;1=b;"


def test_syntax_errors_are_located():
    error = check_syntax("line one\n{{#if x}} never closed\n")
    assert error is not None and error.line >= 2
    assert check_syntax("fine {{x}}") is None


def test_render_errors_are_located():
    with pytest.raises(RenderFailure) as caught:
        render("a\n{{#each x}}{{lookup}}{{/each}}", {"x": [1]})
    assert (caught.value.error.line, caught.value.error.column) == (2, 12)
