"""The one aip version parser (model/versions.py) and the callers that delegate to it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aipack_compat.model.versions import (
    DEFAULT_AIP_VERSION, at_least, names_a_version, parse_version, parse_version_or_default,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("0.8.37", (0, 8, 37)),
    ("v0.7.10", (0, 7, 10)),
    ("V0.7.10", (0, 7, 10)),
    ("0.8.34-WIP", (0, 8, 34)),
    ("0.8.37+build", (0, 8, 37)),
    ("0.8.37-rc.1+build.5", (0, 8, 37)),
    ("aip 0.8.37", (0, 8, 37)),
    ("aipack 0.8.16", (0, 8, 16)),  # `aip --version` output
    ("devai 0.5.12", (0, 5, 12)),  # `devai --version` output
    ("aipack-0.8.37", (0, 8, 37)),
    ("  0.8.37\n", (0, 8, 37)),
    ("devai-rhai", (0, 1, 0)),
    ("DEVAI-RHAI", (0, 1, 0)),
    ("devai-rhai-0.0.9", (0, 1, 0)),
    ("devai-0.1", (0, 1, 0)),
    ("0.8", (0, 8, 0)),  # `--aip-version 0.8` is accepted by the CLI
    ("7", (7, 0, 0)),
    ("0.x.3", (0, 0, 3)),  # an unparseable part counts as 0
    ("x.8.37", (0, 8, 37)),
    ("0.8.3rc1", (0, 8, 3)),
    ("", (0, 0, 0)),
    ("unknown", (0, 0, 0)),
    ("²", (0, 0, 0)),  # str.isdigit() but not a number int() reads
    ("٣.٣.٣", (0, 0, 0)),  # non-ASCII digits are not version numbers
])
def test_accepted_shapes(text: str, expected: tuple[int, int, int]) -> None:
    assert parse_version(text) == expected


def test_pre_release_sorts_with_its_release() -> None:
    # aip's own dev builds say `0.8.34-WIP`; era switches treat them as 0.8.34 (no semver pre-release ordering).
    assert parse_version("0.8.34-WIP") == parse_version("0.8.34") < parse_version("0.8.35")


@pytest.mark.parametrize(("version", "floor", "expected"), [
    ("0.8.37", "0.8.37", True),
    ("0.8.37", "0.8.38", False),
    ("0.7.15", "0.7.9", True),  # numeric, not string, comparison
    ("0.8.34-WIP", "0.8.34", True),
    ("devai-rhai", "0.5.0", False),
    ("devai-rhai", "0.1.0", True),
    ("v0.6.14", "0.6.14", True),
])
def test_at_least(version: str, floor: str, expected: bool) -> None:
    assert at_least(version, floor) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("unknown", parse_version(DEFAULT_AIP_VERSION)),
    ("", parse_version(DEFAULT_AIP_VERSION)),
    (None, parse_version(DEFAULT_AIP_VERSION)),
    ("devai-rhai", (0, 1, 0)),
    ("0.5.12", (0, 5, 12)),
    ("0.0.9", (0, 0, 9)),  # a real devai release, not "no version"
])
def test_or_default_only_when_no_version_is_named(text: str | None, expected: tuple[int, int, int]) -> None:
    assert parse_version_or_default(text) == expected


def test_or_default_takes_another_default() -> None:
    assert parse_version_or_default("aipack", default="0.6.0") == (0, 6, 0)
    assert not names_a_version("aipack") and names_a_version("aipack 0.6.1")


def test_former_parsers_are_this_one() -> None:
    from aipack_compat.model.agent import parse_aip_version

    # Agent checks judge a file whose era is `unknown` as the current release reads it.
    assert parse_aip_version("unknown") == parse_version(DEFAULT_AIP_VERSION)
    assert parse_aip_version("v0.8.34-WIP") == (0, 8, 34)


@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    parsed = parse_version(text)
    assert len(parsed) == 3 and all(isinstance(part, int) and part >= 0 for part in parsed)
    assert len(parse_version_or_default(text)) == 3


parts = st.integers(min_value=0, max_value=10**6)


@given(parts, parts, parts, st.sampled_from(["", "v", "aip ", "aipack "]),
       st.sampled_from(["", "-WIP", "+build", "-rc.1+sha.5f3e", "\n"]))
def test_numbers_round_trip_through_every_decoration(major: int, minor: int, patch: int, prefix: str,
                                                     suffix: str) -> None:
    assert parse_version(f"{prefix}{major}.{minor}.{patch}{suffix}") == (major, minor, patch)


@given(st.tuples(parts, parts, parts), st.tuples(parts, parts, parts))
def test_at_least_is_tuple_order(version: tuple[int, int, int], floor: tuple[int, int, int]) -> None:
    assert at_least(".".join(map(str, version)), ".".join(map(str, floor))) is (version >= floor)
