"""Lua <-> JSON-like Python values, converted the way aip converts them between stages.

aip turns a stage's Lua return value into JSON with `serde_json::to_value(mlua::Value)`
(`A:src/run/proc_data.rs@952ad06e`): an empty table becomes an object `{}`, a table whose keys
are exactly 1..n becomes an array, any other table an object with stringified keys in Lua's
`pairs` order (aip's serde_json keeps insertion order: a `json.stringify` there follows `pairs`,
checked against aip 0.8.37), the `null` sentinel becomes JSON null, and a function cannot be
serialized. JSON goes back into Lua with `serde_value_to_lua_value`
(`A:src/script/lua_helpers/lua_json.rs@952ad06e`): a top-level null is `nil`, a nested null is the
`null` sentinel, and arrays carry mlua's array metatable so that `[]` stays an array.
"""

from __future__ import annotations

import math
from typing import Any


class JsonNull:
    """The `null` / `Null` / `NULL` sentinel (mlua's `Value::NULL`, a light userdata, 0.8.1+)."""

    _instance: "JsonNull | None" = None

    def __new__(cls) -> "JsonNull":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "null"

    def __str__(self) -> str:
        return "null"


JSON_NULL = JsonNull()


class ConversionError(Exception):
    """A Lua value that has no JSON form (function, coroutine, NaN, table key of a table type)."""


class LuaConverter:
    """Converts values for one Lua state (it needs that state's array metatable and type probe)."""

    def __init__(self, lua: Any) -> None:
        self._lua = lua
        self._table_from = lua.table_from
        self.array_metatable = lua.eval("setmetatable({}, {__name = 'array'})")
        self._mark_array = lua.eval("function(t, mt) return setmetatable(t, mt) end")
        self._is_marked_array = lua.eval("function(t, mt) return getmetatable(t) == mt end")
        from lupa.lua54 import lua_type

        self._lua_type = lua_type

    # -- Python -> Lua

    def to_lua(self, value: Any, top_level: bool = True) -> Any:
        """A JSON-like Python value as a Lua value (top-level None -> nil, nested None -> null)."""
        if value is None:
            return None if top_level else JSON_NULL
        if isinstance(value, JsonNull):
            return JSON_NULL
        if isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, dict):
            table = self._table_from({})
            for key, item in value.items():
                table[str(key)] = self.to_lua(item, top_level=False)
            return table
        if isinstance(value, (list, tuple)):
            table = self._table_from([self.to_lua(item, top_level=False) for item in value])
            return self._mark_array(table, self.array_metatable)
        if self._lua_type(value) is not None:
            return value
        raise ConversionError(f"cannot pass a Python {type(value).__name__} to Lua")

    # -- Lua -> Python

    def to_python(self, value: Any, depth: int = 0) -> Any:
        """A Lua value as plain JSON-like Python (object keys in Lua `pairs` order)."""
        if depth > 200:
            raise ConversionError("Lua value nests deeper than 200 levels (recursive table?)")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, JsonNull):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ConversionError("Cannot convert non-finite Lua number to JSON (NaN or Infinity)")
            return value
        if isinstance(value, bytes):
            return value.decode("utf-8", errors="replace")
        kind = self._lua_type(value)
        if kind == "table":
            return self._table_to_python(value, depth)
        if kind in ("function", "thread"):
            raise ConversionError(f"cannot serialize <{kind}> (a Lua {kind} has no JSON form)")
        raise ConversionError(f"cannot serialize a value of type {kind or type(value).__name__}")

    def _table_to_python(self, table: Any, depth: int) -> Any:
        items = list(table.items())
        is_marked_array = self._is_marked_array(table, self.array_metatable) if not items else False
        if not items:
            return [] if is_marked_array else {}
        keys = [key for key, _ in items]
        if all(isinstance(key, int) and not isinstance(key, bool) for key in keys):
            if sorted(keys) == list(range(1, len(keys) + 1)):
                by_index = dict(items)
                return [self.to_python(by_index[index], depth + 1) for index in range(1, len(keys) + 1)]
        result: dict[str, Any] = {}
        for key, item in items:
            result[self._key_text(key)] = self.to_python(item, depth + 1)
        return result

    def _key_text(self, key: Any) -> str:
        if isinstance(key, bool):
            return "true" if key else "false"
        if isinstance(key, (int, str)):
            return str(key)
        if isinstance(key, float):
            return repr(key)
        raise ConversionError(f"Unsupported Lua table key type '{self._lua_type(key)}' for JSON object")
