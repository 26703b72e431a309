"""aip.lua.* (`A:src/script/aip_modules/aip_lua.rs@952ad06e`): merge, merge_deep, dump.

All three are raw bindings: they work on the Lua tables themselves (merge mutates its target in
place and returns it, as aip does), so nothing is converted to Python on the way in.
"""

from __future__ import annotations

from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost
from aipack_compat.lua.convert import JsonNull


def _is_table(value: Any) -> bool:
    from lupa.lua54 import lua_type

    return lua_type(value) == "table"


def merge(host: ApiHost, target: Any, *objects: Any) -> Any:
    if not _is_table(target):
        raise ApiError("aip.lua.merge - target must be a table (cannot be nil/null)")
    for obj in objects:
        if _is_table(obj):
            for key, value in list(obj.items()):
                target[key] = value
    return target


def merge_deep(host: ApiHost, target: Any, *objects: Any) -> Any:
    if not _is_table(target):
        raise ApiError("aip.lua.merge_deep - target must be a table (cannot be nil/null)")
    for obj in objects:
        if _is_table(obj):
            _merge_deep_into(target, obj)
    return target


def _merge_deep_into(target: Any, source: Any) -> None:
    for key, value in list(source.items()):
        existing = target[key]
        if _is_table(value) and _is_table(existing):
            _merge_deep_into(existing, value)
        else:
            target[key] = value


def dump(host: ApiHost, value: Any) -> str:
    """`aip_lua::dump`: strings quoted, tables as `{\\n  key = value,\\n}` (pairs order)."""
    return _dump(value, 0)


def _dump(value: Any, indent: int) -> str:
    from lupa.lua54 import lua_type

    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, JsonNull):
        return "NULL"
    kind = lua_type(value)
    if kind == "table":
        entries = []
        for key, item in value.items():
            key_text = key if isinstance(key, str) else _dump(key, 0)
            entries.append(f"{'  ' * (indent + 1)}{key_text} = {_dump(item, indent + 1)}")
        if not entries:
            return "{}"
        return "{\n" + ",\n".join(entries) + "\n" + "  " * indent + "}"
    if kind == "function":
        return "<function <anonymous>>"
    if kind == "thread":
        return "<Thread>"
    return "<UserData>"


FUNCTIONS: dict[str, ApiFunction] = {
    "merge": ApiFunction(merge, raw=True),
    "merge_deep": ApiFunction(merge_deep, raw=True),
    "dump": ApiFunction(dump, raw=True),
}
