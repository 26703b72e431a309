"""aip.json.* (`A:src/script/aip_modules/aip_json.rs@952ad06e`).

`parse` accepts JSONC (comments, trailing commas; `ports/jsonc.py`) since 0.8.27; `stringify` is
compact and `stringify_pretty` uses two-space indentation, as serde_json prints. Object keys come out in Lua
`pairs` order, as in aip (its serde_json preserves insertion order); that order depends on the
Lua state's hash seed, so neither aip nor we promise a stable key order.
"""

from __future__ import annotations

import json as _json
from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, option_string
from aipack_compat.lua.ports.jsonc import parse_jsonc


def parse_relaxed_json(text: str, error_prefix: str) -> Any:
    """`parse_jsonc`, its failure an ApiError worded `<error_prefix>.\nCause: <reason>`."""
    try:
        return parse_jsonc(text)
    except ValueError as exc:
        raise ApiError(f"{error_prefix}.\nCause: {exc}") from None


def parse(host: ApiHost, content: Any) -> Any:
    content = option_string(content, "aip.json.parse")
    if content is None:
        return None
    return parse_relaxed_json(content, "aip.json.parse failed")


def parse_ndjson(host: ApiHost, content: Any) -> list[Any] | None:
    content = option_string(content, "aip.json.parse_ndjson")
    if content is None:
        return None
    return [parse_relaxed_json(line, "aip.json.parse_ndjson failed") for line in content.splitlines() if line.strip()]


def to_json_text(value: Any, pretty: bool) -> str:
    if pretty:
        return _json.dumps(value, ensure_ascii=False, indent=2)
    return _json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def stringify(host: ApiHost, content: Any) -> str:
    return to_json_text(content, pretty=False)


def stringify_pretty(host: ApiHost, content: Any) -> str:
    return to_json_text(content, pretty=True)


FUNCTIONS: dict[str, ApiFunction] = {
    "parse": ApiFunction(parse),
    "parse_ndjson": ApiFunction(parse_ndjson),
    "stringify": ApiFunction(stringify),
    "stringify_pretty": ApiFunction(stringify_pretty),
    # 0.6.x names kept by aip as aliases (`A:src/script/aip_modules/aip_json.rs@952ad06e`).
    "stringify_to_line": ApiFunction(stringify),
}
