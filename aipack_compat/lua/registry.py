"""The `aip` Lua table: which binding stands behind each aip module, since which aip version each
function exists, and how one stage's table is built from them.

One entry per aip module (`A:src/script/aip_modules/*.rs@952ad06e`), filled from the binding of
the same name under `api/` (aip.file from the `api/file/` folder, as aip's `aip_file/`). Bindings
never import this module; it imports them. The era-dependent globals around the table (`utils`,
`aipack`, `devai`, `null`, `redo`) are `stage_globals.py`'s.
"""

from __future__ import annotations

from typing import Any, Callable

from aipack_compat.lua.api import (
    agent, cmd, code, flow, hash, hbs, html, json, lua, md, path, run, semver, tag, task, text, time, toml, udiffx, uuid,
    web, yaml,
)
from aipack_compat.lua.api.file import change as file_change
from aipack_compat.lua.api.file import data as file_data
from aipack_compat.lua.api.file import hash as file_hash
from aipack_compat.lua.api.file import html as file_html
from aipack_compat.lua.api.file import read as file_read
from aipack_compat.lua.api.file import write as file_write
from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, Multi
from aipack_compat.lua.convert import ConversionError, LuaConverter

MODULES: dict[str, dict[str, ApiFunction]] = {
    "file": {
        **file_read.FUNCTIONS, **file_write.FUNCTIONS, **file_change.FUNCTIONS, **file_data.FUNCTIONS,
        **file_html.FUNCTIONS, **file_hash.FUNCTIONS,
    },
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
    "toml": toml.FUNCTIONS,
    "yaml": yaml.FUNCTIONS,
    "run": run.FUNCTIONS,
    "task": task.FUNCTIONS,
    "semver": semver.FUNCTIONS,
    "lua": lua.FUNCTIONS,
    "code": code.FUNCTIONS,
    "hbs": hbs.FUNCTIONS,
    "tag": tag.FUNCTIONS,
    "cmd": cmd.FUNCTIONS,
}

# Plain values set on a module table beside its functions (`aip.web.UA_BROWSER`).
CONSTANTS: dict[str, dict[str, str]] = {"web": web.CONSTANTS}

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
    for module_name, functions in MODULES.items():
        module = sandbox.table()
        present = False
        for function_name, function in functions.items():
            if not available_in(module_name, function_name, version):
                continue
            module[function_name] = sandbox.wrap(_bind(host, converter, f"aip.{module_name}.{function_name}", function))
            present = True
        for constant_name, value in CONSTANTS.get(module_name, {}).items():
            if available_in(module_name, constant_name, version):
                module[constant_name] = value
        if present:
            aip[module_name] = module
    return aip


def _bind(host: ApiHost, converter: LuaConverter, qualified: str, function: ApiFunction) -> Callable[..., tuple[Any, ...]]:
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


