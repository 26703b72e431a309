"""`lua_eval`: a Lua snippet run as the Data stage of a one-stage agent in a tmp workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from tests.support.lua_stages import make_runner


@pytest.fixture
def lua_eval(tmp_path: Path) -> Callable[..., Any]:
    """lua_eval(code, input=None, aip_version=...) -> the Data stage's value."""

    def run(code: str, input: Any = None, before_all: Any = None, aip_version: str = "0.8.37") -> Any:
        runner = make_runner(tmp_path, {"data": (code, 1)}, aip_version=aip_version)
        result = runner.data(input, before_all, 1)
        return result.data

    return run
