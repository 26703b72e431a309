"""aip.html.* and the aip.file HTML helpers: aip's own test fixtures, era shapes, a never-crash property."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aipack_compat.lua.api.html import html_to_md, select_elements, slim_html

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
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8"><meta property="og:title" content="T &amp; Co"><meta name="keywords" content="x">
  <title>Page</title><style>body { color: red; }</style><script>alert('x');</script>
  <link rel="stylesheet" href="s.css">
</head>
<body class="main" onload="go()">
  <!-- comment -->
  <div><span></span><p>  </p></div>
  <h1 data-x="1">Main Title</h1>
  <p>Para with <strong>strong</strong> and <em>em</em>.</p>
  <a href="/x" class="l" extra="gone">Link</a>
  <svg><path d="M0"></path></svg>
</body>
</html>"""


def test_select_matches_aips_test(lua_eval: Eval) -> None:
    found = lua_eval("return aip.html.select(input, '.me')", input=SELECT_FIXTURE)
    assert found == [
        {"tag": "li", "attrs": {"class": "me"}, "text": "Bullet One", "inner_html": "Bullet One"},
        {"tag": "div", "attrs": {"class": "me other ", "title": " Some Title"}, "text": "Div Two",
         "inner_html": "Div <strong>Two </strong>"},
    ]


@pytest.mark.parametrize(
    ("html", "selectors", "expected"),
    [
        ("<h1>T1</h1><p>P1</p><h2>T2</h2><p>P2</p>", ["p", "h1", "h3"], ["h1", "p", "p"]),  # document order
        ("<p>x</p>", ["", "  "], []),
        ('<a href="https://e.com" title="t">Click <b>here</b></a>', ["a[href]"], ["a"]),
        ("<ul><li>a<li>b</ul>", ["ul > li"], ["li", "li"]),  # auto-closed <li>, as html5ever builds it
        ("<table><td>cell</td></table>", ["tbody td"], ["td"]),  # implied <tbody>
    ],
)
def test_select_table(html: str, selectors: list[str], expected: list[str]) -> None:
    assert [element["tag"] for element in select_elements(html, selectors)] == expected


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


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<h1>Title</h1><p>Some <strong>bold</strong> text.</p><ul><li>Item 1</li><li>Item 2</li></ul>",
         "# Title\n\nSome **bold** text.\n\n- Item 1\n- Item 2"),  # aip's own test
        ("", ""),
        ('<p>See <a href="/a b" title="T">the docs</a> and <img src="i.png" alt="pic"></p>',
         "See [the docs](</a b> \"T\") and ![pic](i.png)"),
        ('<pre><code class="language-lua">print("x")\n</code></pre>', '```lua\nprint("x")\n```'),
        ("<ol start='3'><li>a</li><li>b<ul><li>c</li></ul></li></ol>", "3. a\n4. b\n   - c"),
        ("<p>1. not a list * star _u_</p>", "1\\. not a list \\* star \\_u\\_"),
        ("<blockquote><p>q1</p><p>q2</p></blockquote><hr><p>a<br>b</p>", "> q1\n>\n> q2\n\n* * *\n\na  \nb"),
        ("<table><tr><th>h</th><th>k</th></tr><tr><td>1</td><td>2</td></tr></table>",
         "| h | k |\n| --- | --- |\n| 1 | 2 |"),
        ("<div>\n  <p>  spaced   words </p>\n  <script>x()</script></div>", "spaced words"),
    ],
)
def test_to_md_table(html: str, markdown: str) -> None:
    assert html_to_md(html) == markdown


def test_file_helpers_save_through_the_workspace(tmp_path: Path, lua_eval: Eval) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "page.html").write_text(PAGE, encoding="utf-8")
    code = """
    local a = aip.file.save_html_to_slim("web/page.html")
    local b = aip.file.save_html_to_slim("web/page.html", {base_dir = "out"})
    local c = aip.file.save_html_to_slim("web/page.html", {suffix = "_light"})
    local d = aip.file.save_html_to_md("web/page.html")
    local e = aip.file.save_html_to_md("web/page.html", {file_name = "raw.md", base_dir = "md", slim = false})
    return {a.path, b.path, c.path, d.path, e.path, d._type, aip.file.load_html_as_md("web/page.html")}
    """
    paths = lua_eval(code)
    assert paths[:6] == ["web/page-slim.html", "out/page.html", "web/page_light.html", "web/page.md", "md/raw.md", "FileInfo"]
    assert (tmp_path / "web" / "page-slim.html").read_text() == slim_html(PAGE)
    assert (tmp_path / "web" / "page.md").read_text() == html_to_md(slim_html(PAGE)) == paths[6]
    assert "alert" not in (tmp_path / "md" / "raw.md").read_text()  # unslimmed, yet scripts never reach Markdown
    ok, message = lua_eval('return {pcall(aip.file.save_html_to_md, "web/page.html", "../outside.md")}')
    assert ok is False and "Save file protection" in message
    ok, message = lua_eval('return {pcall(aip.file.save_html_to_slim, "web/none.html")}')
    assert ok is False and message.startswith("Failed to read HTML file 'web/none.html'.")
    assert lua_eval("return aip.file.load_html_as_md == nil and aip.file.save_html_to_md ~= nil", aip_version="0.7.20") is True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(["<p>", "</div>", "<li>", "<!--", "<a href=x>", "<pre><code>", "&amp;", "<table>", "<td>",
                              "*", "_", "# ", "1. ", "text", " ", "\n", "</", "<br>", "<ol start=z>", "<svg>", "<head>"]),
             max_size=40).map("".join),
))
def test_html_functions_never_crash_on_arbitrary_text(text: str) -> None:
    assert isinstance(slim_html(text), str)
    assert isinstance(html_to_md(text), str)
    assert all(isinstance(element["tag"], str) for element in select_elements(text, ["*"]))
