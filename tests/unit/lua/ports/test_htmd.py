"""HTML -> Markdown with htmd's rules, on a table of cases (aip's own test first)."""

from __future__ import annotations

import pytest

from aipack_compat.lua.ports.htmlr import html_to_md


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
