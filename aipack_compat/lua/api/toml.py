"""aip.toml.* (0.8.8+, `A:src/script/aip_modules/aip_toml.rs@952ad06e`) on `ports/toml_serde.py`."""

from __future__ import annotations

from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, expect_string
from aipack_compat.lua.ports.toml_serde import TomlWriteError, parse_toml, write_toml


def parse(host: ApiHost, content: Any = None) -> Any:
    content = expect_string(content, "aip.toml.parse", "content")
    try:
        return parse_toml(content)
    except ValueError as exc:
        raise ApiError(f"aip.toml.parse failed. {exc}") from None


def stringify(host: ApiHost, content: Any = None) -> str:
    try:
        return write_toml(content)
    except TomlWriteError as exc:
        raise ApiError(f"aip.toml.stringify fail to stringify. {exc}") from None


FUNCTIONS: dict[str, ApiFunction] = {"parse": ApiFunction(parse), "stringify": ApiFunction(stringify)}
