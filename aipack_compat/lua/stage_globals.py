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

from typing import TYPE_CHECKING, Any

from aipack_compat.lua.convert import JSON_NULL
from aipack_compat.model.versions import Version

if TYPE_CHECKING:
    from aipack_compat.lua.api.host import ApiHost
    from aipack_compat.lua.runtime import LuaSandbox

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


def install_globals(sandbox: LuaSandbox, host: ApiHost, aip: Any, version: Version) -> None:
    """Set `aip` (with its era's flow names), `utils`, `devai`/`aipack`, the null helpers and
    `print` on the fresh state's globals."""
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
