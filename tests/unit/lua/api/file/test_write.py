"""aip.file writing: save/append/ensure/delete/copy/move, confined to the workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from aipack_compat.lua.stages import StageError
from tests.support.lua_stages import run_data


def test_save_append_and_info(workspace: Path) -> None:
    code = """
    local saved = aip.file.save("out/a.md", "  hello  ", {trim_start = true, single_trailing_newline = true})
    aip.file.append("out/a.md", "more\\n")
    local info = aip.file.info("out/a.md")
    return {saved_path = saved.path, saved_name = saved.name, info_path = info.path, size = info.size,
            missing = aip.file.info("nope.md") == nil}
    """
    result = run_data(workspace, code)
    assert (workspace / "out" / "a.md").read_text() == "hello  \nmore\n"
    assert result["saved_path"] == str(workspace / "out" / "a.md")  # aip returns the full path here
    assert result == result | {"saved_name": "a.md", "info_path": "out/a.md", "size": 13, "missing": True}


def test_save_outside_workspace_is_refused(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "x.txt"
    with pytest.raises(StageError, match="Save file protection"):
        run_data(workspace, f'return aip.file.save("{outside}", "x")')
    with pytest.raises(StageError, match="Save file protection"):
        run_data(workspace, 'return aip.file.save("../escape.txt", "x")')
    assert not outside.exists()


def test_exists_ensure_exists_ensure_dir_delete(workspace: Path) -> None:
    code = """
    local before = aip.file.exists("notes/todo.md")
    local info = aip.file.ensure_exists("notes/todo.md", "- [ ] item\\n")
    aip.file.ensure_exists("notes/todo.md", "other")
    local created = aip.file.ensure_dir("build/cache")
    local again = aip.file.ensure_dir("build/cache")
    local deleted = aip.file.delete("notes/todo.md")
    local deleted_again = aip.file.delete("notes/todo.md")
    return {before, info.path, created, again, deleted, deleted_again, aip.file.exists("README.md")}
    """
    assert run_data(workspace, code) == [False, "notes/todo.md", True, False, True, False, True]
    assert (workspace / "build" / "cache").is_dir()


def test_copy_and_move(workspace: Path) -> None:
    code = """
    aip.file.copy("README.md", "docs/README.md")
    local ok = pcall(aip.file.copy, "README.md", "docs/README.md")
    aip.file.move("docs/README.md", "docs/MOVED.md")
    return {ok, aip.file.exists("docs/README.md"), aip.file.exists("docs/MOVED.md")}
    """
    assert run_data(workspace, code) == [False, False, True]
