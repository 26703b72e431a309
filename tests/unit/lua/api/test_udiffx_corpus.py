"""The two pro/coder agents that needed aip.udiffx / aip.file.save_changes now pass the support check,
and a differential run against the real `aip` (when installed) gives the same statuses and files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from aipack_compat.lua.support import APPROXIMATE_FUNCTIONS, canonical_name, scan_lua_calls, unsupported_calls

from tests.support.corpus_lua import agent_lua_sources
from tests.support.lua_stages import make_runner

CODER = (Path(__file__).resolve().parents[4] / "../shared/corpus/aipack-ai__packs-pro/pro/coder").resolve()
CORPUS = CODER.parents[2]


def _lua_sources(agent: Path) -> list[str]:
    return agent_lua_sources(agent, CORPUS)


@pytest.mark.parametrize("agent_name", ["main.aip", "auto-fix.aip"])
def test_coder_agents_lua_is_fully_supported(agent_name: str) -> None:
    agent = CODER / agent_name
    if not agent.is_file():
        pytest.skip(f"corpus file absent: {agent}")
    sources = _lua_sources(agent)
    assert [call for code in sources for call in unsupported_calls(code)] == []
    used = {canonical_name(call.name) for code in sources for call in scan_lua_calls(code)}
    assert {"aip.udiffx.apply_file_changes", "aip.udiffx.file_changes_instruction"} & used
    assert "aip.udiffx.apply_file_changes" in APPROXIMATE_FUNCTIONS


_AGENT = """# Data
```lua
local out = {}
for i, content in ipairs(aip.json.parse(aip.file.load("cases.json").content)) do
  local ok, status, rest = pcall(aip.udiffx.apply_file_changes, content, "w" .. i, {extrude = "content"})
  out[i] = ok and {status = status, rest = rest} or {error = tostring(status)}
end
aip.file.save("out.json", aip.json.stringify(out))
```
"""
_ORIGINAL = "use std::io;\n\nfn main() {\n    let x = 1_000;\n    println!(\"Hello, world!\");\n}\n\n\nfn other() -> i32 {\n    42\n}\n"
_CASES = [
    '[[[FILE_PATCH file_path="f.rs"]]]\n@@\n fn main() {\n-let x = 1_000\n+    let x = 2;\n@@\n-nope\n+x\n[[[/FILE_PATCH]]]\n',
    '[[[FILE_PATCH file_path="f.rs"]]]\n@@\n FN OTHER() -> I32 {\n-    42,\n+    43\n }\n*** End Patch\n[[[/FILE_PATCH]]]\n',
    '[[[FILE_PATCH file_path="f.rs"]]]\n@@\n+// appended\n[[[/FILE_PATCH]]]\n[[[FILE_NEW file_path="f.rs"]]]\nx\n[[[FILE_APPEND file_path="g.md"]]]\ny\n',
    '[[[FILE_COPY from_path="f.rs" to_path="c/f.rs" /]]]\n[[[FILE_RENAME from_path="f.rs" to_path="r.rs" /]]]\n'
    '[[[FILE_NEW path="bad"]]]\nz\n[[[/FILE_NEW]]]\n[[[FILE_NEW file_path="../../../out.txt"]]]\nz\n[[[/FILE_NEW]]]\n',
]


@pytest.mark.aip
def test_apply_file_changes_matches_the_real_aip(tmp_path: Path) -> None:
    aip = shutil.which("aip")
    if aip is None:
        pytest.skip("the real `aip` binary is not installed")
    version = subprocess.run([aip, "--version"], capture_output=True, text=True).stdout.split()[-1]
    if tuple(int(part) for part in version.split(".")[:3]) < (0, 8, 31):
        pytest.skip("the cases use the 0.8.31+ bracket syntax")
    results = {}
    for side in ("real", "ours"):
        workspace = tmp_path / side
        for index in range(1, len(_CASES) + 1):
            (workspace / f"w{index}").mkdir(parents=True)
            (workspace / f"w{index}" / "f.rs").write_text(_ORIGINAL)
        (workspace / "agent.aip").write_text(_AGENT)
        (workspace / "cases.json").write_text(json.dumps([f"x\n[[[UDIFFX_FILE_CHANGES]]]\n{c}[[[/UDIFFX_FILE_CHANGES]]]\n" for c in _CASES]))
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run([aip, "run", "agent.aip", "--ni"], cwd=tmp_path / "real", capture_output=True, text=True,
                          timeout=120, env={**os.environ, "HOME": str(home)})
    assert (tmp_path / "real" / "out.json").is_file(), done.stdout + done.stderr
    code = _AGENT.split("```lua\n")[1].split("```")[0]
    make_runner(tmp_path / "ours", {"data": (code, 3)}, aip_version=version).data(None, None, 1)
    for side in ("real", "ours"):
        text = (tmp_path / side / "out.json").read_text().replace(str(tmp_path / side), "<ws>")
        files = {str(p.relative_to(tmp_path / side)): p.read_text() for p in sorted((tmp_path / side).rglob("*"))
                 if p.is_file() and p.parts[-2].startswith(("w", "c")) and ".aipack" not in p.parts}
        results[side] = (json.loads(text), files)
    assert results["ours"] == results["real"]
