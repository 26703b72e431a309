"""Output sets (migrate's files, replay's reports) are written as one: all or none, never mixed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat import files
from aipack_compat.files import PENDING_OUTPUT_SET, RefusedOverwrite, finish_pending_output_set, write_output_set


def read_all(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_new_set_is_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert write_output_set(out, {"a.json": "{}", "sub/b.md": b"# b\n"}) == ["a.json", "sub/b.md"]
    assert read_all(out) == {"a.json": b"{}", "sub/b.md": b"# b\n"}


def test_one_refusal_writes_nothing_and_names_every_conflict(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("old a")
    (tmp_path / "b.md").write_text("old b")
    with pytest.raises(RefusedOverwrite, match=r"a\.json, .*b\.md exist and differ.*nothing was written"):
        write_output_set(tmp_path, {"a.json": "new a", "b.md": "new b", "c.txt": "new c"})
    assert read_all(tmp_path) == {"a.json": b"old a", "b.md": b"old b"}


def test_unchanged_files_are_left_alone_and_force_replaces_the_rest(tmp_path: Path) -> None:
    (tmp_path / "same.txt").write_text("same")
    (tmp_path / "old.txt").write_text("old")
    os.chmod(tmp_path / "old.txt", 0o640)
    before = (tmp_path / "same.txt").stat().st_mtime_ns
    assert write_output_set(tmp_path, {"same.txt": "same", "old.txt": "new"}, force=True) == ["old.txt"]
    assert (tmp_path / "same.txt").stat().st_mtime_ns == before
    assert (tmp_path / "old.txt").read_text() == "new" and (tmp_path / "old.txt").stat().st_mode & 0o777 == 0o640
    assert not (tmp_path / PENDING_OUTPUT_SET).exists()


def test_a_symlinked_member_is_never_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").symlink_to(outside)
    with pytest.raises(OSError, match="symbolic link"):
        write_output_set(out, {"report.json": "x"}, force=True)
    assert outside.read_text() == "keep"


@pytest.mark.parametrize("name", ["../escape", "/abs", PENDING_OUTPUT_SET + "/x", ""])
def test_member_names_stay_inside(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        write_output_set(tmp_path, {name: "x"})


class Crash(BaseException):
    pass


@pytest.mark.parametrize("crash_at", range(6))
def test_a_writer_killed_at_any_step_leaves_the_old_or_the_new_set_after_recovery(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash_at: int) -> None:
    old = {"a.json": b"old a", "b.md": b"old b", "c.py": b"old c"}
    new = {"a.json": b"new a", "b.md": b"new b", "c.py": b"new c"}
    for name, data in old.items():
        (tmp_path / name).write_bytes(data)
    steps = [0]
    real_replace = os.replace

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if steps[0] == crash_at:
            raise Crash()
        steps[0] += 1
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    try:
        write_output_set(tmp_path, dict(new), force=True)
    except Crash:
        pass
    monkeypatch.setattr(files.os, "replace", real_replace)
    finish_pending_output_set(tmp_path)  # what the next writer or reader does first
    state = read_all(tmp_path)
    assert state in (old, new), state
    assert state == (old if crash_at == 0 else new)  # replace #0 is the manifest: the commit point


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z]{1,8}(/[a-z]{1,8})?\.(json|md)", fullmatch=True), st.binary(max_size=64),
                       min_size=1, max_size=5))
def test_any_set_round_trips(tmp_path_factory: pytest.TempPathFactory, members: dict[str, bytes]) -> None:
    out = tmp_path_factory.mktemp("set")
    write_output_set(out, dict(members))
    assert read_all(out) == members
    assert write_output_set(out, dict(members)) == []
