"""aip.html.* (`A:src/script/aip_modules/aip_html.rs@952ad06e`, `A:src/support/html.rs`) on
`ports/htmlr.py`. `to_md` is our own port of htmd's rules and may differ in whitespace and
escaping details (`validate` says so with AGT202).
"""

from __future__ import annotations

from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, expect_string, strings_of
from aipack_compat.lua.ports.htmlr import SelectorError, html_to_md, select_elements, slim_html


def _content(value: Any, qualified: str) -> str:
    return expect_string(value, qualified, "html_content")


def slim(host: ApiHost, html: Any = None) -> str:
    return slim_html(_content(html, "aip.html.slim"))


def select(host: ApiHost, html: Any = None, selectors: Any = None) -> list[dict[str, Any]]:
    html = _content(html, "aip.html.select")
    if selectors is None:
        return []
    try:
        return select_elements(html, strings_of(selectors, "aip.html.select"), host.aip_version)
    except SelectorError as exc:
        raise ApiError(str(exc)) from None


def to_md(host: ApiHost, html: Any = None) -> str:
    return html_to_md(_content(html, "aip.html.to_md"))


FUNCTIONS: dict[str, ApiFunction] = {
    "slim": ApiFunction(slim),
    "select": ApiFunction(select),
    "to_md": ApiFunction(to_md),
    # the pre-0.7.7 name, still registered at HEAD as a deprecated alias of `slim`
    "prune_to_content": ApiFunction(slim),
}
