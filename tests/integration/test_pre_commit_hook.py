"""The `aipack-validate` hook through the real pre-commit tool, in a throwaway git repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "project"
    (root / ".aipack").mkdir(parents=True)
    _git(root, "init", "-q")
    _git(root, "config", "user.email", "t@example.invalid")
    _git(root, "config", "user.name", "t")
    return root


def _try_repo(project: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "aipack-validate", "--all-files", "--color", "never"],
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )


def test_bad_config_fails_the_hook_with_a_located_message_and_a_good_one_passes(project, tmp_path):
    config = project / ".aipack" / "config.toml"
    config.write_text('[default-options]\nmodel = "llama3.2"\n', encoding="utf-8")
    _git(project, "add", "-A")
    bad = _try_repo(project, tmp_path)
    output = bad.stdout + bad.stderr
    assert bad.returncode == 1, output
    assert ".aipack/config.toml:1:1: error CFG" in output
    assert "default-options" in output

    config.write_text('[options]\nmodel = "llama3.2"\n', encoding="utf-8")
    _git(project, "add", "-A")
    good = _try_repo(project, tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
