"""fixtures/scripts/pipelines-and-counters, migrated and run end to end on the real model.

find | while read, ls | xargs -I{}, grep | GNU parallel over a model list, a for ((…)) repetition
loop and an until-retry loop: every job runs, every output file the script wrote is written, and a
second run answers every item from the cache, each repetition from its own entry.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aipack_compat.cli import main
from aipack_compat.execute.journal import read_records

pytestmark = pytest.mark.llm
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "scripts" / "pipelines-and-counters"


def test_pipelines_and_counters_migrate_and_run(ollama_backend: str, tmp_path: Path, cache_dir: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    workspace = tmp_path / "workspace"
    shutil.copytree(FIXTURE, workspace)
    # the models the project's backend serves, in place of the fixture's
    (workspace / "models.txt").write_text("# one model per line\nsmollm2:135m\nsmollm2:latest\n", encoding="utf-8")
    config_toml = workspace / ".aipack" / "config.toml"
    config_toml.write_text(config_toml.read_text(encoding="utf-8").replace("llama3.2:1b", "smollm2:135m"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["migrate", str(workspace), "--out", str(out)]) == 0
    config_path = out / "aipack-compat.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["execution"]["ollama_url"] = ollama_backend
    config_path.write_text(json.dumps(config), encoding="utf-8")
    assert len(config["jobs"]) == 5
    capsys.readouterr()

    written = tmp_path / "written"
    assert main(["run", str(config_path), "--outputs-dir", str(written), "--quiet", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    results = written / "results"
    expected = {"capital.txt", "haiku.txt", "spider.txt", "xargs.log", "smollm2:135m.txt", "smollm2:latest.txt",
                "sample-1.txt", "sample-2.txt", "sample-3.txt", "retried.txt"}
    assert {p.name for p in results.iterdir()} == expected
    assert all((results / name).read_text(encoding="utf-8").strip() for name in expected)
    records = read_records(out / "aipack-compat.results.jsonl")
    # 3 prompts found + 2 listed + 2 models x 2 prompts + 3 samples x 2 prompts + 1 retried
    assert len(records) == 16 and {r.status for r in records} == {"success"}
    assert sum(cell["failed"] + cell["errored"] for cell in summary["cells"]) == 0

    again = tmp_path / "again.jsonl"
    assert main(["run", str(config_path), "--outputs-dir", str(tmp_path / "written2"), "--results", str(again),
                 "--quiet"]) == 0
    replayed = read_records(again)
    assert len(replayed) == 16 and all(r.cached for r in replayed)
    first = {(r.job, r.cell, r.input_index): r.output for r in records}
    assert {(r.job, r.cell, r.input_index): r.output for r in replayed} == first
