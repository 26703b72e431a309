"""`aipack-compat migrate` end to end, in-process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aipack_compat.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "scripts"
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()


def test_writes_all_files_and_is_idempotent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["migrate", str(FIXTURES / "model-loop-sed"), "--out", str(out), "--emit", "both"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["MIGRATION.md", "aipack-compat.json", "aipack_jobs.py", "migration-report.json"]
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert main(["migrate", str(FIXTURES / "model-loop-sed"), "--out", str(out), "--emit", "both"]) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert "already up to date" in capsys.readouterr().out
    config = json.loads((out / "aipack-compat.json").read_text())
    assert (out / config["root"]).resolve() == (FIXTURES / "model-loop-sed").resolve()
    report = json.loads((out / "migration-report.json").read_text())
    assert report["counts"]["not-migrated"] == 0


def test_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "aipack-compat.json").write_text("{}\n")
    assert main(["migrate", str(FIXTURES / "makefile"), "--out", str(out)]) == 2
    assert "exists and differs" in capsys.readouterr().err
    assert (out / "aipack-compat.json").read_text() == "{}\n"
    assert main(["migrate", str(FIXTURES / "makefile"), "--out", str(out), "--force"]) == 0
    assert json.loads((out / "aipack-compat.json").read_text())["jobs"]


def test_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["migrate", str(FIXTURES / "ci-yaml"), "--out", str(out), "--dry-run"]) == 0
    assert not out.exists()
    printed = capsys.readouterr().out
    assert "would write" in printed and "aipack-compat.json" in printed


def test_losses_give_exit_1_and_are_reported(tmp_path: Path) -> None:
    work = tmp_path / "w"
    shutil.copytree(FIXTURES / "function-loop", work)
    (work / "more.sh").write_text('#!/bin/sh\naip run "$AGENT" -s\naip run missing/agent -s\n')
    out = tmp_path / "out"
    assert main(["migrate", str(work), "--out", str(out)]) == 1
    markdown = (out / "MIGRATION.md").read_text()
    assert "NOT migrated" in markdown and "more.sh:2" in markdown and "more.sh:3" in markdown
    report = json.loads((out / "migration-report.json").read_text())
    assert report["counts"]["not-migrated"] == 2
    assert {d["code"] for d in report["diagnostics"]} >= {"MIG001", "SH002"}


def test_usage_errors(tmp_path: Path) -> None:
    assert main(["migrate", str(tmp_path / "absent"), "--out", str(tmp_path / "o")]) == 2
    assert main(["migrate", str(tmp_path)]) == 2


def corpus_workspaces() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if p.is_dir())


@pytest.mark.skipif(not corpus_workspaces(), reason="corpus not present")
def test_every_corpus_workspace_migrates(tmp_path: Path) -> None:
    for workspace in corpus_workspaces():
        out = tmp_path / workspace.name
        code = main(["migrate", str(workspace), "--out", str(out), "--emit", "both"])
        assert code in (0, 1), workspace
        assert (out / "aipack-compat.json").is_file() and (out / "MIGRATION.md").is_file()
        again = main(["migrate", str(workspace), "--out", str(out), "--emit", "both"])
        assert again == code, workspace


def test_per_file_loop_migrates_to_per_input_outputs_and_runs(fault_backend: tuple[str, object], tmp_path: Path,
                                                              cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["migrate", str(FIXTURES / "per-input-outputs"), "--out", str(out), "--emit", "both"]) == 0
    config = json.loads((out / "aipack-compat.json").read_text())
    outputs = {job["name"]: job["output"] for job in config["jobs"]}
    assert outputs["eval.sh:7:eval"] == {"stdout_path": "results/{input_stem}.txt", "stderr_path": None,
                                         "append": False, "per_input": True}
    assert outputs["eval.sh:14:eval"]["stdout_path"] == "results/{cell}/{input_name}.txt"
    assert "per_input=True" in (out / "aipack_jobs.py").read_text()
    markdown = (out / "MIGRATION.md").read_text()
    assert "ran `aip run` once per file, so # Before All and # After All ran once per file" in markdown
    capsys.readouterr()

    # run the per-file job against a fake Ollama; outputs land under --outputs-dir, one file per prompt
    url, _ = fault_backend
    job = next(job for job in config["jobs"] if job["name"] == "eval.sh:7:eval")
    job["options"]["model"] = "ok"
    config["execution"]["ollama_url"] = url
    (out / "aipack-compat.json").write_text(json.dumps(config))
    written = tmp_path / "written"
    arguments = ["run", str(out / "aipack-compat.json"), "--job", "eval.sh:7:eval", "--outputs-dir", str(written)]
    assert main([*arguments, "--quiet", "--format", "json"]) == 0
    files = sorted(p.name for p in (written / "results").iterdir())
    assert files == ["capital.txt", "haiku.txt", "spider.txt"]
    answer = (written / "results" / "haiku.txt").read_text()
    assert answer.strip() and answer == (written / "results" / "capital.txt").read_text()  # the backend's canned text
    assert not (FIXTURES / "per-input-outputs" / "results").exists()

    # a second run into a new journal refuses to replace an edited output (the note is checked in
    # tests/unit/execute/test_per_input_outputs.py) and still rewrites nothing else
    (written / "results" / "haiku.txt").write_text("edited by hand\n")
    assert main([*arguments, "--quiet", "--results", str(tmp_path / "second.jsonl")]) == 0
    assert (written / "results" / "haiku.txt").read_text() == "edited by hand\n"
    assert (written / "results" / "spider.txt").read_text() == answer
    assert main([*arguments, "--quiet", "--results", str(tmp_path / "third.jsonl"), "--force"]) == 0
    assert (written / "results" / "haiku.txt").read_text() == answer


def test_nested_sweep_becomes_one_job_per_sweep(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # the sweep whose temperatures come from `$(seq …)` is migrated with its losses reported (exit 0:
    # nothing is `not-migrated`)
    assert main(["migrate", str(FIXTURES / "nested-sweep"), "--out", str(out), "--emit", "both"]) == 0
    config = json.loads((out / "aipack-compat.json").read_text())
    jobs = {job["name"]: job for job in config["jobs"]}
    sweep = jobs["sweep.sh:9:eval"]
    assert sweep["output"]["stdout_path"] == "results/{cell}.txt"
    assert [(c["label"], c["options"]["model"], c["options"]["temperature"]) for c in sweep["matrix"]] == [
        ("llama3.2_1b-t0", "llama3.2:1b", 0.0), ("llama3.2_1b-t0.7", "llama3.2:1b", 0.7),
        ("qwen2.5_0.5b-t0", "qwen2.5:0.5b", 0.0), ("qwen2.5_0.5b-t0.7", "qwen2.5:0.5b", 0.7)]
    assert len(jobs["sweep.sh:20:eval"]["matrix"]) == 8
    markdown = (out / "MIGRATION.md").read_text()
    assert "are one job of 4 matrix cells, in the script's order (outer loop slowest)" in markdown
    assert "MIG003 warning: values of loop variable `temp` (`seq 0 0.5 1` prints fractions differently with GNU seq (0.0 0.5) and BSD seq (0 0.5)) is only known at run time (sweep.sh:39)" in markdown
    assert "aipack_jobs.py" in {p.name for p in out.iterdir()}


def test_while_read_models_freezes_the_list(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["migrate", str(FIXTURES / "while-read-models"), "--out", str(out)]) == 0
    config = json.loads((out / "aipack-compat.json").read_text())
    first = config["jobs"][0]
    assert [c["label"] for c in first["matrix"]] == ["llama3.2:1b", "qwen2.5:0.5b", "smollm2:135m"]
    assert first["output"]["stdout_path"] == "out/{cell}.txt"
    markdown = (out / "MIGRATION.md").read_text()
    assert "models.txt was read at migrate time (sha256 " in markdown
    assert "(eval.sh:35)" in markdown  # the list outside the workspace, reported where its loop starts
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert main(["migrate", str(FIXTURES / "while-read-models"), "--out", str(out)]) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
