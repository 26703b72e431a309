"""aip.hbs.render: Handlebars with aip's context (no HTML escaping of values)."""

from __future__ import annotations

from typing import Any, Callable

Eval = Callable[..., Any]


def test_render(lua_eval: Eval) -> None:
    code = 'return aip.hbs.render("Hi {{name}} {{#each xs}}[{{this}}]{{/each}}", {name = "<b>", xs = {1, 2}})'
    assert lua_eval(code) == "Hi <b> [1][2]"
