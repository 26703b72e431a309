"""aip.code.* (`A:src/script/aip_modules/aip_code.rs@952ad06e`)."""

from __future__ import annotations

from typing import Any

from aipack_compat.lua.api.host import ApiFunction, ApiHost, expect_string


def comment_line(host: ApiHost, lang_ext: Any, content: Any) -> str:
    ext = expect_string(lang_ext, "aip.code.comment_line", "lang_ext").strip().lower()
    content = expect_string(content, "aip.code.comment_line", "comment_content")
    if ext in ("lua", "sql"):
        return f"-- {content}"
    if ext == "html":
        return f"<!-- {content} -->"
    if ext in ("css", "pcss"):
        return f"/* {content} */"
    if ext == "py":
        return f"# {content}"
    return f"// {content}"


FUNCTIONS: dict[str, ApiFunction] = {"comment_line": ApiFunction(comment_line)}
