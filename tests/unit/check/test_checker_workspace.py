"""Which workspace config `validate` merges under an agent: the workspace the agent belongs to, per era."""

from __future__ import annotations

from pathlib import Path

import pytest

from aipack_compat.check.checker import CheckSettings, check_paths


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def hosted_model_findings(tmp_path: Path, checked: Path, version: str | None = None) -> set[str]:
    """The files the CFG011 (hosted provider) findings point at: the config whose model the agent runs."""
    settings = CheckSettings(use_base=False) if version is None else \
        CheckSettings(aip_version=version, explicit_aip_version=version, use_base=False)
    result = check_paths([str(checked)], settings)
    return {str(Path(d.path).resolve()) for d in result.diagnostics if d.code == "CFG011"}


@pytest.mark.parametrize("version", [None, "0.8.28", "0.8.37"])
def test_an_agent_in_a_nested_workspace_runs_with_that_workspaces_config(tmp_path: Path, version: str | None) -> None:
    write(tmp_path / ".aipack" / "config.toml", '[options]\nmodel = "ollama::llama3.2"\n')
    nested = write(tmp_path / "sub" / ".aipack" / "config.toml", '[options]\nmodel = "deepseek-chat"\n')
    write(tmp_path / "sub" / "flows" / "eval.aip", "# Instruction\nhi\n")
    assert hosted_model_findings(tmp_path, tmp_path / "sub" / "flows", version) == {str(nested.resolve())}


def test_aip_walks_past_a_devai_folder_to_its_own_workspace(tmp_path: Path) -> None:
    """An `.aip` agent next to a `.devai/config.toml`: aip never reads it; a walking release reads the
    `.aipack/` above (before, the walk stopped at the `.devai/` config and merged nothing aip reads)."""
    root = write(tmp_path / ".aipack" / "config.toml", '[options]\nmodel = "deepseek-chat"\n')
    write(tmp_path / "legacy" / ".devai" / "config.toml", '[genai]\nmodel = "llama3.2"\n')
    write(tmp_path / "legacy" / "eval.aip", "# Instruction\nhi\n")
    assert hosted_model_findings(tmp_path, tmp_path / "legacy" / "eval.aip", "0.8.28") == {str(root.resolve())}
