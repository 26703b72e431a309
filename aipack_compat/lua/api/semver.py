"""aip.semver.* (`A:src/script/aip_modules/aip_semver.rs@952ad06e`) on `ports/semver.py`."""

from __future__ import annotations

from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, expect_string
from aipack_compat.lua.ports.semver import InvalidVersion, Parsed, is_semver, parse_semver, semver_key


def _parse(text: Any) -> Parsed:
    text = expect_string(text, "aip.semver", "version")
    try:
        return parse_semver(text)
    except InvalidVersion as exc:
        raise ApiError(str(exc)) from None


def compare(host: ApiHost, left: Any, operator: Any, right: Any) -> bool:
    left_key, right_key = semver_key(_parse(left)), semver_key(_parse(right))
    comparisons = {
        "<": left_key < right_key,
        "<=": left_key <= right_key,
        "=": left_key == right_key,
        "==": left_key == right_key,
        ">=": left_key >= right_key,
        ">": left_key > right_key,
        "!=": left_key != right_key,
        "~=": left_key != right_key,
    }
    if operator not in comparisons:
        raise ApiError(f"Invalid operator: {operator}")
    return comparisons[operator]


def parse(host: ApiHost, version: Any) -> dict[str, Any]:
    major, minor, patch, pre, build = _parse(version)
    return {"major": major, "minor": minor, "patch": patch, "prerelease": pre, "build": build}


def is_prerelease(host: ApiHost, version: Any) -> bool:
    return _parse(version)[3] is not None


def valid(host: ApiHost, version: Any) -> bool:
    return isinstance(version, str) and is_semver(version)


FUNCTIONS: dict[str, ApiFunction] = {
    "compare": ApiFunction(compare),
    "parse": ApiFunction(parse),
    "is_prerelease": ApiFunction(is_prerelease),
    "valid": ApiFunction(valid),
}
