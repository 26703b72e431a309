"""aip version numbers as comparable tuples; the executor's era switches all go through here."""

from __future__ import annotations

import functools
import re

_NUMBERS = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")


@functools.lru_cache(maxsize=64)  # era switches run per item: a handful of distinct strings, thousands of calls
def parse_version(text: str) -> tuple[int, int, int]:
    """`0.8.37` -> (0, 8, 37); `0.8.34-WIP` -> (0, 8, 34); `devai-rhai` -> (0, 1, 0)."""
    if text.startswith("devai-rhai"):
        return (0, 1, 0)
    match = _NUMBERS.search(text)
    if match is None:
        raise ValueError(f"not an aip version: {text!r}")
    major, minor, patch = (int(group or 0) for group in match.groups())
    return (major, minor, patch)


@functools.lru_cache(maxsize=256)
def at_least(version: str, floor: str) -> bool:
    return parse_version(version) >= parse_version(floor)
