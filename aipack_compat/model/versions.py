"""aip version strings -> comparable `(major, minor, patch)` tuples: the one parser every era switch uses.

Standard library only and no project imports: the validate fast path, the Lua runtime and the
executor all import it. Accepted shapes, as they reach us from `--aip-version`, job configs,
`aip --version` output and era names:

    0.8.37  v0.7.10  0.8.34-WIP  0.8.37+build  aip 0.8.37  aipack-0.8.37  0.8      -> numbers as written
    devai-rhai…                                                                   -> (0, 1, 0)

Parsing never raises: a part that is not a number counts as 0 (`0.x.3` -> (0, 0, 3)), and text with
no number at all is (0, 0, 0). Callers that want "no version named" to mean the current release use
`parse_version_or_default`.
"""

from __future__ import annotations

import functools
import re

Version = tuple[int, int, int]

DEFAULT_AIP_VERSION = "0.8.37"
# The Rhai-scripted devai releases (0.0.x - 0.1.x) are named by era, not by number (spec §3.1).
DEVAI_RHAI_ERA = "devai-rhai"
DEVAI_RHAI_VERSION: Version = (0, 1, 0)

# The first whitespace-separated word with an ASCII digit holds the version (`aipack 0.8.37` -> `0.8.37`).
# ASCII only: `str.isdigit` accepts `²`, which `int()` rejects.
_WORD_WITH_DIGIT = re.compile(r"\S*[0-9]\S*")
# A word prefix that is not part of the number: `v0.7.10`, `aipack-0.8.37`, `devai-0.1`.
_NAME_PREFIX = re.compile(r"^[^0-9.]*")
_LEADING_DIGITS = re.compile(r"[0-9]+")
# Version parts are small; cap the digits read so a pathological string cannot hit Python's
# int-from-string digit limit (3.11: 4300 digits) and raise.
_MAX_PART_DIGITS = 18


@functools.lru_cache(maxsize=256)  # era switches run per item: a handful of distinct strings, thousands of calls
def parse_version(text: str) -> Version:
    """`0.8.37` -> (0, 8, 37); `v0.7.10` -> (0, 7, 10); `0.8.34-WIP` / `0.8.34+build` -> (0, 8, 34);
    `aip 0.8.37` -> (0, 8, 37); `devai-rhai` -> (0, 1, 0); unparseable parts count as 0."""
    stripped = text.strip()
    if stripped.lower().startswith(DEVAI_RHAI_ERA):
        return DEVAI_RHAI_VERSION
    word = _WORD_WITH_DIGIT.search(stripped)
    if word is None:
        return (0, 0, 0)
    core = _NAME_PREFIX.sub("", word.group(0))
    # Semver pre-release (`-WIP`) and build metadata (`+build`) do not change the era.
    core = re.split(r"[-+]", core, maxsplit=1)[0]
    numbers = [_leading_number(part) for part in core.split(".")[:3]]
    numbers += [0] * (3 - len(numbers))
    return (numbers[0], numbers[1], numbers[2])


def _leading_number(part: str) -> int:
    digits = _LEADING_DIGITS.match(part)
    return int(digits.group(0)[:_MAX_PART_DIGITS]) if digits else 0


def names_a_version(text: str) -> bool:
    """True when `text` names a version (has a digit, or is the `devai-rhai` era); False for `unknown`, ``."""
    return text.strip().lower().startswith(DEVAI_RHAI_ERA) or _WORD_WITH_DIGIT.search(text) is not None


def parse_version_or_default(text: str | None, default: str = DEFAULT_AIP_VERSION) -> Version:
    """Like `parse_version`, but text naming no version at all (`unknown`, empty, None) means `default`."""
    return parse_version(text) if text and names_a_version(text) else parse_version(default)


@functools.lru_cache(maxsize=256)
def at_least(version: str, floor: str | Version) -> bool:
    """`version` is `floor` or newer (pre-release tags ignored: `0.8.34-WIP` counts as 0.8.34)."""
    return parse_version(version) >= (floor if isinstance(floor, tuple) else parse_version(floor))


def version_text(version: Version) -> str:
    """(0, 7, 10) -> `0.7.10`, for messages."""
    return ".".join(str(part) for part in version)
