"""aip.file reading and listing: records with aip's fields, confinement, glob listing."""

from __future__ import annotations

from pathlib import Path

import pytest

from aipack_compat.lua.stages import StageError
from tests.support.lua_stages import run_data


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


def test_load_outside_allowed_dirs_is_refused(workspace: Path) -> None:
    with pytest.raises(StageError, match="File access protection"):
        run_data(workspace, 'return aip.file.load("/etc/hostname")')


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
