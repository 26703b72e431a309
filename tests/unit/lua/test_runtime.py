"""The sandbox: escapes blocked, limits enforced, errors located in the agent file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from aipack_compat.lua.runtime import LuaSandbox, SandboxLimits
from aipack_compat.lua.stages import StageError

from tests.support.lua_stages import make_runner


@pytest.mark.parametrize(
    "code, fragment",
    [
        ('return os.execute("echo pwned")', "attempt to call a nil value (field 'execute')"),
        ('return io.popen("id")', "attempt to index a nil value (global 'io')"),
        ('return io.open("/etc/passwd")', "attempt to index a nil value (global 'io')"),
        ("return python.eval('1')", "attempt to index a nil value (global 'python')"),
        ('return load("return 1")', "attempt to call a nil value (global 'load')"),
        ('return loadfile("/etc/passwd")', "attempt to call a nil value (global 'loadfile')"),
        ('return dofile("/etc/passwd")', "attempt to call a nil value (global 'dofile')"),
        ("return debug.getinfo(1)", "attempt to index a nil value (global 'debug')"),
        ("return string.dump(function() end)", "attempt to call a nil value (field 'dump')"),
        ('return os.remove("x")', "attempt to call a nil value (field 'remove')"),
        ('return require("os").exit()', "attempt to call a nil value (field 'exit')"),
    ],
)
def test_escape_is_blocked(tmp_path: Path, code: str, fragment: str) -> None:
    runner = make_runner(tmp_path, {"data": (code, 4)})
    with pytest.raises(StageError) as caught:
        runner.data(None, None, 1)
    assert fragment in caught.value.message
    assert caught.value.line == 4


def test_null_sentinel_attributes_are_not_reachable(tmp_path: Path) -> None:
    runner = make_runner(tmp_path, {"data": ("return null.__class__", 1)})
    with pytest.raises(StageError, match="not allowed"):
        runner.data(None, None, 1)


def test_bytecode_is_refused_even_through_require(tmp_path: Path) -> None:
    (tmp_path / "lua").mkdir()
    (tmp_path / "lua" / "evil.lua").write_bytes(b"\x1bLua\x54\x00")
    runner = make_runner(tmp_path, {"data": ('return require("evil")', 1)})
    with pytest.raises(StageError, match="attempt to load a binary chunk"):
        runner.data(None, None, 1)


def test_require_finds_agent_lua_dir_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "lua" / "pkg").mkdir(parents=True)
    (tmp_path / "lua" / "helper.lua").write_text("return { twice = function(x) return aip.text.trim(x) .. x end }")
    (tmp_path / "lua" / "pkg" / "init.lua").write_text("return { name = 'pkg' }")
    code = 'local h = require("helper"); local p = require("pkg"); return h.twice(" a") .. p.name'
    assert make_runner(tmp_path, {"data": (code, 1)}).data(None, None, 1).data == "a apkg"
    for escape in ('require("../../etc/passwd")', 'require("socket")'):
        with pytest.raises(StageError, match="not found"):
            make_runner(tmp_path, {"data": (f"return {escape}", 1)}).data(None, None, 1)


def test_memory_cap_stops_a_runaway_allocation(tmp_path: Path) -> None:
    limits = SandboxLimits(max_memory_bytes=8 * 1024 * 1024)
    code = 'local t = {} for i = 1, 1e8 do t[i] = string.rep("x", 1024) .. i end return #t'
    with pytest.raises(StageError, match="memory limit exceeded"):
        make_runner(tmp_path, {"data": (code, 1)}, limits=limits).data(None, None, 1)


def test_instruction_budget_stops_an_infinite_loop(tmp_path: Path) -> None:
    limits = SandboxLimits(max_instructions=2_000_000)
    started = time.monotonic()
    with pytest.raises(StageError, match="instruction limit exceeded") as caught:
        make_runner(tmp_path, {"data": ("local n = 0\nwhile true do n = n + 1 end", 20)}, limits=limits).data(None, None, 1)
    assert caught.value.line == 21
    assert time.monotonic() - started < 2


def test_instruction_budget_also_covers_coroutines(tmp_path: Path) -> None:
    limits = SandboxLimits(max_instructions=2_000_000)
    code = "local co = coroutine.wrap(function() while true do end end)\nco()"
    with pytest.raises(StageError, match="instruction limit exceeded"):
        make_runner(tmp_path, {"data": (code, 1)}, limits=limits).data(None, None, 1)


def test_error_lines_are_agent_file_lines(tmp_path: Path) -> None:
    code = "local a = 1\nlocal b = nil\nreturn b.field"
    with pytest.raises(StageError) as caught:
        make_runner(tmp_path, {"output": (code, 42)}).output(None, None, None, None, 1)
    error = caught.value
    assert (error.line, error.stage) == (44, "output")
    assert str(error).startswith(f"{tmp_path / 'agent.aip'}:44: [Output] attempt to index a nil value (local 'b')")


def test_syntax_error_line_is_mapped(tmp_path: Path) -> None:
    with pytest.raises(StageError) as caught:
        make_runner(tmp_path, {"before_all": ("local x = \nif then", 7)}).before_all(None)
    assert caught.value.line == 8


def test_api_errors_point_at_the_calling_line(tmp_path: Path) -> None:
    code = "local ok = true\nlocal file = aip.file.load('missing.txt')\nreturn file"
    with pytest.raises(StageError) as caught:
        make_runner(tmp_path, {"data": (code, 10)}).data(None, None, 1)
    assert caught.value.line == 11
    assert "Fail to read" in caught.value.message
    # In a tail call the calling frame is gone; the stage's first line is the best location left.
    with pytest.raises(StageError) as caught:
        make_runner(tmp_path, {"data": ("\nreturn aip.file.load('missing.txt')", 10)}).data(None, None, 1)
    assert caught.value.line == 10


def test_api_errors_are_catchable_with_pcall(lua_eval) -> None:  # type: ignore[no-untyped-def]
    ok, message = lua_eval("local ok, err = pcall(aip.file.load, 'nope.txt')\nreturn {ok, err}")
    assert ok is False and "Fail to read" in message


def test_sandbox_states_are_independent() -> None:
    first, second = LuaSandbox(), LuaSandbox()
    first.globals.shared = 1
    assert second.globals.shared is None
