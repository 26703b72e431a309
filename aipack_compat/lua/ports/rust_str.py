"""Rust `str` semantics the ports need: Unicode whitespace as `char::is_whitespace` counts it,
`trim`, `lines`, `split_inclusive('\\n')`. Python's own differ at the edges (`str.isspace` also
counts \\x1c-\\x1f; `splitlines` splits on more than `\\n`), so these are spelled out.
"""

from __future__ import annotations

import re

# Rust `char::is_whitespace` (Unicode White_Space): `trim`, `split_whitespace` use this set, which
# differs from Python's `str.isspace` (that also counts \x1c-\x1f).
RUST_WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u2028\u2029\u202f\u205f\u3000"


def rust_trim(text: str) -> str:
    return text.strip(RUST_WHITESPACE)


def rust_lines(text: str) -> list[str]:
    """Rust `str::lines`: split on `\\n`, drop one trailing empty line, strip a `\\r` before `\\n`."""
    if not text:
        return []
    pieces = text.split("\n")
    last = len(pieces) - 1
    lines = [piece[:-1] if index < last and piece.endswith("\r") else piece for index, piece in enumerate(pieces)]
    if text.endswith("\n"):
        lines.pop()
    return lines


def split_inclusive(text: str) -> list[str]:
    """Rust `split_inclusive('\\n')`: pieces keeping their newline, no empty last piece."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)
