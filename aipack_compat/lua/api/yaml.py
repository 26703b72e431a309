"""aip.yaml.* (0.8.12+, `A:src/script/aip_modules/aip_yaml.rs@952ad06e`) on `ports/yaml_serde.py`.

`parse` returns the list of documents; `stringify_multi_docs` joins one document per item with
`---`.
"""

from __future__ import annotations

from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, option_string
from aipack_compat.lua.ports.yaml_serde import dump_yaml, parse_yaml_docs


def parse(host: ApiHost, content: Any = None) -> list[Any] | None:
    content = option_string(content, "aip.yaml.parse")
    if content is None:
        return None
    import yaml

    try:
        return parse_yaml_docs(content)
    except yaml.YAMLError as exc:
        raise ApiError(f"aip.yaml.parse failed. {exc}") from None


def stringify(host: ApiHost, content: Any = None) -> str:
    return dump_yaml(content)


def stringify_multi_docs(host: ApiHost, content: Any = None) -> str:
    if not isinstance(content, list):
        raise ApiError("aip.yaml.stringify_multi_docs failed. Content must be a list of tables.")
    return "---\n".join(dump_yaml(item) for item in content)


FUNCTIONS: dict[str, ApiFunction] = {
    "parse": ApiFunction(parse),
    "stringify": ApiFunction(stringify),
    "stringify_multi_docs": ApiFunction(stringify_multi_docs),
}
