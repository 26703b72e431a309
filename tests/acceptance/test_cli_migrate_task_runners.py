"""`aipack-compat migrate` over a workspace driven by just, npm, VS Code and go-task."""

from __future__ import annotations

import json
from pathlib import Path

from aipack_compat.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "fixtures" / "scripts" / "task-runners"


def test_migrates_every_task_runner(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["migrate", str(FIXTURE), "--out", str(out)]) == 0
    config = json.loads((out / "aipack-compat.json").read_text(encoding="utf-8"))
    jobs = {job["name"]: job for job in config["jobs"]}
    assert sorted(jobs) == [".vscode/tasks.json:16:eval", ".vscode/tasks.json:8:eval", "Taskfile.yml:12:eval",
                            "Taskfile.yml:19:eval", "justfile:11:eval", "justfile:16:eval", "justfile:26:eval",
                            "package.json:6:eval"]
    assert {job["agent_ref"] for job in jobs.values()} == {"flows/eval.aip"}  # ${workspaceFolder} kept relative
    sweep = jobs["justfile:26:eval"]
    assert [cell["options"]["model"] for cell in sweep["matrix"]] == ["gemma3:1b", "qwen3:0.6b"]
    assert sweep["output"]["stdout_path"] == "results/sweep/{cell}.txt"
    task_sweep = jobs["Taskfile.yml:19:eval"]
    assert [cell["options"]["model"] for cell in task_sweep["matrix"]] == ["gemma3:1b", "qwen3:0.6b"]
    assert jobs["justfile:16:eval"]["options"]["model"] == "gemma3:1b"  # the recipe's sed, at the parameter default
    assert jobs["package.json:6:eval"]["inputs"]["globs"] == ["docs/*.md"]
    assert jobs[".vscode/tasks.json:16:eval"]["inputs"]["globs"] == []  # ${relativeFile} is editor state
    assert {job["source"]["path"] for job in jobs.values()} == {"justfile", "package.json", ".vscode/tasks.json", "Taskfile.yml"}
    markdown = (out / "MIGRATION.md").read_text(encoding="utf-8")
    assert "parameter `model` taken at its default `gemma3:1b`" in markdown
    assert "NOT migrated" not in markdown.split("## Config values")[0].replace("0 NOT migrated", "")
