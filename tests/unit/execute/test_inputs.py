from __future__ import annotations

from pathlib import Path

from aipack_compat.execute.inputs import file_record, list_files, resolve_inputs, task_inputs, widen_glob
from aipack_compat.model.job import InputSpec


def _tree(root: Path) -> None:
    (root / "docs" / "deep").mkdir(parents=True)
    (root / "README.md").write_text("top")
    (root / "docs" / "README.md").write_text("docs")
    (root / "docs" / "deep" / "notes.txt").write_text("n")


def test_bare_name_is_widened_to_any_depth(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert widen_glob("README.md") == "**/README.md"
    assert widen_glob("./README.md") == "./README.md" and widen_glob("*.md") == "*.md"
    found = [p.relative_to(tmp_path).as_posix() for p in list_files(["README.md"], tmp_path)]
    assert sorted(found) == ["README.md", "docs/README.md"]
    assert [p.name for p in list_files(["./README.md"], tmp_path)] == ["README.md"]


def test_file_record_fields_per_era(tmp_path: Path) -> None:
    _tree(tmp_path)
    path = tmp_path / "docs" / "deep" / "notes.txt"
    assert file_record(path, tmp_path, "0.5.0") == {"path": "docs/deep/notes.txt", "name": "notes.txt",
                                                    "stem": "notes", "ext": "txt"}
    modern = file_record(path, tmp_path, "0.8.37")
    assert list(modern)[:5] == ["path", "dir", "name", "stem", "ext"]
    assert modern["dir"] == "docs/deep" and modern["size"] == 1 and modern["_type"] == "FileInfo"
    assert modern["_display"] == "docs/deep/notes.txt" and modern["is_likely_text"] is True
    assert modern["mtime"] > 1_000_000_000_000_000  # microseconds
    assert "is_likely_text" not in file_record(path, tmp_path, "0.8.17")


def test_paths_are_relative_to_the_workspace_root_not_the_cwd(tmp_path: Path) -> None:
    _tree(tmp_path)
    records = resolve_inputs(InputSpec(kind="files", globs=["*.txt"]), tmp_path / "docs" / "deep", tmp_path, "0.8.37")
    assert [r["path"] for r in records or []] == ["docs/deep/notes.txt"]
    outside = resolve_inputs(InputSpec(kind="files", globs=["README.md"]), tmp_path, tmp_path / "docs", "0.8.37")
    assert sorted(r["path"] for r in outside or []) == ["../README.md", "README.md"]


def test_literals_stay_strings_and_absent_inputs_are_none(tmp_path: Path) -> None:
    assert resolve_inputs(InputSpec(kind="literals", values=['{"a":1}']), tmp_path, tmp_path, "0.8.37") == ['{"a":1}']
    assert resolve_inputs(InputSpec(), tmp_path, tmp_path, "0.8.37") is None


def test_task_count_rules_per_era() -> None:
    assert task_inputs(None, True, "0.8.37") == [None]
    assert task_inputs([], True, "0.8.37") == [None]          # -f matched nothing: one nil task
    assert task_inputs([], False, "0.8.37") == []             # only before/after all
    assert task_inputs([], True, "0.7.16") == []              # empty list: zero tasks before 0.7.17
    assert task_inputs(None, True, "0.6.0") == [None]
    assert task_inputs(["a", "b"], True, "0.8.37") == ["a", "b"]
