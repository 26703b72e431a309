"""The pure-Python BLAKE3 against the official test vectors."""

from __future__ import annotations

from aipack_compat.lua.ports.blake3 import _pure_blake3


def test_blake3_matches_the_official_test_vectors() -> None:
    # BLAKE3 test_vectors.json: input is bytes i % 251, default hash (first 32 bytes).
    vectors = {
        0: "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
        1024: "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7",
        2048: "e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a",
        3073: "7124b49501012f81cc7f11ca069ec9226cecb8a2c850cfe644e327d22d3e1cd3",
    }
    for length, expected in vectors.items():
        assert _pure_blake3(bytes(index % 251 for index in range(length))).hex() == expected
