"""aip.run / aip.task pins and labels (and print) recorded as events; task pins only in task stages."""

from __future__ import annotations

from pathlib import Path

import pytest

from aipack_compat.lua.stages import StageError
from tests.support.lua_stages import make_runner


def test_pins_labels_and_print_are_recorded(tmp_path: Path) -> None:
    code = 'aip.run.pin("status", 1, "working")\naip.task.pin("t", {label = "L", content = "C"})\naip.run.set_label("lbl")\nprint("a", 2)'
    runner = make_runner(tmp_path, {"data": (code, 1)})
    runner.data(None, None, 1)
    assert runner.events == [
        ("run_pin", {"iden": "status", "priority": 1, "content": "working"}),
        ("task_pin", {"iden": "t", "priority": None, "content": {"label": "L", "content": "C"}}),
        ("run_label", "lbl"),
        ("print", "a\n2"),
    ]


def test_task_pin_is_refused_outside_task_stages(tmp_path: Path) -> None:
    with pytest.raises(StageError, match="only be called in # Data or # Output"):
        make_runner(tmp_path, {"before_all": ('aip.task.pin("x", "y")', 1)}).before_all(None)
