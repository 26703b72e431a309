"""htmlr's select on a table of cases, and a never-crash property for select/slim/to_md."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aipack_compat.lua.ports.htmlr import html_to_md, select_elements, slim_html


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
