"""aip.cmd.exec: no shell, the run switch."""

from __future__ import annotations

from pathlib import Path

import pytest

from aipack_compat.lua.stages import StageError
from tests.support.lua_stages import make_runner


def test_cmd_exec_runs_without_a_shell(tmp_path: Path) -> None:
    code = 'return aip.cmd.exec("echo", {"a", "$HOME;", "b"})'
    assert make_runner(tmp_path, {"data": (code, 1)}).data(None, None, 1).data == {"stdout": "a $HOME; b\n", "stderr": "", "exit": 0}
    with pytest.raises(StageError, match="disabled"):
        make_runner(tmp_path, {"data": (code, 1)}, allow_commands=False).data(None, None, 1)
