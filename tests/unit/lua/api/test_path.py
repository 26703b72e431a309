"""aip.path.*: string functions as SPath does them, predicates that resolve like aip.file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.lua_stages import run_data


@pytest.mark.parametrize(
    "expr, expected",
    [
        ('aip.path.join("a", "b.md")', "a/b.md"),
        ('aip.path.join("a/", "b", "c")', "a/bc"),
        ('aip.path.join("a", {"b", "c.md"})', "a/b/c.md"),
        ('aip.path.diff("/a/b/c/d.md", "/a/b")', "c/d.md"),
        ('aip.path.diff("/a/x.md", "/a/b")', "../x.md"),
        ('aip.path.parent("a/b/c.md")', "a/b"),
        ('aip.path.parent("c.md")', ""),
        ('aip.path.parent("/") == nil', True),
        ('aip.path.parse("docs/guide.v2.md").stem', "guide.v2"),
        ('aip.path.parse("docs/guide.v2.md").ext', "md"),
        ('aip.path.matches_glob("src/a/b.rs", {"**/*.rs"})', True),
        ('aip.path.matches_glob("src/a/b.rs", "*.rs")', False),
    ],
)


def test_path_functions(workspace: Path, expr: str, expected: Any) -> None:
    assert run_data(workspace, f"return {expr}") == expected


def test_path_split_and_fs_predicates(workspace: Path) -> None:
    code = """
    local dir, name = aip.path.split("src/sub/lib.rs")
    return {dir, name, aip.path.exists("src"), aip.path.is_dir("src"), aip.path.is_file("src"),
            aip.path.is_file("README.md"), aip.path.resolve("src")}
    """
    assert run_data(workspace, code) == ["src/sub", "lib.rs", True, True, False, True, str(workspace / "src")]
