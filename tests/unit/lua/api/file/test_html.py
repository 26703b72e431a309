"""aip.file HTML helpers: destinations, slimming by era, workspace confinement."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from aipack_compat.lua.ports.htmlr import html_to_md, slim_html
from tests.support.html_page import PAGE

Eval = Callable[..., Any]


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
