"""aip.file.hash_*: raw bytes, the `_b58u` name, missing files."""

from __future__ import annotations

import hashlib
from pathlib import Path

from aipack_compat.lua.ports.base58 import base58
from aipack_compat.lua.ports.blake3 import _pure_blake3
from tests.support.lua_stages import make_runner


def test_file_hashes_read_raw_bytes_and_report_missing_files(tmp_path: Path) -> None:
    (tmp_path / "data.txt").write_bytes(b"hello\nworld\n")
    code = 'return {aip.file.hash_sha256("data.txt"), aip.file.hash_blake3_b58u("data.txt"), pcall(aip.file.hash_sha512, "nope.txt")}'
    sha, b58, ok, message = make_runner(tmp_path, {"data": (code, 1)}).data(None, None, 1).data
    assert sha == hashlib.sha256(b"hello\nworld\n").hexdigest()
    assert b58 == base58(_pure_blake3(b"hello\nworld\n"))
    assert ok is False and "aip.file.hash_sha512 - Failed to hash file 'nope.txt'" in message
