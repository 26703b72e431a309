"""aip.tag.* (`A:src/script/aip_modules/aip_tag.rs@952ad06e`) on `ports/markex_tags.py`.

With `{extrude = "content"}` each function returns two values: its result and the text outside
the tags.
"""

from __future__ import annotations

from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, Multi, expect_string, strings_of
from aipack_compat.lua.ports.markex_tags import extract_tags


def _tag_args(content: Any, tag_names: Any, options: Any) -> tuple[str, list[str], bool]:
    content = expect_string(content, "aip.tag.extract", "content")
    if tag_names is None:
        raise ApiError("aip.tag.extract requires tag_names")
    names = [name.strip() for name in strings_of(tag_names, "aip.tag.extract tag_names")]
    if any(not name for name in names):
        raise ApiError("tag_names cannot contain empty entries after trimming")
    if not names:
        raise ApiError("tag_names list must not be empty")
    extrude = isinstance(options, dict) and options.get("extrude") == "content"
    return content, names, extrude


def extract(host: ApiHost, content: Any, tag_names: Any, options: Any = None) -> Any:
    elems, extruded = extract_tags(*_tag_args(content, tag_names, options))
    return Multi((elems, extruded)) if extruded is not None else elems


def extract_as_map(host: ApiHost, content: Any, tag_names: Any, options: Any = None) -> Any:
    elems, extruded = extract_tags(*_tag_args(content, tag_names, options))
    mapping = {elem["tag"]: elem for elem in elems}
    return Multi((mapping, extruded)) if extruded is not None else mapping


def extract_as_multi_map(host: ApiHost, content: Any, tag_names: Any, options: Any = None) -> Any:
    elems, extruded = extract_tags(*_tag_args(content, tag_names, options))
    mapping: dict[str, list[dict[str, Any]]] = {}
    for elem in elems:
        mapping.setdefault(elem["tag"], []).append(elem)
    return Multi((mapping, extruded)) if extruded is not None else mapping


FUNCTIONS: dict[str, ApiFunction] = {
    "extract": ApiFunction(extract),
    "extract_as_map": ApiFunction(extract_as_map),
    "extract_as_multi_map": ApiFunction(extract_as_multi_map),
}
