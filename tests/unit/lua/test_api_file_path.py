"""aip.file.* and aip.path.*: records with aip's fields, workspace confinement, glob listing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aipack_compat.lua.stages import StageError

from .conftest import make_runner


def run_data(workspace: Path, code: str, input: Any = None) -> Any:
    return make_runner(workspace, {"data": (code, 1)}).data(input, None, 1).data


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "src" / "sub").mkdir(parents=True)
    (tmp_path / "src" / "main.rs").write_text("fn main() {}\n")
    (tmp_path / "src" / "sub" / "lib.rs").write_text("pub fn x() {}\n")
    (tmp_path / "README.md").write_text("# Title\n")
    (tmp_path / "node_modules" / "dep").mkdir(parents=True)
    (tmp_path / "node_modules" / "dep" / "index.rs").write_text("x")
    return tmp_path


def test_load_returns_a_file_record(workspace: Path) -> None:
    record = run_data(workspace, 'return aip.file.load("src/main.rs")')
    assert record["_type"] == "FileRecord"
    assert {k: record[k] for k in ("path", "dir", "name", "stem", "ext", "content", "size", "is_likely_text")} == {
        "path": "src/main.rs", "dir": "src", "name": "main.rs", "stem": "main", "ext": "rs",
        "content": "fn main() {}\n", "size": 13, "is_likely_text": True,
    }
    assert record["mtime"] > 1_000_000_000_000_000  # epoch microseconds


def test_load_with_base_dir(workspace: Path) -> None:
    assert run_data(workspace, 'return aip.file.load("lib.rs", {base_dir = "src/sub"}).content') == "pub fn x() {}\n"


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


def test_load_outside_allowed_dirs_is_refused(workspace: Path) -> None:
    with pytest.raises(StageError, match="File access protection"):
        run_data(workspace, 'return aip.file.load("/etc/hostname")')


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


def test_list_and_list_load(workspace: Path) -> None:
    code = """
    local files = aip.file.list({"**/*.rs", "*.md"})
    local paths = {}
    for _, f in ipairs(files) do paths[#paths + 1] = f.path end
    local loaded = aip.file.list_load("src/*.rs")
    local under = aip.file.list("*.rs", {base_dir = "src/sub"})
    return {paths = paths, content = loaded[1].content, n = #loaded, under = under[1].path,
            typed = files[1]._type, empty = #aip.file.list("*.nothing")}
    """
    result = run_data(workspace, code)
    assert result["paths"] == ["src/main.rs", "src/sub/lib.rs", "README.md"]  # node_modules excluded
    assert (result["content"], result["n"], result["under"], result["typed"]) == ("fn main() {}\n", 1, "lib.rs", "FileInfo")
    assert result["empty"] == 0
    explicit = run_data(workspace, 'return #aip.file.list("node_modules/**/*.rs")')
    assert explicit == 1


def test_first_and_stats(workspace: Path) -> None:
    result = run_data(workspace, 'local s = aip.file.stats("**/*.rs") return {aip.file.first("src/**/*.rs").name, s.number_of_files, s.total_size}')
    assert result == ["main.rs", 2, 27]


def test_json_file_helpers(workspace: Path) -> None:
    (workspace / "conf.jsonc").write_text('{\n  // comment\n  "a": [1, 2,],\n}\n')
    code = """
    aip.file.append_json_line("log.ndjson", {x = 1})
    aip.file.append_json_lines("log.ndjson", {{x = 2}, {x = 3}})
    return {conf = aip.file.load_json("conf.jsonc"), log = aip.file.load_ndjson("log.ndjson")}
    """
    assert run_data(workspace, code) == {"conf": {"a": [1, 2]}, "log": [{"x": 1}, {"x": 2}, {"x": 3}]}


def test_copy_and_move(workspace: Path) -> None:
    code = """
    aip.file.copy("README.md", "docs/README.md")
    local ok = pcall(aip.file.copy, "README.md", "docs/README.md")
    aip.file.move("docs/README.md", "docs/MOVED.md")
    return {ok, aip.file.exists("docs/README.md"), aip.file.exists("docs/MOVED.md")}
    """
    assert run_data(workspace, code) == [False, False, True]


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
