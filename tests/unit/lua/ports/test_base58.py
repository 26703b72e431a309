"""Base58 (Bitcoin alphabet) round-trips."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.lua.ports.base58 import base58


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=64))
def test_base58_round_trips(data: bytes) -> None:
    text = base58(data)
    number = 0
    for char in text.lstrip("1"):
        number = number * 58 + "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".index(char)
    decoded = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    assert b"\0" * (len(text) - len(text.lstrip("1"))) + decoded == data
