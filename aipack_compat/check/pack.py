"""pack.toml checks (spec §4.4): the manifest `aip pack` needs."""

from __future__ import annotations

import re

from aipack_compat.model.diagnostic import Diagnostic
from aipack_compat.rules import pck

_IDENT = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_-]*$")
_VERSION = re.compile(r"^\d+\.\d+\.\d+(-[A-Za-z][\w-]*(\.\d+)?)?$")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def check_pack_toml(path: str, text: str) -> list[Diagnostic]:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = _TOML_POSITION.search(str(exc))
        line, column = (int(where.group(1)), int(where.group(2))) if where else (0, 0)
        return [pck.PACK_TOML_SYNTAX.diagnostic(path, _TOML_POSITION.sub("", str(exc)).strip(), line, column)]
    pack = data.get("pack")
    if not isinstance(pack, dict):
        return [pck.PACK_SECTION_MISSING.diagnostic(path, "Missing [pack] section", hint="add [pack] with namespace, name, version")]
    section_line = _line_of(text, r"^\s*\[pack\]")
    found: list[Diagnostic] = []
    for field, pattern in (("namespace", _IDENT), ("name", _IDENT), ("version", _VERSION)):
        value = pack.get(field)
        line = _line_of(text, rf"^\s*{field}\s*=") or section_line
        if not isinstance(value, str) or not value.strip():
            found.append(pck.PACK_FIELD_MISSING.diagnostic(path, f"{field} field is missing or empty", line, 1))
        elif not pattern.match(value):
            found.append(
                pck.PACK_FIELD_INVALID.diagnostic(
                    path, f"[pack] {field} = {value!r} does not match {pattern.pattern}", line, 1
                )
            )
    return found


def _line_of(text: str, pattern: str) -> int:
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 0
