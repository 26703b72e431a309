"""aip.flow.* (`A:src/script/aip_modules/aip_flow.rs@952ad06e`).

The functions build `{_aipack_ = {kind = ..., data = ...}}` exactly as aip does (keeping the
caller's Lua table as `data`); `ports/flow_sentinels.py` reads a stage's value back.
"""

from __future__ import annotations

from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost


def _sentinel(host: ApiHost, kind: str, data: Any, with_data: bool = True) -> Any:
    assert host.sandbox is not None
    inner = host.sandbox.table()
    inner["kind"] = kind
    if with_data:
        inner["data"] = data
    outer = host.sandbox.table()
    outer["_aipack_"] = inner
    return outer


def before_all_response(host: ApiHost, data: Any = None) -> Any:
    return _sentinel(host, "BeforeAllResponse", data)


def data_response(host: ApiHost, data: Any = None) -> Any:
    return _sentinel(host, "DataResponse", data)


def skip(host: ApiHost, reason: Any = None) -> Any:
    if reason is not None and not isinstance(reason, str):
        raise ApiError("aip.flow.skip - reason must be a string or nil")
    assert host.sandbox is not None
    data = host.sandbox.table()
    if reason is not None:
        data["reason"] = reason
    return _sentinel(host, "Skip", data)


def redo_run(host: ApiHost, *_: Any) -> Any:
    return _sentinel(host, "Redo", None, with_data=False)


FUNCTIONS: dict[str, ApiFunction] = {
    "before_all_response": ApiFunction(before_all_response, raw=True),
    "data_response": ApiFunction(data_response, raw=True),
    "skip": ApiFunction(skip, raw=True),
    "redo_run": ApiFunction(redo_run, raw=True),
}
