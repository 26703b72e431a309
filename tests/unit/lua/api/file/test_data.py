"""aip.file JSON helpers (load_json, load_ndjson, append_json_line(s))."""

from __future__ import annotations

from pathlib import Path

from tests.support.lua_stages import run_data


def test_json_file_helpers(workspace: Path) -> None:
    (workspace / "conf.jsonc").write_text('{\n  // comment\n  "a": [1, 2,],\n}\n')
    code = """
    aip.file.append_json_line("log.ndjson", {x = 1})
    aip.file.append_json_lines("log.ndjson", {{x = 2}, {x = 3}})
    return {conf = aip.file.load_json("conf.jsonc"), log = aip.file.load_ndjson("log.ndjson")}
    """
    assert run_data(workspace, code) == {"conf": {"a": [1, 2]}, "log": [{"x": 1}, {"x": 2}, {"x": 3}]}
