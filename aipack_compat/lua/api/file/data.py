"""aip.file loaders and appenders of structured data: load_json, load_ndjson, append_json_line(s),
load_toml (0.8.8+), load_yaml (0.8.12+) (`A:src/script/aip_modules/aip_file/file_{json,toml,yaml}.rs@952ad06e`).

JSON is read as `aip.json.parse` reads it (JSONC); TOML and YAML as aip.toml and aip.yaml do.
"""

from __future__ import annotations

import json as _json
from typing import Any

from aipack_compat.lua.api.file.read import load
from aipack_compat.lua.api.file.records import read_workspace_text
from aipack_compat.lua.api.file.write import append
from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, option_string
from aipack_compat.lua.api.json import parse_relaxed_json
from aipack_compat.lua.ports.toml_serde import parse_toml
from aipack_compat.lua.ports.yaml_serde import parse_yaml_docs


def load_json(host: ApiHost, path: Any) -> Any:
    path = option_string(path, "aip.file.load_json")
    if path is None:
        return None
    record = load(host, path)
    return parse_relaxed_json(record["content"], f"aip.file.load_json - Failed to parse JSON from file '{path}'")


def load_ndjson(host: ApiHost, path: Any) -> list[Any] | None:
    path = option_string(path, "aip.file.load_ndjson")
    if path is None:
        return None
    content = load(host, path)["content"]
    return [parse_relaxed_json(line, f"aip.file.load_ndjson - invalid line in '{path}'") for line in content.splitlines() if line.strip()]


def append_json_line(host: ApiHost, path: Any, data: Any) -> dict[str, Any]:
    return append(host, path, _json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def append_json_lines(host: ApiHost, path: Any, data: Any) -> dict[str, Any]:
    if not isinstance(data, list):
        raise ApiError("aip.file.append_json_lines - data must be a list")
    lines = "".join(_json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n" for item in data)
    return append(host, path, lines)


def _read_text(host: ApiHost, path: Any, qualified: str, kind: str) -> tuple[str, str]:
    return read_workspace_text(host, path, qualified, "path", f"{qualified} - Failed to read {kind} file '{{path}}'.")


def load_toml(host: ApiHost, path: Any = None) -> Any:
    rel_path, text = _read_text(host, path, "aip.file.load_toml", "toml")
    try:
        return parse_toml(text)
    except ValueError as exc:
        raise ApiError(f"aip.file.load_toml - Failed to parse toml file '{rel_path}'.\nCause: {exc}") from None


def load_yaml(host: ApiHost, path: Any = None) -> list[Any]:
    import yaml

    rel_path, text = _read_text(host, path, "aip.file.load_yaml", "yaml")
    try:
        return parse_yaml_docs(text)
    except yaml.YAMLError as exc:
        raise ApiError(f"aip.file.load_yaml - Failed to parse yaml file '{rel_path}'.\nCause: {exc}") from None


FUNCTIONS: dict[str, ApiFunction] = {
    "load_json": ApiFunction(load_json),
    "load_ndjson": ApiFunction(load_ndjson),
    "append_json_line": ApiFunction(append_json_line),
    "append_json_lines": ApiFunction(append_json_lines),
    "load_toml": ApiFunction(load_toml),
    "load_yaml": ApiFunction(load_yaml),
}
