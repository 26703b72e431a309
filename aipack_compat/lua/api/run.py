"""aip.run.* (`A:src/script/aip_modules/aip_run.rs@952ad06e`): pins and the run label.

TUI-only in aip; we record them as host events so a run summary can show them. `record_pin` is
shared with aip.task, whose pins take the same arguments.
"""

from __future__ import annotations

from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, expect_string


def record_pin(host: ApiHost, scope: str, iden: Any, *rest: Any) -> None:
    """`pin(iden, [priority,] content)` for `aip.{scope}.pin`."""
    iden = expect_string(iden, f"aip.{scope}.pin", "iden")
    priority: float | None = None
    if len(rest) >= 2 and isinstance(rest[0], (int, float)) and not isinstance(rest[0], bool):
        priority, content = rest[0], rest[1]
    elif rest:
        content = rest[0]
    else:
        raise ApiError(f"aip.{scope}.pin - content is required: pin(iden, [priority,] content)")
    if not isinstance(content, (str, dict, int, float)):
        raise ApiError(f"aip.{scope}.pin - content must be a string or {{label?, content}}")
    if scope == "task" and host.stage not in ("data", "output"):
        raise ApiError("aip.task.pin can only be called in # Data or # Output stages")
    host.emit(f"{scope}_pin", {"iden": iden, "priority": priority, "content": content})


def pin(host: ApiHost, iden: Any, *rest: Any) -> None:
    record_pin(host, "run", iden, *rest)


def set_label(host: ApiHost, label: Any) -> None:
    host.emit("run_label", expect_string(label, "aip.run.set_label", "label"))


FUNCTIONS: dict[str, ApiFunction] = {"pin": ApiFunction(pin), "set_label": ApiFunction(set_label)}
