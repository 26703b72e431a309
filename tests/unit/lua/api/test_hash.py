"""aip.hash.*: encodings as aip names them, absent before 0.7.12."""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Callable

from aipack_compat.lua.ports.base58 import base58

Eval = Callable[..., Any]


def test_hash_encodings_as_aip_names_them(lua_eval: Eval) -> None:
    result = lua_eval(
        'return {aip.hash.sha256("héllo"), aip.hash.sha512_b64("héllo"), aip.hash.sha256_b64u("héllo"),'
        ' aip.hash.blake3("abc"), aip.hash.blake3_b58("abc"), aip.hash.sha256(nil) == nil}'
    )
    digest = hashlib.sha256("héllo".encode()).digest()
    assert result == [
        digest.hex(),
        base64.b64encode(hashlib.sha512("héllo".encode()).digest()).decode(),
        base64.urlsafe_b64encode(digest).decode().rstrip("="),
        "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85",
        base58(bytes.fromhex("6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85")),
        True,
    ]
    assert lua_eval("return aip.hash == nil", aip_version="0.7.11") is True
