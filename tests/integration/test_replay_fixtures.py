"""End to end: each fixture workspace under fixtures/replay is migrated, then replayed with the real
`aip` (old path) and our executor (new path) against the real SmolLM2 backend. Every case must be
equivalent on requests; the backend is deterministic (reset per request), so outputs match too."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from aipack_compat.cli import main

pytestmark = [pytest.mark.aip, pytest.mark.llm, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "replay"
WORKSPACES = ["single-agent-glob", "inputs", "model-loop", "legacy-devai"]


def _loud_skip(reason: str) -> None:
    banner = "!" * 72
    print(f"\n{banner}\n!!! REPLAY INTEGRATION SKIPPED: {reason}\n{banner}", file=sys.stderr)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def aip_binary() -> str:
    found = shutil.which("aip") or shutil.which(str(Path.home() / ".cargo" / "bin" / "aip"))
    if found is None:
        _loud_skip("the real `aip` is not installed (cargo install aipack --version 0.8.37 --locked)")
    return str(found)


@pytest.mark.parametrize("name", WORKSPACES)
def test_fixture_replays_equivalent(name: str, tmp_path: Path, aip_binary: str, ollama_backend: str) -> None:
    if importlib.util.find_spec("aipack_compat.cli.commands.migrate") is None:
        _loud_skip("`aipack-compat migrate` is not available yet")
    migrated = tmp_path / "migrated"
    assert main(["migrate", str(FIXTURES / name), "--out", str(migrated)]) in (0, 1)
    out = tmp_path / "replay"
    code = main(["replay", str(migrated), "--out", str(out), "--aip", aip_binary, "--ollama-url", ollama_backend, "--timeout", "240"])
    report = json.loads((out / "report.json").read_text())
    reasons = {case["case_id"]: (case["verdict"], case["reason"]) for case in report["cases"]}
    assert report["cases"], f"{name}: migration produced no replayable job"
    assert code == 0, reasons
    assert report["aip"]["observed_era"] == "ollama-native"
    # --offline reproduces the verdicts from the cassettes alone
    assert main(["replay", str(migrated), "--out", str(out), "--offline"]) == 0
