"""Port-swap (reverse-proxy) mode end to end: the recording proxy listens on localhost:11434, where
every aip dials Ollama (wire-protocol.md §3.1, §3.3), and forwards to the real-model backend on its
own port. No proxy variable is set for aip; its requests arrive in origin form."""

from __future__ import annotations

import errno
import socket
import sys
from pathlib import Path

import pytest

# --import-mode=importlib leaves sys.path alone; the shared replay helpers sit next to this file.
sys.path.insert(0, str(Path(__file__).parent))
from test_replay_fixtures import WORKSPACES, assert_era_on_the_wire, find_aip, loud_skip, replay_workspace  # noqa: E402

pytestmark = [pytest.mark.aip, pytest.mark.llm, pytest.mark.slow]

AIP_PORT = 11434


def port_taken_by() -> str | None:
    """Which loopback address already has something on 11434 (a local Ollama, another test run)."""
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            with socket.socket(family) as probe:
                probe.bind((address, AIP_PORT))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:  # a missing IPv6 stack is fine
                return address
    return None


@pytest.mark.parametrize("era", ["latest", "legacy"])
def test_port_swap_replays_equivalent(era: str, tmp_path: Path, ollama_backend: str) -> None:
    aip = find_aip(era)
    taken = port_taken_by()
    if taken is not None:
        loud_skip(f"port {AIP_PORT} is taken on {taken}; port-swap mode needs it (stop the local Ollama or move it)")
    code, report = replay_workspace(WORKSPACES["example"], tmp_path, aip, ollama_backend, "--proxy-mode", "reverse")
    reasons = {case["case_id"]: (case["verdict"], case["reason"]) for case in report["cases"]}
    assert code == 0, reasons
    assert report["settings"]["proxy_mode"] == "reverse"
    assert_era_on_the_wire(report, era)
    for case in report["cases"]:
        old = case["old"]["exchanges"]
        assert old and all(e["proxy_form"] == "reverse" for e in old)  # origin form: aip dialled us directly
        assert all(dict(e["request_headers"])["host"] == "localhost:11434" for e in old)
