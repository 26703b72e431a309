"""What every aip.* binding shares: the host of one stage run, the function record, the error,
multiple return values, and the argument checks aip applies (`A:src/script/support/common.rs@952ad06e`).

A binding is `impl(host, *args)`; its arguments arrive converted to plain Python (tables ->
dict/list, `null` -> None) unless the `ApiFunction` is declared `raw` (it then gets the Lua
objects, e.g. `aip.lua.merge`, which mutates its target in place as aip does).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from aipack_compat.lua.convert import LuaConverter
    from aipack_compat.lua.runtime import LuaSandbox

SubAgentRunner = Callable[[str, dict[str, Any]], dict[str, Any]]
"""`run_agent(agent_path, request) -> {outputs, after_all, redo_requested}`, for `aip.agent.run`.

`request` has `agent_name` (as written in Lua), `agent_path` (the resolved `.aip` file),
`inputs` (list or None), `options` (agent option overlay or None) and `parent_run_uid`. It runs
the sub-agent to completion (all its stages and model calls) and returns its outputs; raising
any exception fails the calling stage with "Failed to run agent '<name>': <error>".
"""


class ApiError(Exception):
    """An aip.* call failed; the message becomes the Lua error (catchable with pcall)."""


@dataclass(frozen=True, slots=True)
class Multi:
    """Several Lua return values (`split_first` returns `(before, after)`)."""

    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class ApiFunction:
    impl: Callable[..., Any]
    raw: bool = False
    """Receives Lua values unconverted (and the host first)."""


@dataclass
class ApiHost:
    """What the API functions need to know about the run; one per stage execution."""

    workspace_dir: str
    base_aipack_dir: str
    agent_dir: str
    stage: str
    pack_dirs: dict[str, str] = field(default_factory=dict)
    """`ns@name` -> directory, for pack references in paths."""
    allow_commands: bool = True
    allow_network: bool = True
    """`aip.web.get`/`post` make real requests as aip does; False refuses them (tests, `replay --offline`)."""
    aip_version: tuple[int, int, int] = (99, 0, 0)
    """The aip version the stage runs as; `build_aip_table` sets it (era-dependent return shapes)."""
    events: list[tuple[str, Any]] = field(default_factory=list)
    """UI side effects aip would show (pins, labels, prints), in call order."""
    sandbox: "LuaSandbox | None" = None
    converter: "LuaConverter | None" = None
    run_agent: SubAgentRunner | None = None
    """Runs a sub-agent for `aip.agent.run`; None makes that call a clear error."""
    run_uid: str = ""

    # -- paths

    def home(self) -> str:
        return os.path.expanduser("~")

    def resolve(self, path: str, base_dir: str | None = None) -> str:
        """aip's `resolve_path(..., PathResolver::WksDir)`: `~`, `ns@pack/`, relative to workspace."""
        if path.startswith("~"):
            return os.path.normpath(self.home() + path[1:])
        pack_path = self._resolve_pack_ref(path)
        if pack_path is not None:
            return pack_path
        if os.path.isabs(path):
            return os.path.normpath(path)
        base = base_dir if base_dir is not None else self.workspace_dir
        if base_dir is not None and not os.path.isabs(base_dir):
            base = os.path.join(self.workspace_dir, base_dir)
        return os.path.normpath(os.path.join(base, path))

    def _resolve_pack_ref(self, path: str) -> str | None:
        head, _, rest = path.partition("/")
        if "@" not in head or head.startswith("@"):
            return None
        namespace, _, name = head.partition("@")
        key = f"{namespace}@{name}"
        directory = self.pack_dirs.get(key)
        if directory is None:
            for root in (
                os.path.join(self.workspace_dir, ".aipack", "pack", "custom"),
                os.path.join(self.base_aipack_dir, "pack", "custom"),
                os.path.join(self.base_aipack_dir, "pack", "installed"),
            ):
                candidate = os.path.join(root, namespace, name)
                if os.path.isdir(candidate):
                    directory = candidate
                    break
        if directory is None:
            raise ApiError(f"Pack reference '{key}' cannot be resolved (no such pack installed)")
        return os.path.normpath(os.path.join(directory, rest))

    def allowed_read_roots(self) -> list[str]:
        roots = [self.workspace_dir, self.base_aipack_dir, self.agent_dir, *self.pack_dirs.values()]
        return [os.path.realpath(root) for root in roots if root]

    def check_read(self, full_path: str) -> None:
        """Reads are confined to the workspace, ~/.aipack-base, the agent's and the pack's dirs."""
        real = os.path.realpath(full_path)
        if not any(_is_within(real, root) for root in self.allowed_read_roots()):
            raise ApiError(
                f"File access protection - The path `{full_path}` is outside the workspace and aip's allowed dirs"
            )

    def check_write(self, full_path: str) -> None:
        """aip's `check_access_write` (`A:src/script/aip_modules/support/common.rs@952ad06e`)."""
        real = os.path.realpath(full_path)
        workspace = os.path.realpath(self.workspace_dir)
        if _is_within(real, workspace) or _is_within(real, os.path.realpath(self.base_aipack_dir)):
            return
        rel_path = os.path.relpath(real, workspace)
        raise ApiError(
            f"Save file protection - The path `{rel_path}` does not belong to the workspace dir `{workspace}` "
            "or to the .aipack-base.\nCannot save file out of workspace or aipack base at this point"
        )

    def display_path(self, full_path: str) -> str:
        """aip's `maybe_home_path_into_tilde`."""
        home = self.home()
        if full_path == home or full_path.startswith(home + os.sep):
            return "~" + full_path[len(home) :]
        return full_path

    def emit(self, kind: str, payload: Any) -> None:
        self.events.append((kind, payload))


def _is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def expect_string(value: Any, qualified: str, label: str = "argument") -> str:
    if not isinstance(value, str):
        kind = "nil" if value is None else type(value).__name__
        raise ApiError(f"{qualified} - {label} must be a string, but was {kind}")
    return value


def option_string(value: Any, qualified: str) -> str | None:
    """aip's `into_option_string`: nil passes through, anything but a string is an error."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    raise ApiError(f"{qualified} - accepted argument types are String or Nil, but was {_lua_type_name(value)}")


def strings_of(value: Any, qualified: str) -> list[str]:
    """aip's `into_vec_of_strings`: a string or a list of strings."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    if isinstance(value, dict) and not value:
        return []
    if isinstance(value, list):
        raise ApiError(f"{qualified} - Table contains non-string values")
    raise ApiError(f"{qualified} - Expected a string or a list of strings")


def options_table(value: Any, qualified: str) -> dict[str, Any]:
    """An options argument: nil or an empty table is no options, anything but a table is an error."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and not value:
        return {}
    raise ApiError(f"{qualified} - options must be a table")


def _lua_type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (dict, list)):
        return "table"
    return type(value).__name__
