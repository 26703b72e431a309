"""Sub-agent runs against the real `aip` (0.8.37, and 0.8.16 of the /v1 era): the same requests, byte for byte, in the same number.

The parent's # Data calls `aip.agent.run("sub", {inputs, options})`; the sub-agent's requests show
which options aip gives it (workspace config + its own # Options + the call's options, *not* the
caller's # Options). Both sides talk to one recording backend on localhost:11434 (aip's
hard-coded endpoint); skips when the binary is absent or the port is taken.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest

from aipack_compat.execute.client import build_http_client
from aipack_compat.execute.context import RunSettings
from aipack_compat.execute.journal import read_records
from aipack_compat.execute.runner import Runner
from aipack_compat.model.options import AgentOptions
from tests.support.canned_backend import ANSWER, CannedBackend, RecordedRequest
from tests.unit.execute.subagent_helper import job_config, lua_agent, workspace

BINARIES = {
    "0.8.37": Path.home() / ".cargo" / "bin" / "aip",
    "0.8.16": Path(os.environ.get("AIPACK_COMPAT_AIP_LEGACY", Path.home() / ".cache/aipack-compat/aip-0.8.16/bin/aip")),
}
PARENT = lua_agent(
    options="temperature = 0.2",
    data="""
local res = aip.agent.run("helpers/sub", {inputs = {input, input .. "!"}, options = {top_p = 0.5}})
return {subs = table.concat(res.outputs, " | "), n = #res.outputs}
""",
    prompt="Parent sees {{data.subs}} ({{data.n}})",
)
SUB = lua_agent(options="input_concurrency = 1", prompt="Sub {{input}}")


async def _capture(aip: Path, version: str, root: Path) -> tuple[list[RecordedRequest], list[RecordedRequest]]:
    try:
        backend = await CannedBackend(host="127.0.0.1", port=11434, record=True).start()
    except OSError:
        pytest.skip("port 11434 is taken; aip only talks to localhost:11434")
    try:
        home = root / "home"
        home.mkdir()  # aip never exits when HOME does not exist
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "TERM": "dumb", "NO_COLOR": "1"}
        child = await asyncio.create_subprocess_exec(str(aip), "run", "parent.aip", "-i", "Ada", "-s", cwd=root, env=env,
                                                     stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                                                     stderr=asyncio.subprocess.STDOUT)
        output, _ = await asyncio.wait_for(child.communicate(), 90)
        assert child.returncode == 0, output.decode(errors="replace")[-800:]
        theirs = list(backend.requests)
        backend.requests.clear()

        config = job_config(root, "parent.aip", ["Ada"], concurrency=0,
                            workspace_options=AgentOptions(model="smollm2:135m", temperature=0.0))
        settings = RunSettings(config_path=root / "jobs.json", results_path=root / "results.jsonl",
                               ollama_urls=("http://localhost:11434",), wire="aip-compat", aip_version=version,
                               retries=0, echo_outputs=False)
        async with build_http_client(30, 2) as http:
            await Runner(config, settings, http).run()
        [record] = read_records(root / "results.jsonl")
        assert record.status == "success", record.error
        return theirs, list(backend.requests)
    finally:
        await backend.close()


@pytest.mark.parametrize("version", sorted(BINARIES))
def test_sub_agent_requests_match_aips(version: str, tmp_path: Path) -> None:
    aip = BINARIES[version]
    if not aip.exists() or shutil.which(str(aip)) is None:
        pytest.skip(f"aip {version} not installed at {aip}")
    workspace(tmp_path, {".aipack/config.toml": '[options]\nmodel = "smollm2:135m"\ntemperature = 0.0\n',
                         "parent.aip": PARENT, "helpers/sub.aip": SUB})
    theirs, ours = asyncio.run(_capture(aip, version, tmp_path))
    assert len(theirs) == len(ours) == 3
    # same bytes in the same order: two sub-agent calls (one at a time), then the parent's
    assert [r.body for r in ours] == [r.body for r in theirs]
    assert [r.head for r in ours] == [r.head for r in theirs]
    bodies = [json.loads(r.body) for r in ours]
    if version == "0.8.37":  # the /api/chat era; 0.8.16 sends the OpenAI shape (top-level temperature)
        assert [b["options"] for b in bodies] == [{"temperature": 0.0, "top_p": 0.5}] * 2 + [{"temperature": 0.2}]
    assert f"Parent sees {ANSWER} | {ANSWER} (2)" in bodies[2]["messages"][-1]["content"]
