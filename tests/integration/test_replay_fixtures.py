"""End to end: each fixture workspace (fixtures/replay/* and the bundled demo fixtures/example) is
migrated, then replayed with the real `aip` (old path) and our executor (new path) against the real
SmolLM2 backend, once per wire era: the latest aip (native /api/chat) and aip 0.8.16 (the last
/v1/chat/completions release). Every case must be equivalent on requests, which includes the wire
check (body bytes and header set, see aipack_compat/replay/wire_fidelity.py); the backend is
deterministic (reset per request), so outputs match too."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from aipack_compat.cli import main

pytestmark = [pytest.mark.aip, pytest.mark.llm, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
WORKSPACES = {
    "single-agent-glob": REPO / "fixtures" / "replay" / "single-agent-glob",
    "inputs": REPO / "fixtures" / "replay" / "inputs",
    "model-loop": REPO / "fixtures" / "replay" / "model-loop",
    "legacy-devai": REPO / "fixtures" / "replay" / "legacy-devai",
    # run-evals.sh: a model loop with a sed rewrite over a -f glob agent with a Lua Data stage, and an -i agent
    "example": REPO / "fixtures" / "example",
}
LEGACY_DEFAULT = Path.home() / ".cache" / "aipack-compat" / "aip-0.8.16" / "bin" / "aip"
# What each era must look like on the wire (wire-protocol.md §1.2, §6.1 items 2, 6, 7, 22).
ERA_WIRE = {
    "latest": ("ollama-native", "/api/chat", None),
    "legacy": ("openai-v1", "/v1/chat/completions", "Bearer ollama"),
}


def loud_skip(reason: str) -> None:
    banner = "!" * 72
    print(f"\n{banner}\n!!! REPLAY INTEGRATION SKIPPED: {reason}\n{banner}", file=sys.stderr)
    pytest.skip(reason)


def find_aip(era: str) -> str:
    if era == "latest":
        found = shutil.which("aip") or shutil.which(str(Path.home() / ".cargo" / "bin" / "aip"))
        if found is None:
            loud_skip("the real `aip` is not installed (cargo install aipack --version 0.8.37 --locked)")
        return str(found)
    legacy = os.environ.get("AIPACK_COMPAT_AIP_LEGACY") or str(LEGACY_DEFAULT)
    if shutil.which(legacy) is None:
        loud_skip(f"aip 0.8.16 (the /v1 era) is not installed at {legacy}; scripts/test.sh builds it "
                  "(cargo install aipack --version 0.8.16 --locked --root ~/.cache/aipack-compat/aip-0.8.16)")
    return legacy


def replay_workspace(workspace: Path, work: Path, aip: str, backend: str, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    migrated = work / "migrated"
    assert main(["migrate", str(workspace), "--out", str(migrated)]) in (0, 1)
    out = work / "replay"
    code = main(["replay", str(migrated), "--out", str(out), "--aip", aip, "--ollama-url", backend, "--timeout", "240", *extra])
    return code, json.loads((out / "report.json").read_text())


def assert_era_on_the_wire(report: dict, era: str) -> None:  # type: ignore[type-arg]
    observed, path, authorization = ERA_WIRE[era]
    assert report["aip"]["observed_era"] == observed
    for case in report["cases"]:
        for side in ("old", "new"):
            for exchange in case[side]["exchanges"]:
                headers = dict(exchange["request_headers"])
                assert exchange["path"] == path
                assert headers.get("authorization") == authorization
                assert "user-agent" not in headers


@pytest.mark.parametrize("era", ["latest", "legacy"])
@pytest.mark.parametrize("name", list(WORKSPACES))
def test_fixture_replays_equivalent(name: str, era: str, tmp_path: Path, ollama_backend: str) -> None:
    aip = find_aip(era)
    code, report = replay_workspace(WORKSPACES[name], tmp_path, aip, ollama_backend)
    reasons = {case["case_id"]: (case["verdict"], case["reason"]) for case in report["cases"]}
    assert report["cases"], f"{name}: migration produced no replayable job"
    assert code == 0, reasons
    assert_era_on_the_wire(report, era)
    # --offline reproduces the verdicts from the cassettes alone
    assert main(["replay", str(tmp_path / "migrated"), "--out", str(tmp_path / "replay"), "--offline"]) == 0


def test_example_covers_the_loop_the_lua_stage_and_both_input_kinds(tmp_path: Path, ollama_backend: str) -> None:
    """The demo workspace: one case per model of the sed loop (3 question files each), one -i case."""
    code, report = replay_workspace(WORKSPACES["example"], tmp_path, find_aip("latest"), ollama_backend)
    assert code == 0
    requests = {case["case_id"].split(":", 2)[2]: len(case["old"]["exchanges"]) for case in report["cases"]}
    assert requests == {"eval[smollm2:135m]": 3, "eval[smollm2:135m-instruct-q4]": 3, "greet": 2}
    models = {json.loads(case["old"]["exchanges"][0]["request_body"])["model"] for case in report["cases"] if case["cell"]}
    assert models == {"smollm2:135m", "smollm2:135m-instruct-q4"}  # the config state each sed rewrite left
    # the Data stage loaded each question file: its trimmed text is in the prompt on both sides
    for case in report["cases"]:
        if case["cell"]:
            for side in ("old", "new"):
                contents = [json.loads(e["request_body"])["messages"][1]["content"] for e in case[side]["exchanges"]]
                assert all("Question (from " in text and "Score: N/10" in text for text in contents)
