"""aip.udiffx.* through Lua: status shapes, eras, path guards, files context, instructions."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable


def envelope(body: str) -> str:
    return f"Before\n[[[UDIFFX_FILE_CHANGES]]]\n{body}[[[/UDIFFX_FILE_CHANGES]]]\nAfter\n"


def _status(lua_eval: Callable[..., Any], content: str, base_dir: str | None = None, version: str = "0.8.37") -> Any:
    code = "local s, rest = aip.udiffx.apply_file_changes(input.content, input.base_dir, {extrude = 'content'})\nreturn {s = s, rest = rest}"
    return lua_eval(code, {"content": content, "base_dir": base_dir}, aip_version=version)


def test_apply_file_changes_return_shape_and_files(lua_eval: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.txt").write_text("one\ntwo\n")
    content = envelope(
        '[[[FILE_NEW file_path="n.txt"]]]\nnew\n[[[/FILE_NEW]]]\n'
        '[[[FILE_PATCH file_path="m.txt"]]]\n@@\n-two\n+TWO\n@@\n-absent\n+x\n[[[/FILE_PATCH]]]\n'
        '[[[FILE_DELETE file_path="ghost.txt" /]]]\n'
    )
    result = _status(lua_eval, content, "pkg")
    status = result["s"]
    assert {k: status[k] for k in ("success", "total_count", "success_count", "fail_count")} == {
        "success": False, "total_count": 3, "success_count": 1, "fail_count": 2}
    new, patch, delete = status["items"]
    assert new == {"file_path": "n.txt", "kind": "New", "success": True}
    assert patch["error_msg"] == "1 of 2 hunks failed to apply for 'm.txt'" and patch["kind"] == "Patch"
    assert patch["error_hunks"][0]["hunk_body"] == "@@\n-absent\n+x\n"
    assert delete["error_msg"] == "Path not found for delete: ghost.txt"
    assert result["rest"] == "Before\n\nAfter\n"
    assert (tmp_path / "pkg" / "m.txt").read_text() == "one\nTWO\n" and (tmp_path / "pkg" / "n.txt").read_text() == "new\n"


def test_error_hunks_only_from_aip_0_8_21_and_module_from_0_8_12(lua_eval: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "m.txt").write_text("a\n")
    content = '<FILE_CHANGES>\n<FILE_PATCH file_path="m.txt">\n@@\n-zzz\n+y\n</FILE_PATCH>\n</FILE_CHANGES>'
    item = _status(lua_eval, content, None, "0.8.20")["s"]["items"][0]
    assert item["error_msg"] == "No changes applied to 'm.txt'" and "error_hunks" not in item
    assert lua_eval("return aip.udiffx == nil and aip.file.save_changes ~= nil", aip_version="0.8.11") is True
    assert lua_eval("return aip.udiffx.file_changes_instruction == nil", aip_version="0.8.16") is True


def test_path_escapes_are_refused(lua_eval: Callable[..., Any], tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    os.symlink(outside, tmp_path / "link")
    content = envelope(
        '[[[FILE_NEW file_path="../../escape.txt"]]]\nx\n[[[/FILE_NEW]]]\n'
        '[[[FILE_NEW file_path="link/through.txt"]]]\nx\n[[[/FILE_NEW]]]\n'
        '[[[FILE_DELETE file_path="." /]]]\n'
    )
    items = _status(lua_eval, content)["s"]["items"]
    assert items[0]["error_msg"].startswith("Security violation, target ") and not items[0]["success"]
    assert "Save file protection" in items[1]["error_msg"]
    assert "is the base dir" in items[2]["error_msg"]
    assert list(outside.iterdir()) == [] and not (tmp_path.parent.parent / "escape.txt").exists()
    failed = lua_eval("local ok, err = pcall(aip.udiffx.apply_file_changes, 'x', '../elsewhere')\nreturn tostring(err)")
    assert "Security violation" in failed


def test_load_files_context_and_instruction(lua_eval: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A")
    (tmp_path / "b.txt").write_text("B\n")
    context = lua_eval('return aip.udiffx.load_files_context("*.txt")')
    assert context == '<FILE_CONTENT path="a.txt">\nA\n</FILE_CONTENT>\n\n<FILE_CONTENT path="b.txt">\nB\n</FILE_CONTENT>\n'
    assert lua_eval('return aip.udiffx.load_files_context("*.none") == nil') is True
    instruction = lua_eval("return aip.udiffx.file_changes_instruction()")
    assert "UDIFFX_FILE_CHANGES" in instruction and "FILE_PATCH" in instruction
    legacy = lua_eval("return aip.udiffx.file_changes_instruction()", aip_version="0.8.29")
    assert "FILE_CHANGES" in legacy and "UDIFFX_FILE_CHANGES" not in legacy
