"""`workspace`: a small tree with sources, a README and a node_modules folder the listings skip."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "src" / "sub").mkdir(parents=True)
    (tmp_path / "src" / "main.rs").write_text("fn main() {}\n")
    (tmp_path / "src" / "sub" / "lib.rs").write_text("pub fn x() {}\n")
    (tmp_path / "README.md").write_text("# Title\n")
    (tmp_path / "node_modules" / "dep").mkdir(parents=True)
    (tmp_path / "node_modules" / "dep" / "index.rs").write_text("x")
    return tmp_path
