"""The sandboxed Lua 5.4 state each stage runs in.

aip creates a fresh mlua `Lua::new()` per stage (`A:src/script/lua_engine.rs@952ad06e`). We do the
same with lupa's Lua 5.4 module, then take away what an agent must not reach from a migration
tool: process spawning (`os.execute`, `io.popen`, the whole `io` library), the `python` bridge,
`load` of bytecode, `dofile`/`loadfile`, `debug`, and `require` outside the agent's `lua/` dirs
(aip's package path is `<dir>/lua/?.lua;<dir>/lua/?/init.lua` for the agent and pack dirs,
`A:src/script/lua_engine.rs@952ad06e`, `upgrade_scope`). A memory cap and an instruction budget
stop runaway agents; errors carry the agent file's line numbers because the code is loaded with
its leading lines padded and the agent path as chunk name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable

DEFAULT_MAX_MEMORY_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_INSTRUCTIONS = 500_000_000

# Runs inside the fresh state before the dangerous globals are removed: it keeps private
# references to `load` and `debug.sethook` and returns the helpers the host needs.
_BOOTSTRAP = r"""
local load, sethook = load, debug.sethook
local coroutine_create, coroutine_wrap = coroutine.create, coroutine.wrap
local error, select, type, tostring = error, select, type, tostring
local table_pack, table_unpack = table.pack, table.unpack
local max_instructions = ...

local function budget_hook()
  error("Lua instruction limit exceeded (" .. tostring(max_instructions) .. " instructions): the stage was stopped", 2)
end

local function arm()
  sethook(budget_hook, "", max_instructions)
end

-- Coroutines have their own hook; arm each new one so a loop inside a coroutine is stopped too.
coroutine.create = function(fn)
  return coroutine_create(function(...) arm() return fn(...) end)
end
coroutine.wrap = function(fn)
  return coroutine_wrap(function(...) arm() return fn(...) end)
end

local function compile(code, chunk_name, env)
  -- mode "t": text only, so precompiled bytecode is refused.
  return load(code, chunk_name, "t", env)
end

-- Python API functions return (true, ...) or (false, message); raise the message as a Lua
-- error attributed to the calling agent line, as an mlua callback error would be.
local function wrap(fn)
  return function(...)
    local result = table_pack(fn(...))
    if result[1] then
      return table_unpack(result, 2, result.n)
    end
    error(result[2], 2)
  end
end

local function run(fn)
  arm()
  local result = table_pack(pcall(fn))
  sethook()
  return table_unpack(result, 1, result.n)
end

return compile, wrap, run
"""

_REMOVED_GLOBALS = ("io", "dofile", "loadfile", "load", "require", "package", "debug", "collectgarbage", "python")
_SAFE_OS_FUNCTIONS = ("clock", "date", "difftime", "time", "getenv")


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    max_memory_bytes: int = DEFAULT_MAX_MEMORY_BYTES
    max_instructions: int = DEFAULT_MAX_INSTRUCTIONS


class LuaSandbox:
    """One Lua 5.4 state with the sandbox applied. Not thread-safe; create one per stage run."""

    def __init__(self, limits: SandboxLimits | None = None, lua_dirs: list[str] | None = None) -> None:
        from lupa.lua54 import LuaRuntime

        self.limits = limits or SandboxLimits()
        self.lua = LuaRuntime(
            register_eval=False,
            register_builtins=False,
            unpack_returned_tuples=True,
            attribute_filter=_deny_attribute_access,
            max_memory=self.limits.max_memory_bytes,
        )
        bootstrap = as_tuple(self.lua.execute(_BOOTSTRAP, self.limits.max_instructions))
        self._compile, self._wrap, self._run = bootstrap
        self.lua_dirs = [os.path.realpath(d) for d in (lua_dirs or [])]
        self._strip_globals()
        self._install_require()

    @property
    def globals(self) -> Any:
        return self.lua.globals()

    def table(self, *args: Any, **kwargs: Any) -> Any:
        return self.lua.table(*args, **kwargs)

    def wrap(self, fn: Callable[..., tuple[Any, ...]]) -> Any:
        """A Lua function calling `fn`; `fn` returns (True, *values) or (False, message)."""
        return self._wrap(fn)

    def execute(self, code: str, chunk_name: str, env: Any, first_line: int = 1) -> tuple[bool, Any]:
        """Run agent code with `env` as its environment, under the instruction budget.

        Returns (True, value) or (False, message). Padding with newlines makes Lua report the
        agent file's own line numbers (`first_line` is where the code starts in that file).
        """
        from lupa.lua54 import LuaError, LuaMemoryError

        padded = "\n" * max(first_line - 1, 0) + code
        try:
            compiled = as_tuple(self._compile(padded, chunk_name, env))
            if compiled[0] is None:
                return False, str(compiled[1] if len(compiled) > 1 else "cannot load Lua code")
            outcome = as_tuple(self._run(compiled[0]))
            ok, value = outcome[0], (outcome[1] if len(outcome) > 1 else None)
        except LuaMemoryError:
            return False, f"Lua memory limit exceeded ({self.limits.max_memory_bytes} bytes)"
        except LuaError as exc:
            return False, str(exc)
        if not ok:
            text = _error_text(value)
            if text == "not enough memory":
                text = f"Lua memory limit exceeded ({self.limits.max_memory_bytes} bytes): not enough memory"
            return False, text
        return True, value

    def _strip_globals(self) -> None:
        lua_globals = self.lua.globals()
        safe_os = self.lua.table()
        original_os = lua_globals.os
        for name in _SAFE_OS_FUNCTIONS:
            safe_os[name] = original_os[name]
        lua_globals.os = safe_os
        lua_globals.string.dump = None
        for name in _REMOVED_GLOBALS:
            lua_globals[name] = None

    def _install_require(self) -> None:
        """`require` limited to `<dir>/lua/?.lua` and `<dir>/lua/?/init.lua` of the agent/pack dirs."""
        loaded = self.lua.table()
        for name in ("string", "table", "math", "utf8", "coroutine", "os"):
            loaded[name] = self.lua.globals()[name]
        self._loaded = loaded
        require = self.lua.eval(
            """
            function(loaded, find, compile, globals)
              return function(name)
                if type(name) ~= "string" then error("bad argument #1 to 'require' (string expected)", 2) end
                local cached = loaded[name]
                if cached ~= nil then return cached end
                local path, source = find(name)
                if path == nil then error(source, 2) end
                local chunk, load_error = compile(source, "@" .. path, globals)
                if chunk == nil then error(load_error, 2) end
                local result = chunk(name, path)
                if result == nil then result = true end
                loaded[name] = result
                return result
              end
            end
            """
        )
        self.lua.globals().require = require(loaded, self._find_module, self._compile, self.lua.globals())

    def _find_module(self, name: str) -> tuple[str | None, str]:
        relative = name.replace(".", "/")
        tried: list[str] = []
        for base in self.lua_dirs:
            for pattern in ("lua/{}.lua", "lua/{}/init.lua"):
                candidate = os.path.realpath(os.path.join(base, pattern.format(relative)))
                tried.append(candidate)
                if not candidate.startswith(os.path.join(base, "lua") + os.sep):
                    continue
                if os.path.isfile(candidate):
                    try:
                        with open(candidate, encoding="utf-8") as handle:
                            return candidate, handle.read()
                    except (OSError, UnicodeDecodeError) as exc:
                        return None, f"cannot read module '{name}' at {candidate}: {exc}"
        listing = "".join(f"\n\tno file '{path}'" for path in tried) or "\n\t(no agent lua/ directory)"
        return None, f"module '{name}' not found (require is limited to the agent's lua/ dirs):{listing}"


def as_tuple(result: Any) -> tuple[Any, ...]:
    """lupa returns one Lua value as itself and several as a tuple; always get a tuple."""
    return result if isinstance(result, tuple) else (result,)


def _deny_attribute_access(obj: Any, name: Any, is_setting: bool) -> Any:
    raise AttributeError("access to Python attributes is not allowed from agent Lua code")


def _error_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"
    return f"(error object is a {type(value).__name__} value)" if value is not None else "nil"
