"""aip.hbs.* (`A:src/script/aip_modules/aip_hbs.rs@952ad06e`), on the project's Handlebars
renderer (`aipack_compat/template.py`, the one prompt templates use)."""

from __future__ import annotations

from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, expect_string
from aipack_compat.template import RenderFailure, render as render_template


def render(host: ApiHost, content: Any, data: Any = None) -> str:
    content = expect_string(content, "aip.hbs.render", "content")
    context = data if isinstance(data, dict) else {}
    try:
        return render_template(content, context)
    except RenderFailure as exc:
        raise ApiError(f"aip.hbs.render failed: {exc.error.message} (line {exc.error.line}, column {exc.error.column})") from None


FUNCTIONS: dict[str, ApiFunction] = {"render": ApiFunction(render)}
