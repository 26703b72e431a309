"""Our aip-compat request head and body against the real `aip` binaries, byte for byte.

Both clients talk to the same capturing server on localhost:11434 (aip's hard-coded endpoint,
wire-protocol.md §3.1). Skips when a binary is absent or the port is taken."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from aipack_compat.execute.client import OllamaClient, build_http_client
from aipack_compat.execute.pool import EndpointPool
from aipack_compat.execute.retry import RetryPolicy
from aipack_compat.execute.wire import build_request
from tests.support.canned_backend import CannedBackend, RecordedRequest

BINARIES = {
    "0.8.37": Path.home() / ".cargo" / "bin" / "aip",
    "0.8.16": Path(os.environ.get("AIPACK_COMPAT_AIP_LEGACY", Path.home() / ".cache/aipack-compat/aip-0.8.16/bin/aip")),
}


async def _capture_both(aip: Path, version: str, workspace: Path) -> tuple[RecordedRequest, RecordedRequest]:
    try:
        backend = await CannedBackend(host="127.0.0.1", port=11434, record=True).start()
    except OSError:
        pytest.skip("port 11434 is taken; aip only talks to localhost:11434")
    try:
        home = workspace / "home"
        home.mkdir()  # aip prints an error and then never exits when HOME does not exist
        (workspace / ".aipack").mkdir()
        (workspace / ".aipack" / "config.toml").write_text('[options]\nmodel = "smollm2:135m"\ntemperature = 0.0\n')
        (workspace / "greet.aip").write_text("# Instruction\n\nSay hello to {{input}}.\n")
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "TERM": "dumb", "NO_COLOR": "1"}
        child = await asyncio.create_subprocess_exec(str(aip), "run", "greet.aip", "-i", "Ada", "-s", cwd=workspace,
                                                     env=env, stdin=asyncio.subprocess.DEVNULL,
                                                     stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        output, _ = await asyncio.wait_for(child.communicate(), 60)
        assert child.returncode == 0, output.decode(errors="replace")[-500:]
        assert len(backend.requests) == 1, output.decode(errors="replace")[-500:]
        messages = [{"role": "user", "content": "\nSay hello to Ada.\n"}]
        request = build_request(messages, "smollm2:135m", 0.0, None, "aip-compat", version)
        http = build_http_client(10, 2)
        try:
            await OllamaClient(http, EndpointPool(["http://localhost:11434"], 2), RetryPolicy(retries=0), 10).chat(request)
        finally:
            await http.aclose()
        return backend.requests[0], backend.requests[1]
    finally:
        await backend.close()


@pytest.mark.parametrize("version", sorted(BINARIES))
def test_aip_compat_request_is_byte_identical_to_aips(version: str, tmp_path: Path) -> None:
    aip = BINARIES[version]
    if not aip.exists() or shutil.which(str(aip)) is None:
        pytest.skip(f"aip {version} not installed at {aip}")
    theirs, ours = asyncio.run(_capture_both(aip, version, tmp_path))
    assert ours.head == theirs.head
    assert ours.body == theirs.body
