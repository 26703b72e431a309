"""aip.task.* (`A:src/script/aip_modules/aip_task.rs@952ad06e`): pins (Data and Output stages
only) and the task label, recorded as host events like aip.run's."""

from __future__ import annotations

from typing import Any

from aipack_compat.lua.api.host import ApiFunction, ApiHost, expect_string
from aipack_compat.lua.api.run import record_pin


def pin(host: ApiHost, iden: Any, *rest: Any) -> None:
    record_pin(host, "task", iden, *rest)


def set_label(host: ApiHost, label: Any) -> None:
    host.emit("task_label", expect_string(label, "aip.task.set_label", "label"))


FUNCTIONS: dict[str, ApiFunction] = {"pin": ApiFunction(pin), "set_label": ApiFunction(set_label)}
