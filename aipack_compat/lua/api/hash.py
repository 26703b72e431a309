"""aip.hash.* (0.7.12+, `A:src/script/aip_modules/aip_hash.rs@952ad06e`).

Encodings as aip names them: plain = lowercase hex, `_b64` = standard Base64 with padding,
`_b64u` = URL-safe Base64 without padding, `_b58` = Base58 with the Bitcoin alphabet (the `bs58`
crate's default). The functions hash the UTF-8 bytes and return nil for nil. `DIGESTS` and
`ENCODINGS` also serve the file variants (`api/file/hash.py`).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Callable

from aipack_compat.lua.api.host import ApiFunction, ApiHost, option_string
from aipack_compat.lua.ports.base58 import base58
from aipack_compat.lua.ports.blake3 import blake3_digest

DIGESTS: dict[str, Callable[[bytes], bytes]] = {
    "sha256": lambda data: hashlib.sha256(data).digest(),
    "sha512": lambda data: hashlib.sha512(data).digest(),
    "blake3": blake3_digest,
}

ENCODINGS: dict[str, Callable[[bytes], str]] = {
    "": lambda digest: digest.hex(),
    "_b64": lambda digest: base64.b64encode(digest).decode("ascii"),
    "_b64u": lambda digest: base64.urlsafe_b64encode(digest).decode("ascii").rstrip("="),
    "_b58": base58,
}


def _text_hasher(qualified: str, digest: Callable[[bytes], bytes], encode: Callable[[bytes], str]) -> ApiFunction:
    def hash_text(host: ApiHost, value: Any = None) -> str | None:
        text = option_string(value, qualified)
        return None if text is None else encode(digest(text.encode("utf-8")))

    return ApiFunction(hash_text)


FUNCTIONS: dict[str, ApiFunction] = {
    f"{algorithm}{suffix}": _text_hasher(f"aip.hash.{algorithm}{suffix}", digest, encode)
    for algorithm, digest in DIGESTS.items()
    for suffix, encode in ENCODINGS.items()
}
