"""`<TAG attr="v">content</TAG>` extraction as `aip.tag` gets it from the markex crate
(`markex::tag::extract`, `A:src/script/aip_modules/aip_tag.rs@952ad06e`).

Hand-written: markex is a Rust crate without a Python binding, and an HTML parser would not do:
the tags sit in free text (Markdown, model answers), not in a document.
"""

from __future__ import annotations

import re
from typing import Any

_ATTR = re.compile(r"""([A-Za-z_:][\w:.-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def extract_tags(content: str, names: list[str], extrude: bool) -> tuple[list[dict[str, Any]], str | None]:
    """The `{tag, attrs?, content}` elements of the named tags, in order, and (when extruding)
    the text outside them."""
    alternatives = "|".join(re.escape(name) for name in names)
    pattern = re.compile(rf"<({alternatives})(\s[^>]*)?>(.*?)</\1>", re.DOTALL)
    elems: list[dict[str, Any]] = []
    outside: list[str] = []
    position = 0
    for match in pattern.finditer(content):
        outside.append(content[position : match.start()])
        position = match.end()
        elem: dict[str, Any] = {"tag": match.group(1), "content": match.group(3)}
        raw_attrs = (match.group(2) or "").strip()
        if raw_attrs:
            attrs = {}
            for attr in _ATTR.finditer(raw_attrs):
                attrs[attr.group(1)] = next((g for g in attr.group(2, 3, 4) if g is not None), "")
            elem["attrs"] = attrs
        elems.append(elem)
    outside.append(content[position:])
    return elems, ("".join(outside) if extrude else None)
