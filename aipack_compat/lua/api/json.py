"""aip.json.* (`A:src/script/aip_modules/aip_json.rs@952ad06e`).

`parse` accepts JSONC (comments, trailing commas) since 0.8.27; `stringify` is compact and
`stringify_pretty` uses two-space indentation, as serde_json prints. Object keys come out in Lua
`pairs` order, as in aip (its serde_json preserves insertion order); that order depends on the
Lua state's hash seed, so neither aip nor we promise a stable key order.
"""

from __future__ import annotations

import json as _json
from typing import Any

from aipack_compat.lua.api import ApiError, ApiFunction, ApiHost, option_string


def strip_jsonc(text: str) -> str:
    """Remove `//` and `/* */` comments, then trailing commas, outside strings."""
    return _strip(_strip(text, comments=True), comments=False)


def _strip(text: str, comments: bool) -> str:
    out: list[str] = []
    index, length = 0, len(text)
    in_string = False
    while index < length:
        char = text[index]
        if in_string:
            out.append(char)
            if char == "\\" and index + 1 < length:
                out.append(text[index + 1])
                index += 2
                continue
            if char == '"':
                in_string = False
            index += 1
            continue
        if char == '"':
            in_string = True
            out.append(char)
            index += 1
        elif comments and text.startswith("//", index):
            newline = text.find("\n", index)
            index = length if newline == -1 else newline
        elif comments and text.startswith("/*", index):
            close = text.find("*/", index + 2)
            index = length if close == -1 else close + 2
        elif char == "," and not comments:
            lookahead = index + 1
            while lookahead < length and text[lookahead] in " \t\r\n":
                lookahead += 1
            if lookahead < length and text[lookahead] in "}]":
                index += 1
            else:
                out.append(char)
                index += 1
        else:
            out.append(char)
            index += 1
    return "".join(out)


def parse_relaxed_json(text: str, error_prefix: str) -> Any:
    try:
        return _json.loads(strip_jsonc(text))
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
