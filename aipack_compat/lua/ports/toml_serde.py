"""TOML text <-> JSON-like values, as aip converts them (`A:src/support/tomls.rs@952ad06e`).

Parsing goes through `tomllib` into the values aip's `serde_json::to_value(toml::Value)` gives,
so a TOML datetime becomes `{"$__toml_private_datetime": "1979-05-27T07:32:00Z"}` as in aip.
Writing is hand-written after the `toml` crate's layout (no Python TOML writer lays a document
out as it does): plain keys first, then `[table]` and `[[array.of.tables]]` sections, strings
quoted as toml_edit chooses. A candidate for a per-era library binding (TOML 1.1 from aip 0.8.27).
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import re
from typing import Any

TOML_DATETIME_KEY = "$__toml_private_datetime"
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


class TomlWriteError(ValueError):
    """A value with no TOML form (nil, a non-table document)."""


def _toml_to_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _toml_to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_toml_to_json(item) for item in value]
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        text = value.isoformat()
        if isinstance(value, _dt.datetime) and value.utcoffset() == _dt.timedelta(0):
            text = text.replace("+00:00", "Z")
        return {TOML_DATETIME_KEY: text}
    return value


def parse_toml(content: str) -> Any:
    """The document as JSON-like values; raises ValueError (`tomllib.TOMLDecodeError`)."""
    import tomllib

    return _toml_to_json(tomllib.loads(content))


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    """toml_edit's choice: a literal `'...'` string when the text has `"` but no `'`, newline or
    control character, else a basic `"..."` string with escapes."""
    if '"' in text and "'" not in text and not any(ord(char) < 0x20 or char == "\x7f" for char in text):
        return f"'{text}'"
    return _json.dumps(text, ensure_ascii=False)


def is_toml_table(value: Any) -> bool:
    return isinstance(value, dict) and TOML_DATETIME_KEY not in value


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(is_toml_table(item) for item in value)


def _toml_inline(value: Any) -> str:
    if value is None:
        raise TomlWriteError("unsupported None value")
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
        if TOML_DATETIME_KEY in value:
            return str(value[TOML_DATETIME_KEY])
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_inline(v)}" for k, v in value.items()) + " }" if value else "{}"
    raise TomlWriteError(f"unsupported value {value!r}")


def _toml_table(table: dict[str, Any], path: list[str], out: list[str], header: str | None) -> None:
    plain = [(k, v) for k, v in table.items() if not is_toml_table(v) and not _is_table_array(v)]
    nested = [(k, v) for k, v in table.items() if is_toml_table(v) or _is_table_array(v)]
    if header is not None and (plain or not nested):
        if out:
            out.append("")
        out.append(header)
    for key, value in plain:
        out.append(f"{_toml_key(key)} = {_toml_inline(value)}")
    for key, value in nested:
        child = path + [key]
        dotted = ".".join(_toml_key(part) for part in child)
        if is_toml_table(value):
            _toml_table(value, child, out, f"[{dotted}]")
        else:
            for item in value:
                _toml_table(item, child, out, f"[[{dotted}]]")


def write_toml(document: Any) -> str:
    """A table as TOML text in the `toml` crate's layout; an empty list counts as an empty table."""
    if isinstance(document, list) and not document:
        document = {}
    if not is_toml_table(document):
        raise TomlWriteError("only a table can be a TOML document")
    lines: list[str] = []
    _toml_table(document, [], lines, None)
    return "\n".join(lines) + ("\n" if lines else "")
