"""Lua stage checks that never run the script: compile with Lua 5.4 `load`, and scan for legacy globals.

aip runs stages in mlua with Lua 5.4 (`A:src/script/lua_engine.rs@952ad06e`), so lupa's `lua54`
runtime gives the same parser. `load(code, "=name", "t")` only compiles: the returned function
is dropped, never called. lupa is imported on first use to keep `validate` start-up fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aipack_compat.model.agent import parse_aip_version
from aipack_compat.model.eras import AIP_RENAME

_LOAD: Any = None
_LUA_ERROR = re.compile(r"^[^:\n]*:(\d+): (.*)$", re.DOTALL)
_LONG_BRACKET = re.compile(r"\[(=*)\[")
_SPECIAL = re.compile(r"[-\[\"']")
_GLOBAL_USE = re.compile(r"(?<![\w.:])(aipack|devai)\s*(?=[.:\[])")


@dataclass(frozen=True, slots=True)
class LuaSyntaxError:
    line: int  # 1-based line within the chunk
    message: str


@dataclass(frozen=True, slots=True)
class LegacyGlobalUse:
    name: str  # "aipack" | "devai"
    line: int  # 1-based line within the chunk
    column: int
    fails: bool  # True when the selected version has no such global (nil index at run time)
    why: str


def _lua_load() -> Any:
    global _LOAD
    if _LOAD is None:
        from lupa.lua54 import LuaRuntime

        runtime = LuaRuntime(register_eval=False, unpack_returned_tuples=True)
        _LOAD = runtime.eval("load")
    return _LOAD


def compile_lua(code: str, chunk_name: str) -> LuaSyntaxError | None:
    """Compile (never run) a Lua chunk. None when it compiles or when lupa is unavailable."""
    try:
        load = _lua_load()
    except ImportError:
        return None
    result = load(code, "=" + chunk_name, "t")
    if isinstance(result, tuple):
        function, error = (result + (None, None))[:2]
    else:
        function, error = result, None
    if function is not None:
        return None
    text = str(error or "syntax error")
    match = _LUA_ERROR.match(text)
    if match is None:
        return LuaSyntaxError(0, text)
    return LuaSyntaxError(int(match.group(1)), match.group(2).strip())


def blank_comments_and_strings(code: str) -> str:
    """Replace Lua comments and string literals with spaces, keeping newlines (so positions stay)."""
    out: list[str] = []
    index = 0
    length = len(code)
    while index < length:
        special = _SPECIAL.search(code, index)
        if special is None:
            out.append(code[index:])
            break
        start = special.start()
        out.append(code[index:start])
        end = _literal_end(code, start)
        if end == start:
            out.append(code[start])
            index = start + 1
        else:
            out.append(_blank(code[start:end]))
            index = end
    return "".join(out)


def _literal_end(code: str, start: int) -> int:
    """End of the comment or string starting at `start` (== start when nothing starts there)."""
    length = len(code)
    char = code[start]
    if char == "-":
        if not code.startswith("--", start):
            return start
        long = _LONG_BRACKET.match(code, start + 2)
        if long:
            end = code.find("]" + long.group(1) + "]", long.end())
            return length if end == -1 else end + len(long.group(1)) + 2
        end = code.find("\n", start)
        return length if end == -1 else end
    if char == "[":
        long = _LONG_BRACKET.match(code, start)
        if not long:
            return start
        end = code.find("]" + long.group(1) + "]", long.end())
        return length if end == -1 else end + len(long.group(1)) + 2
    end = start + 1
    while end < length and code[end] != char and code[end] != "\n":
        end += 2 if code[end] == "\\" else 1
    return min(end + 1, length)


def _blank(text: str) -> str:
    return "".join("\n" if c == "\n" else " " for c in text)


def legacy_globals(code: str, aip_version: str) -> list[LegacyGlobalUse]:
    """`devai.*` and `aipack.*` uses, judged for the selected version (spec §3.6, §6 case 54)."""
    if "devai" not in code and "aipack" not in code:
        return []
    version = parse_aip_version(aip_version)
    scrubbed = blank_comments_and_strings(code)
    found: list[LegacyGlobalUse] = []
    for match in _GLOBAL_USE.finditer(scrubbed):
        name = match.group(1)
        line = scrubbed.count("\n", 0, match.start()) + 1
        column = match.start() - (scrubbed.rfind("\n", 0, match.start()) + 1) + 1
        if name == "devai":
            if version < AIP_RENAME:
                continue  # devai 0.5.x: `devai.skip`, `devai.before_all_response` exist
            found.append(LegacyGlobalUse(name, line, column, True, "`devai` exists only in devai 0.5.x, never in aip; use `aip.flow.*`"))
        elif version < AIP_RENAME:
            found.append(LegacyGlobalUse(name, line, column, True, "`aipack` appeared in aip 0.6.0; devai 0.5 has `devai.*`"))
        elif version >= (0, 8, 1):
            found.append(LegacyGlobalUse(name, line, column, True, "`aipack` was removed in aip 0.8.1 (a563ef52); use `aip.flow.*`"))
        else:
            found.append(LegacyGlobalUse(name, line, column, False, "`aipack` is deprecated (alias of `aip.flow` since 0.6.9) and removed in 0.8.1"))
    return found
