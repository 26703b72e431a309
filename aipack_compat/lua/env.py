"""The globals a stage sees, by aip era (`A:src/script/lua_engine.rs@952ad06e` and its history).

- `utils` is the API table in 0.5.x - 0.6.6; `aip` arrives in 0.6.7 and `utils` stays as the same
  table (CHANGELOG v0.6.7).
- `devai` (0.5.x) holds the flow helpers building `_devai_` sentinels (`utils_devai.rs@3bb0bef0`).
- `aipack` (0.6.0 - 0.8.0) holds the flow helpers; removed in 0.8.1 (`a563ef52`).
- `null`/`Null`/`NULL` and `is_null`, `nil_if_null`, `value_or`, `is_not_null`, `is_table`,
  `is_list`, `is_object` exist from 0.8.1.
- `aip.flow.redo_run` is named `redo` in 0.8.17 - 0.8.21 and absent before 0.8.17.
- `print` joins its arguments with a newline and goes to the run log, not stdout.
"""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING, Any

from aipack_compat.lua.convert import JSON_NULL
# `parse_version` stays importable from here: lua/stages.py and execute/subagent.py import it from this module.
from aipack_compat.model.versions import Version, parse_version as parse_version

if TYPE_CHECKING:
    from aipack_compat.lua.api import ApiHost
    from aipack_compat.lua.runtime import LuaSandbox
    from aipack_compat.lua.stages import StageContext

STAGE_LABELS = {"before_all": "BeforeAll", "data": "Data", "output": "Output", "after_all": "AfterAll"}

_NULL_HELPERS = r"""
local null = ...
local function isnull(v) return v == nil or v == null end
is_null = isnull
is_not_null = function(v) return not isnull(v) end
nil_if_null = function(v) if isnull(v) then return nil end return v end
value_or = function(...)
  local n = select("#", ...)
  for i = 1, n do
    local v = select(i, ...)
    if not isnull(v) then return v end
  end
  if n == 0 then return nil end
  return (select(n, ...))
end
is_table = function(v) return not isnull(v) and type(v) == "table" end
is_list = function(v) return is_table(v) and rawget(v, 1) ~= nil end
is_object = function(v) return is_table(v) and rawget(v, 1) == nil end
"""

_DEVAI_WRAPPERS = r"""
local flow = ...
local function rekey(sentinel) return { _devai_ = sentinel._aipack_ } end
return {
  skip = function(reason) return rekey(flow.skip(reason)) end,
  before_all_response = function(data) return rekey(flow.before_all_response(data)) end,
}
"""

_PRINT = r"""
local sink, dump = ...
return function(...)
  local parts = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    local t = type(v)
    if t == "string" or t == "number" or t == "boolean" then parts[#parts + 1] = tostring(v)
    else parts[#parts + 1] = dump(v) end
  end
  sink(table.concat(parts, "\n"))
end
"""


def install_globals(sandbox: "LuaSandbox", host: "ApiHost", aip: Any, version: Version) -> None:
    lua_globals = sandbox.globals
    flow = aip.flow
    if version < (0, 8, 22):
        redo = flow.redo_run
        flow.redo_run = None
        if version >= (0, 8, 17):
            flow.redo = redo
    if version < (0, 6, 14):
        flow.data_response = None
    if version >= (0, 6, 7):
        lua_globals.aip = aip
    lua_globals.utils = aip
    if version < (0, 6, 0):
        lua_globals.devai = sandbox.lua.execute(_DEVAI_WRAPPERS, flow)
    elif version < (0, 8, 1):
        lua_globals.aipack = flow
    if version >= (0, 8, 1):
        for name in ("null", "Null", "NULL"):
            lua_globals[name] = JSON_NULL
        sandbox.lua.execute(_NULL_HELPERS, JSON_NULL)
    lua_globals.print = sandbox.lua.execute(_PRINT, lambda text: host.emit("print", text), aip.lua.dump)


def build_ctx(context: "StageContext", stage: str, task_num: int | None, version: Version) -> dict[str, Any]:
    """CTX (`A:src/run/literals.rs@952ad06e` plus the per-run/task values of `lua_engine.rs`)."""
    workspace = os.path.abspath(context.workspace_dir)
    agent_path = os.path.abspath(context.agent_file_path)
    agent_name_file = os.path.basename(agent_path)
    ctx: dict[str, Any] = {
        "PWD": os.path.abspath(context.pwd or workspace),
        "AIPACK_VERSION": context.aip_version,
        "WORKSPACE_DIR": workspace,
        "WORKSPACE_AIPACK_DIR": os.path.join(workspace, ".aipack"),
        "BASE_AIPACK_DIR": context.base_dir(),
        "AGENT_NAME": context.agent_name or os.path.splitext(os.path.relpath(agent_path, workspace))[0],
        "AGENT_FILE_NAME": agent_name_file,
        "AGENT_FILE_PATH": agent_path,
        "AGENT_FILE_DIR": os.path.dirname(agent_path),
        "AGENT_FILE_STEM": os.path.splitext(agent_name_file)[0],
        "RUN_UID": context.run_uid,
        "RUN_NUM": context.run_num,
        "STAGE": STAGE_LABELS[stage],
    }
    session_key = "SESSION" if (0, 7, 7) <= version < (0, 7, 17) else "SESSION_UID"
    ctx[session_key] = context.session_uid
    ctx["TMP_DIR"] = os.path.join(workspace, ".aipack", ".session", context.session_uid, "tmp")
    if context.parent_run_uid:
        ctx["PARENT_RUN_UID"] = context.parent_run_uid
    if context.redo_count is not None:
        ctx["RUN_FLOW_REDO_COUNT"] = context.redo_count
    if task_num is not None:
        ctx["TASK_UID"] = context.task_uid(task_num)
        ctx["TASK_NUM"] = task_num
    pack = context.pack or {}
    for key, ctx_key in (
        ("namespace", "PACK_NAMESPACE"),
        ("name", "PACK_NAME"),
        ("sub_path", "PACK_SUB_PATH"),
        ("ref", "PACK_REF"),
        ("identity", "PACK_IDENTITY"),
        ("dir", "PACK_DIR"),
        ("workspace_support_dir", "PACK_WORKSPACE_SUPPORT_DIR"),
        ("base_support_dir", "PACK_BASE_SUPPORT_DIR"),
    ):
        if pack.get(key) is not None:
            ctx[ctx_key] = pack[key]
    if pack.get("namespace") and pack.get("name") and "PACK_IDENTITY" not in ctx:
        ctx["PACK_IDENTITY"] = f"{pack['namespace']}@{pack['name']}"
    return ctx


def new_uid() -> str:
    """A time-ordered UUID (aip uses v7 for session/run/task uids)."""
    if hasattr(uuid, "uuid7"):
        return str(uuid.uuid7())
    import time

    millis = int(time.time() * 1000)
    random_bits = uuid.uuid4().int & ((1 << 80) - 1)
    value = (millis << 80) | random_bits
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return str(uuid.UUID(int=value))
