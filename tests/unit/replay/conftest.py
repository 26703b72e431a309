"""Fixtures for replay unit tests (helpers live in replay_helpers.py)."""

from __future__ import annotations

import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

# The suite runs with --import-mode=importlib, which leaves sys.path alone; the helpers module sits next to this file.
sys.path.insert(0, str(Path(__file__).parent))
from replay_helpers import FakeOllama  # noqa: E402

FAKE_AIP = Path(__file__).with_name("fake_aip.py")


@pytest.fixture
def fake_ollama() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeOllama)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_aip(tmp_path: Path) -> str:
    """An executable `aip` that runs fake_aip.py with this interpreter."""
    launcher = tmp_path / "bin" / "aip"
    launcher.parent.mkdir()
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} {FAKE_AIP} \"$@\"\n")
    launcher.chmod(0o755)
    return str(launcher)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "agents").mkdir(parents=True)
    (root / "agents" / "hello.aip").write_text("# Instruction\n\nHello {{input}}\n")
    (root / "notes").mkdir()
    (root / "notes" / "a.md").write_text("a\n")
    return root
