"""`aipack-compat run` and `cache` through the CLI, in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aipack_compat.cli import main
from tests.conftest import free_port
from tests.unit.execute.jobs_helper import config

REPO = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, url: str, model: str = "ok", values: list[str] | None = None) -> Path:
    path = tmp_path / "aipack-compat.json"
    path.write_text(config(values or ["a", "b"], model=model, url=url, retries=1).model_dump_json())
    return path


def test_run_writes_results_next_to_config_and_summary_json(fault_backend: tuple[str, Any], tmp_path: Path,
                                                            cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, _ = fault_backend
    path = write_config(tmp_path, url)
    assert main(["run", str(path), "--format", "json", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["cells"][0]["succeeded"] == 2
    assert (tmp_path / "aipack-compat.results.jsonl").read_bytes().count(b"\n") == 2
    # a second run must not silently append to the journal
    assert main(["run", str(path), "--quiet"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["run", str(path), "--quiet", "--resume"]) == 0
    assert "2 already done" in capsys.readouterr().out
    assert main(["cache", "stats", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] == 2
    assert main(["cache", "clear"]) == 0 and "removed 2" in capsys.readouterr().out


def test_failed_items_exit_1_and_text_table(fault_backend: tuple[str, Any], tmp_path: Path, cache_dir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    url, _ = fault_backend
    assert main(["run", str(write_config(tmp_path, url, model="fault-404")), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "2 failed" in out and out.splitlines()[0].split()[:3] == ["job", "cell", "model"]


def test_invalid_job_file_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(REPO / "fixtures" / "executor" / "invalid-jobs.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid-jobs.json: invalid job config at jobs.0" in err
    assert main(["run", str(tmp_path / "missing.json")]) == 2
    assert "missing.json: cannot read job config" in capsys.readouterr().err
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{")
    assert main(["run", str(bad_json)]) == 2 and "bad.json" in capsys.readouterr().err


def test_unknown_job_and_unreachable_ollama_exit_2(tmp_path: Path, cache_dir: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, f"http://127.0.0.1:{free_port()}")
    assert main(["run", str(path), "--job", "nope"]) == 2
    assert "no job named 'nope'" in capsys.readouterr().err
    assert main(["run", str(path), "--quiet"]) == 2
    assert "cannot reach Ollama" in capsys.readouterr().err


def test_outputs_dir_keeps_the_workspace_untouched(fault_backend: tuple[str, Any], tmp_path: Path, cache_dir: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from aipack_compat.model.job import OutputSpec

    url, _ = fault_backend
    job_config = config(["a", "b"], model="ok", url=url, retries=1)
    job = job_config.jobs[0].model_copy(update={"output": OutputSpec(stdout_path="results/{cell}-{job}.txt")})
    path = tmp_path / "aipack-compat.json"
    path.write_text(job_config.model_copy(update={"jobs": [job]}).model_dump_json())
    outputs = tmp_path / "elsewhere"
    assert main(["run", str(path), "--quiet", "--outputs-dir", str(outputs)]) == 0
    capsys.readouterr()
    written = outputs / "results" / "default-job.txt"
    assert written.read_text(encoding="utf-8").count("\n") == 2  # one line per input output
    assert not (tmp_path / "results").exists()
