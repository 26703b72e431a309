"""Flow sentinels in a stage's return value, read back as aip does (`AipackCustom::from_value`,
`A:src/script/aipack_custom.rs@952ad06e`), with aip's validation and error messages.

`aip.flow.*` (the Lua side, `api/flow.py`) builds `{_aipack_ = {kind = ..., data = ...}}`; the
stage runner and the sub-agent runner read the converted JSON value here. The devai era (0.5.x)
used `_devai_` with the same kinds; aip (0.6.0+) treats `_devai_` as plain data. aip's own
format, so hand-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FlowValue:
    """A stage return value that is a flow sentinel."""

    kind: str
    """`Skip`, `Redo`, `DataResponse` or `BeforeAllResponse`."""
    reason: str | None = None
    fields: dict[str, Any] | None = None
    """The validated `data` of a DataResponse/BeforeAllResponse (keys present in the table)."""


class FlowError(Exception):
    """A flow sentinel aip rejects (unknown kind, extra keys, wrong shape)."""


def sentinel_key(aip_version: tuple[int, int, int]) -> str:
    return "_devai_" if aip_version < (0, 6, 0) else "_aipack_"


def flow_kind(value: Any, aip_version: tuple[int, int, int] = (0, 8, 37)) -> str | None:
    """The sentinel kind of a stage value (`/_aipack_/kind` is a string), or None for plain data."""
    if not isinstance(value, dict):
        return None
    inner = value.get(sentinel_key(aip_version))
    if isinstance(inner, dict) and isinstance(inner.get("kind"), str):
        return inner["kind"]
    return None


def parse_flow(value: Any, aip_version: tuple[int, int, int] = (0, 8, 37)) -> FlowValue | None:
    """`AipackCustom::from_value`: None for plain data, a FlowValue, or FlowError."""
    kind = flow_kind(value, aip_version)
    if kind is None:
        return None
    key = sentinel_key(aip_version)
    inner = value[key]
    data = inner.get("data")
    if kind == "Skip":
        reason = data.get("reason") if isinstance(data, dict) else None
        return FlowValue("Skip", reason=reason if isinstance(reason, str) else None)
    if kind == "Redo":
        return FlowValue("Redo")
    if kind == "DataResponse":
        return FlowValue("DataResponse", fields=_data_response_fields(data))
    if kind == "BeforeAllResponse":
        return FlowValue("BeforeAllResponse", fields=_before_all_fields(data, aip_version))
    raise FlowError(f"{key} kind '{kind}' is not known.")


def _before_all_fields(data: Any, aip_version: tuple[int, int, int]) -> dict[str, Any]:
    if not isinstance(data, dict):
        return {}
    fields = dict(data)
    allowed = ("inputs", "before_all", "options") if aip_version >= (0, 6, 0) else ("inputs", "before_all")
    extracted = {name: fields.pop(name) for name in allowed if name in fields}
    inputs = extracted.get("inputs", None)
    if "inputs" in extracted:
        if isinstance(inputs, dict):
            # An empty Lua table serializes as {}: an empty list from 0.7.17, kept as nil in
            # 0.7.15 - 0.7.16 (`d732613f`), an error before (`A:src/script/aipack_custom.rs@de9b91c9`).
            if inputs:
                raise FlowError(
                    "Before All Lua block did not return a valid structure.\nCause: aip.flow.before_all_response(arg) - "
                    "'arg.inputs` must be an nil, array, or empty object. But was an object with name/value."
                )
            if aip_version >= (0, 7, 17):
                extracted["inputs"] = []
            elif aip_version >= (0, 7, 15):
                extracted["inputs"] = None
            else:
                raise FlowError(
                    "Before All Lua block did not return a valid structure.\nCause: aip.flow.before_all_response(arg) - "
                    "'arg.inputs` must be an nil or an array"
                )
        elif inputs is not None and not isinstance(inputs, list):
            raise FlowError(
                "Before All Lua block did not return a valid structure.\nCause: aip.flow.before_all_response(arg) - "
                "'arg.inputs` must be an nil or an array"
            )
    if fields:
        raise FlowError(
            "Before All Lua block did not return a valid structure.\nCause: aip.flow.before_all_response(arg) - "
            "'arg' can only have `.inputs`, `.options`, `.before_all`). But also contained: " + ", ".join(sorted(fields))
        )
    return extracted


def _data_response_fields(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        return {}
    fields = dict(data)
    extracted = {name: fields.pop(name) for name in ("input", "data", "attachments", "options") if name in fields}
    if fields:
        raise FlowError(
            "Data Lua block did not return a valid structure.\nCause: aip.flow.data_response(arg) argumen can can only "
            "have `.input`, `.options`). But also contained: " + ", ".join(sorted(fields))
        )
    return extracted
