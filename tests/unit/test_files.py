import os

import pytest

from aipack_compat.files import RefusedOverwrite, TextFile, read_text_file, write_atomic
from aipack_compat.model.diagnostic import Diagnostic


def test_reads_utf8(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text("x = 1\n", encoding="utf-8")
    assert read_text_file(path) == TextFile(str(path), "x = 1\n")


def test_invalid_utf8_is_located(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_bytes(b"a = 1\nb = \"\xff\"\n")
    diag = read_text_file(path)
    assert isinstance(diag, Diagnostic)
    assert (diag.code, diag.line, diag.column) == ("IO002", 2, 6)


def test_binary_and_directory_and_missing_and_huge(tmp_path):
    binary = tmp_path / "b.aip"
    binary.write_bytes(b"\x00\x01\x02")
    assert read_text_file(binary).code == "IO002"
    assert read_text_file(tmp_path).code == "IO001"
    assert read_text_file(tmp_path / "missing").code == "IO001"
    huge = tmp_path / "huge.aip"
    huge.write_bytes(b"# Instruction\n" + b"x" * (10 * 1024 * 1024))
    assert read_text_file(huge).code == "IO003"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without permission bits")
def test_unreadable(tmp_path):
    path = tmp_path / "secret.toml"
    path.write_text("x")
    path.chmod(0)
    assert read_text_file(path).code == "IO001"


def test_write_atomic_refuses_to_overwrite_without_force(tmp_path):
    path = tmp_path / "out" / "a.json"
    assert write_atomic(path, "one") is True
    assert write_atomic(path, "one") is False  # same bytes: nothing to do
    with pytest.raises(RefusedOverwrite):
        write_atomic(path, "two")
    assert path.read_text() == "one"
    assert write_atomic(path, "two", force=True) is True
    assert path.read_text() == "two"
    assert [p.name for p in path.parent.iterdir()] == ["a.json"]  # no temp files left
