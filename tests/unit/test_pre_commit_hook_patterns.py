"""The hooks' `files` patterns select exactly the files `validate` understands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from aipack_compat.load.discovery import classify

HOOKS = {hook["id"]: hook for hook in yaml.safe_load((Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text())}


@pytest.mark.parametrize("path", [
    ".aipack/config.toml", "sub/wks/.aipack/config.toml", ".devai/config.toml", "base/config-default.toml",
    "config-user.toml", "packs/pro/coder/pack.toml", "agents/eval.aip", "flows/x.devai", ".devai/customs/review.md",
    "w/.devai/defaults/proof.md",
])
def test_config_and_agent_hook_selects(path):
    assert re.search(HOOKS["aipack-validate"]["files"], path), path
    assert classify(path) is not None


@pytest.mark.parametrize("path", ["README.md", "docs/customs/x.md", "config.toml", "pyproject.toml", "x.aipx", "run.sh"])
def test_config_and_agent_hook_skips(path):
    assert not re.search(HOOKS["aipack-validate"]["files"], path), path


@pytest.mark.parametrize("path", ["run-evals.sh", "scripts/x.bash", "Makefile", "mk/rules.mk", ".github/workflows/eval.yml",
                                  ".gitlab-ci.yml", "justfile", "tools/evals.just", "Taskfile.yml", "Taskfile.dist.yaml"])
def test_script_hook_selects(path):
    assert re.search(HOOKS["aipack-validate-scripts"]["files"], path), path
    assert classify(path) == "script"


@pytest.mark.parametrize("path", ["drive.py", "package.json", ".vscode/tasks.json", ".zed/tasks.json"])
def test_script_hook_selects_files_that_may_call_aip(path):
    assert re.search(HOOKS["aipack-validate-scripts"]["files"], path), path
    assert classify(path) == "maybe_script"  # scanned only when the file mentions aip/devai


@pytest.mark.parametrize("path", ["docker-compose.yml", "src/main.rs", "notes.txt"])
def test_script_hook_skips(path):
    assert not re.search(HOOKS["aipack-validate-scripts"]["files"], path), path
