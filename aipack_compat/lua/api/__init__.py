"""The aip.* API, backed by Python, one module per aip module (`A:src/script/aip_modules/*.rs`).

Each module file exposes `FUNCTIONS: dict[str, ApiFunction]`. `build_aip_table` turns them into
the `aip` Lua table; arguments arrive converted to plain Python (tables -> dict/list, `null` ->
None) unless the function is declared `raw` (it then gets the Lua objects, e.g. `aip.lua.merge`,
which mutates its target in place as aip does).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from aipack_compat.lua.api.agent import SubAgentRunner
    from aipack_compat.lua.convert import LuaConverter
    from aipack_compat.lua.runtime import LuaSandbox


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
    run_agent: "SubAgentRunner | None" = None
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


def all_modules() -> dict[str, dict[str, ApiFunction]]:
    from aipack_compat.lua.api import (
        agent, data_formats, file, flow, hash, html, json, md, misc, path, text, time, udiffx, uuid, web,
    )

    modules: dict[str, dict[str, ApiFunction]] = {
        "file": {**file.FUNCTIONS, **hash.FILE_FUNCTIONS, **data_formats.FILE_FUNCTIONS},
        "path": path.FUNCTIONS,
        "text": text.FUNCTIONS,
        "json": json.FUNCTIONS,
        "md": md.FUNCTIONS,
        "flow": flow.FUNCTIONS,
        "web": web.FUNCTIONS,
        "html": html.FUNCTIONS,
        "agent": agent.FUNCTIONS,
        "hash": hash.FUNCTIONS,
        "time": time.FUNCTIONS,
        "uuid": uuid.FUNCTIONS,
        "udiffx": udiffx.FUNCTIONS,
        **data_formats.MODULES,
    }
    for module_name, functions in misc.MODULES.items():
        modules[module_name] = functions
    return modules


# First aip version with each function (CHANGELOG.md at 952ad06e); older eras do not have them, so
# an agent's feature test such as `if aip.md.extract_refs then` sees nil there as under that aip.
# Keys are `module.function` or a whole `module`; functions not listed exist in every era we run.
API_SINCE: dict[str, tuple[int, int, int]] = {
    # aip.web.get and aip.html.prune_to_content exist since the Lua engine (0.5.0); post from
    # 0.5.10 (`A:src/script/lua_script/utils_web.rs@v0.5.10`); the html module grew in 0.7.7/0.7.9.
    "web.post": (0, 5, 10),
    "web.UA_AIPACK": (0, 8, 7),
    "web.UA_BROWSER": (0, 8, 7),
    "html.slim": (0, 7, 7),
    "html.to_md": (0, 7, 7),
    "html.select": (0, 7, 9),
    "file.save_html_to_slim": (0, 7, 7),
    "file.save_html_to_md": (0, 7, 7),
    "file.load_html_as_slim": (0, 8, 0),
    "file.load_html_as_md": (0, 8, 0),
    "web.parse_url": (0, 7, 9),
    "web.resolve_href": (0, 7, 9),
    "agent.extract_options": (0, 7, 9),
    "hash": (0, 7, 12),
    "uuid": (0, 7, 12),
    "time": (0, 8, 0),
    "time.today_utc": (0, 8, 1),
    "time.today_local": (0, 8, 1),
    "time.today_iso_utc": (0, 8, 1),
    "time.today_iso_local": (0, 8, 1),
    "time.weekday_utc": (0, 8, 1),
    "time.weekday_local": (0, 8, 1),
    "time.local_tz_id": (0, 8, 1),
    "toml": (0, 8, 8),
    "file.load_toml": (0, 8, 8),
    "md.extract_refs": (0, 8, 10),
    "yaml": (0, 8, 12),
    # save_changes since 0.7.11 (`A:4601d9ac`); aip.udiffx since 0.8.12 (`A:d55007e3`), its
    # load_files_context/file_changes_instruction since 0.8.17 (`A:4387a31a`).
    "file.save_changes": (0, 7, 11),
    "udiffx": (0, 8, 12),
    "udiffx.load_files_context": (0, 8, 17),
    "udiffx.file_changes_instruction": (0, 8, 17),
    "file.load_yaml": (0, 8, 12),
    **{f"file.hash_{name}": (0, 7, 13) for name in (
        f"{algorithm}{suffix}" for algorithm in ("sha256", "sha512", "blake3") for suffix in ("", "_b64", "_b64u", "_b58u")
    )},
}


def available_in(module_name: str, function_name: str, version: tuple[int, int, int]) -> bool:
    since = API_SINCE.get(f"{module_name}.{function_name}") or API_SINCE.get(module_name)
    return since is None or version >= since


def build_aip_table(host: ApiHost, version: tuple[int, int, int] = (99, 0, 0)) -> Any:
    """The `aip` Lua table for one state: every function `version` of aip has, bound to `host`."""
    assert host.sandbox is not None and host.converter is not None
    sandbox, converter = host.sandbox, host.converter
    host.aip_version = version
    aip = sandbox.table()
    constants = all_constants()
    for module_name, functions in all_modules().items():
        module = sandbox.table()
        present = False
        for function_name, function in functions.items():
            if not available_in(module_name, function_name, version):
                continue
            module[function_name] = sandbox.wrap(_bind(host, converter, f"aip.{module_name}.{function_name}", function))
            present = True
        for constant_name, value in constants.get(module_name, {}).items():
            if available_in(module_name, constant_name, version):
                module[constant_name] = value
        if present:
            aip[module_name] = module
    return aip


def all_constants() -> dict[str, dict[str, str]]:
    """Plain values set on a module table beside its functions (`aip.web.UA_BROWSER`)."""
    from aipack_compat.lua.api import web

    return {"web": web.CONSTANTS}


def _bind(host: ApiHost, converter: "LuaConverter", qualified: str, function: ApiFunction) -> Callable[..., tuple[Any, ...]]:
    from aipack_compat.lua.convert import ConversionError

    def call(*args: Any) -> tuple[Any, ...]:
        try:
            if function.raw:
                result = function.impl(host, *args)
            else:
                result = function.impl(host, *[converter.to_python(arg) for arg in args])
            if isinstance(result, Multi):
                return (True, *[converter.to_lua(value) for value in result.values])
            return (True, converter.to_lua(result))
        except ApiError as exc:
            return (False, str(exc))
        except ConversionError as exc:
            return (False, f"{qualified} - {exc}")
        except TypeError as exc:
            return (False, f"{qualified} - bad arguments: {exc}")
        except (OSError, ValueError, UnicodeError) as exc:
            return (False, f"{qualified} failed.\nCause: {exc}")

    return call


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


def _lua_type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (dict, list)):
        return "table"
    return type(value).__name__
