"""Semantic versions as `aip.semver` parses and orders them (aip uses the Rust `semver` crate,
`A:src/script/aip_modules/aip_semver.rs@952ad06e`): pre-release < release, pre-release
identifiers compared per SemVer 2.0 (numeric below alphanumeric), build metadata ignored.

Hand-written and lenient: it accepts a `v` prefix and leading zeros, which the crate rejects.
Candidate for a binding of the crate's rules (strict parse, build-metadata ordering, its error
texts); kept as is until that replaces it, so the behaviour does not change underneath agents.
"""

from __future__ import annotations

import re
from typing import Any

SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$")

Parsed = tuple[int, int, int, str | None, str | None]


class InvalidVersion(ValueError):
    """Not a version; str() is aip's `Invalid version: <text>`."""


def parse_semver(text: str) -> Parsed:
    """(major, minor, patch, prerelease, build) of `text` (surrounding whitespace ignored)."""
    match = SEMVER.match(text.strip())
    if match is None:
        raise InvalidVersion(f"Invalid version: {text}")
    major, minor, patch, pre, build = match.groups()
    return int(major), int(minor), int(patch), pre, build


def is_semver(text: str) -> bool:
    return SEMVER.match(text.strip()) is not None


def semver_key(version: Parsed) -> tuple[Any, ...]:
    """A sort key with the crate's precedence."""
    major, minor, patch, pre, _ = version
    if pre is None:
        return (major, minor, patch, 1, ())
    identifiers = tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in pre.split("."))
    return (major, minor, patch, 0, identifiers)
