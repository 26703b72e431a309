"""aip.html.* through Lua: aip's own select fixture, era shapes and errors, slim."""

from __future__ import annotations

from typing import Any, Callable

from aipack_compat.lua.ports.htmlr import select_elements, slim_html
from tests.support.html_page import PAGE

Eval = Callable[..., Any]


# `A:src/script/aip_modules/aip_html.rs@952ad06e` tests
SELECT_FIXTURE = """
			<div>First div<div>
			<li class="me">Bullet One </li>
			<section>
				<p>Some text</p>
			  <DIV class="me other " TITLE = " Some Title" > Div <strong>Two </strong></DIV>
			</section>
"""


def test_select_matches_aips_test(lua_eval: Eval) -> None:
    found = lua_eval("return aip.html.select(input, '.me')", input=SELECT_FIXTURE)
    assert found == [
        {"tag": "li", "attrs": {"class": "me"}, "text": "Bullet One", "inner_html": "Bullet One"},
        {"tag": "div", "attrs": {"class": "me other ", "title": " Some Title"}, "text": "Div Two",
         "inner_html": "Div <strong>Two </strong>"},
    ]


def test_select_shapes_by_era_and_errors(lua_eval: Eval) -> None:
    html = "<p>  spaced  </p><button>  </button><a href='x&amp;y'>A &lt;b&gt;</a>"
    modern = select_elements(html, ["p", "button", "a"])
    assert modern == [
        {"tag": "p", "text": "spaced", "inner_html": "spaced"},
        {"tag": "button"},
        {"tag": "a", "attrs": {"href": "x&y"}, "text": "A <b>", "inner_html": "A &lt;b&gt;"},
    ]
    legacy = select_elements(html, ["p"], (0, 8, 3))  # before 0.8.4: untrimmed, attrs always a table
    assert legacy == [{"tag": "p", "attrs": {}, "text": "  spaced  ", "inner_html": "  spaced  "}]
    assert lua_eval("return aip.html.select('<p>x</p>', nil)") == []
    ok, message = lua_eval("return {pcall(aip.html.select, '<p>x</p>', {'p', 'h1['})}")
    assert ok is False and message.startswith("Cannot apply selector '[\"p\", \"h1[\"]'.")
    assert lua_eval("return aip.html.select == nil and aip.html.to_md ~= nil", aip_version="0.7.7") is True


def test_slim_follows_htmlr(lua_eval: Eval) -> None:
    assert lua_eval("return aip.html.slim(input)", input=PAGE) == (
        "<!DOCTYPE html>\n"
        "<head>\n"
        '  <meta content="T &amp; Co" property="og:title">\n'
        "  <title>Page</title>\n"
        "</head>\n"
        '<body class="main">\n'
        "  <h1>Main Title</h1>\n"
        "  <p>Para with <strong>strong</strong> and <em>em</em>.</p>\n"
        '  <a class="l" href="/x">Link</a>\n'
        "</body>"
    )
    assert slim_html("") == "<body></body>"  # html5ever adds html/head/body; the empty head goes
    assert lua_eval("return aip.html.prune_to_content('<p>x</p>') == aip.html.slim('<p>x</p>')") is True
