"""bash brace sequences (`{1..5}`, `{01..10..2}`, `{a..e}`) expanded as bash does."""

from __future__ import annotations

import re

_SEQUENCE_RE = re.compile(r"([^{}$`\"' ]*)\{(-?\d+|[A-Za-z])\.\.(-?\d+|[A-Za-z])(?:\.\.(-?\d+))?\}([^{}$`\"' ]*)")
MAX_SEQUENCE = 512


def brace_sequence(text: str) -> list[str] | None:
    """bash's `{1..5}`, `{01..10..2}`, `{a..e}` with a literal prefix/suffix; None for anything else.

    As bash: the step's sign is ignored (the direction comes from the ends), a zero-padded end pads
    every number to the widest end, and letters walk the ASCII table."""
    match = _SEQUENCE_RE.fullmatch(text)
    if match is None:
        return None
    head, start, end, step_text, tail = match.groups()
    step = abs(int(step_text)) if step_text else 1
    step = step or 1
    if start.lstrip("-").isdigit() != end.lstrip("-").isdigit():
        return None
    if start.lstrip("-").isdigit():
        first, last = int(start), int(end)
        padded = any(len(e.lstrip("-")) > 1 and e.lstrip("-").startswith("0") for e in (start, end))
        width = max(len(start), len(end)) if padded else 0
        items = [f"{n:0{width}d}" if width else str(n)
                 for n in range(first, last + (1 if last >= first else -1), step if last >= first else -step)]
    else:
        if start.isupper() != end.isupper():
            return None  # bash walks ASCII between cases too (`[`, `\\`, …), which no script means
        first, last = ord(start), ord(end)
        items = [chr(c) for c in range(first, last + (1 if last >= first else -1), step if last >= first else -step)]
    if len(items) > MAX_SEQUENCE:
        return None
    return [f"{head}{item}{tail}" for item in items]
