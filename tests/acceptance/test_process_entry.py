"""The executable entry (`python -m aipack_compat`, the console script) exits without interpreter
teardown: its output must still arrive whole through a pipe, with the exit code main() chose."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from aipack_compat.cli import main

REPO = Path(__file__).resolve().parents[2]


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aipack_compat", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=120)


def test_buffered_output_survives_the_fast_exit_and_codes_are_kept() -> None:
    done = run_module("validate", "--format", "json", "fixtures/scripts/nested-sweep")
    report = json.loads(done.stdout)  # a block-buffered pipe: complete only if flushed before exiting
    assert report["diagnostics"]
    assert done.returncode == main(["validate", "--format", "json", str(REPO / "fixtures/scripts/nested-sweep")])
    assert run_module("--version").returncode == 0
    usage = run_module("run", "does-not-exist.json")
    assert usage.returncode == 2 and "does-not-exist.json" in usage.stderr


def test_console_script_points_at_the_fast_entry() -> None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'aipack-compat = "aipack_compat.cli:entry_point"' in text
