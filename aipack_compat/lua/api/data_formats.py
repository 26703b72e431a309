"""aip.toml.* (0.8.8+), aip.yaml.* (0.8.12+) and `aip.file.load_toml` / `aip.file.load_yaml`
(`A:src/script/aip_modules/aip_{toml,yaml}.rs@952ad06e`, `A:src/support/{tomls,yamls}.rs@952ad06e`).

TOML parses with `tomllib` into JSON-like values the way aip's `serde_json::to_value(toml::Value)`
does, so a TOML datetime becomes `{["$__toml_private_datetime"] = "1979-05-27T07:32:00Z"}` as in
aip. `toml.stringify` writes the `toml` crate's layout: plain keys first, then `[table]` and
`[[array.of.tables]]` sections. YAML parse returns the list of documents (multi-document
streams); `stringify` writes one block-style document (PyYAML, serde_yaml_ng's layout: `key:`,
`- item` at the key's indentation).
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import re
from typing import Any

from aipack_compat.lua.api import ApiError, ApiFunction, ApiHost, expect_string, option_string
from aipack_compat.lua.api.fsutil import read_workspace_text

_TOML_DATETIME_KEY = "$__toml_private_datetime"
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


# -- TOML


def _toml_to_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _toml_to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_toml_to_json(item) for item in value]
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        text = value.isoformat()
        if isinstance(value, _dt.datetime) and value.utcoffset() == _dt.timedelta(0):
            text = text.replace("+00:00", "Z")
        return {_TOML_DATETIME_KEY: text}
    return value


def parse_toml_text(content: str) -> Any:
    import tomllib

    return _toml_to_json(tomllib.loads(content))


def toml_parse(host: ApiHost, content: Any = None) -> Any:
    content = expect_string(content, "aip.toml.parse", "content")
    try:
        return parse_toml_text(content)
    except ValueError as exc:
        raise ApiError(f"aip.toml.parse failed. {exc}") from None


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    """toml_edit's choice: a literal `'...'` string when the text has `"` but no `'`, newline or
    control character, else a basic `"..."` string with escapes."""
    if '"' in text and "'" not in text and not any(ord(char) < 0x20 or char == "\x7f" for char in text):
        return f"'{text}'"
    return _json.dumps(text, ensure_ascii=False)


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) and _TOML_DATETIME_KEY not in value


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_table(item) for item in value)


def _toml_inline(value: Any) -> str:
    if value is None:
        raise ApiError("aip.toml.stringify fail to stringify. unsupported None value")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_inline(item) for item in value) + "]"
    if isinstance(value, dict):
        if _TOML_DATETIME_KEY in value:
            return str(value[_TOML_DATETIME_KEY])
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_inline(v)}" for k, v in value.items()) + " }" if value else "{}"
    raise ApiError(f"aip.toml.stringify fail to stringify. unsupported value {value!r}")


def _toml_table(table: dict[str, Any], path: list[str], out: list[str], header: str | None) -> None:
    plain = [(k, v) for k, v in table.items() if not _is_table(v) and not _is_table_array(v)]
    nested = [(k, v) for k, v in table.items() if _is_table(v) or _is_table_array(v)]
    if header is not None and (plain or not nested):
        if out:
            out.append("")
        out.append(header)
    for key, value in plain:
        out.append(f"{_toml_key(key)} = {_toml_inline(value)}")
    for key, value in nested:
        child = path + [key]
        dotted = ".".join(_toml_key(part) for part in child)
        if _is_table(value):
            _toml_table(value, child, out, f"[{dotted}]")
        else:
            for item in value:
                _toml_table(item, child, out, f"[[{dotted}]]")


def toml_stringify(host: ApiHost, content: Any = None) -> str:
    if isinstance(content, list) and not content:
        content = {}
    if not _is_table(content):
        raise ApiError("aip.toml.stringify fail to stringify. only a table can be a TOML document")
    lines: list[str] = []
    _toml_table(content, [], lines, None)
    return "\n".join(lines) + ("\n" if lines else "")


# -- YAML


def parse_yaml_docs(content: str) -> list[Any]:
    import yaml

    return [_yaml_plain(document) for document in yaml.safe_load_all(content)]


def _yaml_plain(value: Any) -> Any:
    """serde_json values only: dates as ISO strings, non-string keys stringified."""
    if isinstance(value, dict):
        return {str(key).lower() if isinstance(key, bool) else str(key): _yaml_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_yaml_plain(item) for item in value]
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def yaml_parse(host: ApiHost, content: Any = None) -> list[Any] | None:
    content = option_string(content, "aip.yaml.parse")
    if content is None:
        return None
    import yaml

    try:
        return parse_yaml_docs(content)
    except yaml.YAMLError as exc:
        raise ApiError(f"aip.yaml.parse failed. {exc}") from None


def _yaml_dumper() -> Any:
    """A SafeDumper resolving booleans as YAML 1.2 does (serde_yaml_ng): only true/false, so
    `yes`/`no`/`on`/`off` are written plain instead of quoted as PyYAML's YAML 1.1 would."""
    import yaml

    class Yaml12Dumper(yaml.SafeDumper):
        pass

    resolvers = {key: list(value) for key, value in yaml.SafeDumper.yaml_implicit_resolvers.items()}
    for first, entries in resolvers.items():
        resolvers[first] = [(tag, regexp) for tag, regexp in entries if tag != "tag:yaml.org,2002:bool"]
    Yaml12Dumper.yaml_implicit_resolvers = resolvers
    Yaml12Dumper.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )
    return Yaml12Dumper


def _yaml_dump(value: Any) -> str:
    import yaml

    text = yaml.dump(
        value, Dumper=_yaml_dumper(), sort_keys=False, allow_unicode=True, default_flow_style=False, width=10**9
    )
    # PyYAML ends a lone scalar document with an explicit `...` marker; serde_yaml does not.
    return text[: -len("...\n")] if text.endswith("\n...\n") else text


def yaml_stringify(host: ApiHost, content: Any = None) -> str:
    return _yaml_dump(content)


def yaml_stringify_multi_docs(host: ApiHost, content: Any = None) -> str:
    if not isinstance(content, list):
        raise ApiError("aip.yaml.stringify_multi_docs failed. Content must be a list of tables.")
    return "---\n".join(_yaml_dump(item) for item in content)


# -- aip.file.load_toml / load_yaml


def _read_text(host: ApiHost, path: Any, qualified: str, kind: str) -> tuple[str, str]:
    return read_workspace_text(host, path, qualified, "path", f"{qualified} - Failed to read {kind} file '{{path}}'.")


def file_load_toml(host: ApiHost, path: Any = None) -> Any:
    rel_path, text = _read_text(host, path, "aip.file.load_toml", "toml")
    try:
        return parse_toml_text(text)
    except ValueError as exc:
        raise ApiError(f"aip.file.load_toml - Failed to parse toml file '{rel_path}'.\nCause: {exc}") from None


def file_load_yaml(host: ApiHost, path: Any = None) -> list[Any]:
    import yaml

    rel_path, text = _read_text(host, path, "aip.file.load_yaml", "yaml")
    try:
        return parse_yaml_docs(text)
    except yaml.YAMLError as exc:
        raise ApiError(f"aip.file.load_yaml - Failed to parse yaml file '{rel_path}'.\nCause: {exc}") from None


MODULES: dict[str, dict[str, ApiFunction]] = {
    "toml": {"parse": ApiFunction(toml_parse), "stringify": ApiFunction(toml_stringify)},
    "yaml": {
        "parse": ApiFunction(yaml_parse),
        "stringify": ApiFunction(yaml_stringify),
        "stringify_multi_docs": ApiFunction(yaml_stringify_multi_docs),
    },
}

FILE_FUNCTIONS: dict[str, ApiFunction] = {
    "load_toml": ApiFunction(file_load_toml),
    "load_yaml": ApiFunction(file_load_yaml),
}
