"""JSONC (comments and trailing commas) as `aip.json.parse` accepts it from aip 0.8.27
(`A:src/support/jsons.rs@952ad06e`): the comments and trailing commas are removed outside
strings, then the text is read by the stdlib `json`.

Hand-written and narrower than aip, which also takes JSON5-style text (unquoted keys, single
quotes, hex, `+1`, `.5`): a candidate for a relaxed-JSON library binding (e.g. `json5` as the
fallback after stdlib `json`).
"""

from __future__ import annotations

import json as _json
from typing import Any


def parse_jsonc(text: str) -> Any:
    """The value of a JSONC text; raises ValueError (`json.JSONDecodeError`)."""
    return _json.loads(strip_jsonc(text))


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
