"""`aipack-compat replay` in-process: fake aip + fake Ollama on the old path, the real executor on the new."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
from replay_helpers import make_config, make_job

from aipack_compat.cli import main
from aipack_compat.model.job import MatrixCell
from aipack_compat.model.options import AgentOptions

SCHEMA = Path(__file__).parents[3] / "schemas" / "aipack-compat-replay.schema.json"


def write_config(tmp_path: Path, workspace: Path, jobs) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "migrated" / "aipack-compat.json"
    path.parent.mkdir()
    path.write_text(make_config(workspace, jobs, root="../ws").model_dump_json())
    return path


def replay(*args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["replay", *args])
    out = Path(args[args.index("--out") + 1])
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else {}
    return code, report


def test_all_equivalent_exits_zero_and_writes_three_reports_and_cassettes(tmp_path, workspace, fake_aip, fake_ollama) -> None:  # type: ignore[no-untyped-def]
    config = write_config(tmp_path, workspace, [make_job()])
    out = tmp_path / "out"
    code, report = replay(str(config), "--out", str(out), "--aip", fake_aip, "--ollama-url", fake_ollama)
    assert code == 0, report
    assert report["summary"] == {"total": 1, "equivalent": 1, "request_differs": 0, "output_differs": 0, "failed": 0}
    assert {p.name for p in out.iterdir()} == {"report.json", "report.md", "report.html", "cassettes"}
    assert [p.name for p in (out / "cassettes").iterdir()] == ["hello.json"]
    case = report["cases"][0]
    assert len(case["old"]["exchanges"]) == len(case["new"]["exchanges"]) == 2
    import jsonschema

    jsonschema.validate(report, json.loads(SCHEMA.read_text()))

    # --offline: no aip and no Ollama needed, same verdicts, fast
    started = time.monotonic()
    code, offline = replay(str(config), "--out", str(out), "--offline", "--aip", "/nonexistent/aip", "--ollama-url", "http://127.0.0.1:9")
    assert code == 0 and time.monotonic() - started < 1.0
    assert offline["settings"]["offline"] is True and offline["summary"] == report["summary"]

    # recording again into the same DIR needs --force
    assert main(["replay", str(config), "--out", str(out), "--aip", fake_aip, "--ollama-url", fake_ollama]) == 2


def test_request_difference_lists_the_field_and_exits_one(tmp_path, workspace, fake_aip, fake_ollama) -> None:  # type: ignore[no-untyped-def]
    drifted = make_job().model_copy(update={"options": AgentOptions(model="smollm2", temperature=0.7)})
    config = write_config(tmp_path, workspace, [drifted])
    code, report = replay(str(config), "--out", str(tmp_path / "out"), "--aip", fake_aip, "--ollama-url", fake_ollama)
    assert code == 1
    case = report["cases"][0]
    assert case["verdict"] == "request-differs"
    assert "options.temperature" in case["reason"]
    assert "options.temperature" in (tmp_path / "out" / "report.md").read_text()


def test_matrix_cells_are_cases_and_only_selects(tmp_path, workspace, fake_aip, fake_ollama) -> None:  # type: ignore[no-untyped-def]
    cells = [MatrixCell(label=m, options=AgentOptions(model=m)) for m in ("smollm2", "smollm2:135m")]
    config = write_config(tmp_path, workspace, [make_job("loop", matrix=cells)])
    code, report = replay(str(config), "--out", str(tmp_path / "all"), "--aip", fake_aip, "--ollama-url", fake_ollama)
    assert code == 0 and [c["case_id"] for c in report["cases"]] == ["loop[smollm2]", "loop[smollm2:135m]"]
    models = [json.loads(c["old"]["exchanges"][0]["request_body"])["model"] for c in report["cases"]]
    assert models == ["smollm2", "smollm2:135m"]  # the per-model config state the sed loop would have written
    code, report = replay(str(config), "--out", str(tmp_path / "one"), "--only", "loop[smollm2:135m]", "--aip", fake_aip, "--ollama-url", fake_ollama)
    assert [c["case_id"] for c in report["cases"]] == ["loop[smollm2:135m]"]


def test_missing_aip_fails_each_case_but_the_new_path_still_runs(tmp_path, workspace, fake_ollama) -> None:  # type: ignore[no-untyped-def]
    config = write_config(tmp_path, workspace, [make_job("a"), make_job("b")])
    code, report = replay(str(config), "--out", str(tmp_path / "out"), "--aip", "/nonexistent/aip", "--ollama-url", fake_ollama)
    assert code == 1 and report["summary"]["failed"] == 2
    case = report["cases"][0]
    assert case["old"]["failure"]["kind"] == "binary-missing"
    assert len(case["new"]["exchanges"]) == 2


def test_ollama_down_fails_every_case_with_the_reason(tmp_path, workspace, fake_aip) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    config = write_config(tmp_path, workspace, [make_job()])
    code, report = replay(str(config), "--out", str(tmp_path / "out"), "--aip", fake_aip, "--ollama-url", dead)
    assert code == 1
    assert report["cases"][0]["verdict"] == "failed" and "unreachable" in report["cases"][0]["reason"]


def test_one_case_timing_out_does_not_stop_the_others(tmp_path, workspace, fake_aip, fake_ollama) -> None:  # type: ignore[no-untyped-def]
    config = write_config(tmp_path, workspace, [make_job("slow", env={"FAKE_AIP_MODE": "sleep"}, timeout=1.0), make_job("fine")])
    code, report = replay(str(config), "--out", str(tmp_path / "out"), "--aip", fake_aip, "--ollama-url", fake_ollama)
    assert code == 1
    assert [c["verdict"] for c in report["cases"]] == ["failed", "equivalent"]
    assert "timeout" in report["cases"][0]["reason"]


def test_bad_inputs_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "aipack-compat.json"
    bad.write_text('{"schema_version": 7}')
    assert main(["replay", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert main(["replay", str(tmp_path), "--out", str(tmp_path / "o2"), "--offline"]) == 2
    (tmp_path / "o3" / "cassettes").mkdir(parents=True)
    (tmp_path / "o3" / "cassettes" / "x.json").write_text("{}")
    assert main(["replay", str(bad), "--out", str(tmp_path / "o3"), "--offline"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("aipack-compat: error: ") for line in errors)
    assert "schema_version 7 is not one this aipack-compat reads" in errors[0] and "no cassettes" in errors[1] and "not a replay cassette" in errors[2]


def test_replay_reads_configs_with_the_executors_loader(tmp_path: Path, workspace: Path) -> None:
    """One loader: `replay` accepts and refuses exactly what `run` does, and adds only the root."""
    from aipack_compat.errors import UsageFailure
    from aipack_compat.execute.session import load_job_config as run_loader
    from aipack_compat.replay.session import load_job_config as replay_loader

    path = write_config(tmp_path, workspace, [make_job()])
    config, root = replay_loader(path.parent)
    assert config == run_loader(path) and root == workspace.resolve()
    orphan = make_job().model_copy(update={"agent": "agents/missing"})
    path.write_text(make_config(workspace, [orphan], root="../ws").model_dump_json())
    with pytest.raises(UsageFailure) as from_run:
        run_loader(path)
    with pytest.raises(UsageFailure) as from_replay:
        replay_loader(path)
    assert str(from_replay.value) == str(from_run.value) and "agents/missing" in str(from_run.value)
