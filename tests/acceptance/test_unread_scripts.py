"""`aip run` in files no front-end reads (PowerShell, batch, Dockerfile…) is reported, never dropped silently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aipack_compat.cli import main


def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / ".aipack").mkdir(parents=True)
    (root / ".aipack" / "config.toml").write_text('[options]\nmodel = "llama3.2:1b"\n', encoding="utf-8")
    (root / "eval.aip").write_text("# Instruction\n\nhi\n", encoding="utf-8")
    (root / "eval.ps1").write_text('foreach ($m in @("a", "b")) {\n    aip run eval -s > "out/$m.txt"\n}\n', encoding="utf-8")
    (root / "run.bat").write_text("@echo off\r\nREM no run here\r\n", encoding="utf-8")
    (root / "Dockerfile").write_text("FROM rust\nRUN cargo install aipack && aip.exe run eval -s\n", encoding="utf-8")
    return root


def test_validate_warns_at_the_first_run_of_each_unread_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = workspace(tmp_path)
    main(["validate", str(root), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    found = sorted((Path(d["path"]).name, d["line"], d["column"]) for d in report["diagnostics"] if d["code"] == "SH013")
    assert found == [("Dockerfile", 2, 29), ("eval.ps1", 2, 5)]  # run.bat never calls aip


def test_migrate_lists_them_as_not_migrated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = workspace(tmp_path)
    assert main(["migrate", str(root), "--out", str(tmp_path / "out")]) == 1
    report = json.loads((tmp_path / "out" / "migration-report.json").read_text(encoding="utf-8"))
    missing = [(e["location"], e["status"]) for e in report["entries"] if e["subject"].startswith("aip run in")]
    assert sorted(missing) == [("Dockerfile:2", "not-migrated"), ("eval.ps1:2", "not-migrated")]
