"""aip.semver.*: ordering with pre-releases, parse fields, validity, the operator error."""

from __future__ import annotations

from typing import Any, Callable

import pytest

Eval = Callable[..., Any]


@pytest.mark.parametrize(
    "expr, expected",
    [
        ('aip.semver.compare("1.2.3", ">", "1.2.0")', True),
        ('aip.semver.compare("0.6.7-WIP", "<", "0.6.7")', True),
        ('aip.semver.compare("0.6.7-WIP", "!=", "0.6.7")', True),
        ('aip.semver.compare("1.0.0-alpha.2", "<", "1.0.0-alpha.10")', True),
        ('aip.semver.compare("1.0.0+build", "==", "1.0.0")', True),
        ('aip.semver.parse("1.2.3-rc.1").prerelease', "rc.1"),
        ('aip.semver.is_prerelease("1.2.3")', False),
        ('aip.semver.valid("x.y")', False),
    ],
)


def test_semver_functions(lua_eval: Eval, expr: str, expected: Any) -> None:
    assert lua_eval(f"return {expr}") == expected


def test_semver_invalid_operator(lua_eval: Eval) -> None:
    ok, message = lua_eval('return {pcall(aip.semver.compare, "1.0.0", "<>", "1.0.0")}')
    assert ok is False and "Invalid operator" in message
