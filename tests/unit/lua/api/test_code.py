"""aip.code.comment_line: the comment syntax per file extension."""

from __future__ import annotations

from typing import Any, Callable

import pytest

Eval = Callable[..., Any]


@pytest.mark.parametrize(
    "expr, expected",
    [
        ('aip.code.comment_line("lua", "hi")', "-- hi"),
        ('aip.code.comment_line(" HTML ", "hi")', "<!-- hi -->"),
        ('aip.code.comment_line("py", "hi")', "# hi"),
        ('aip.code.comment_line("rs", "hi")', "// hi"),
    ],
)


def test_comment_line(lua_eval: Eval, expr: str, expected: Any) -> None:
    assert lua_eval(f"return {expr}") == expected
