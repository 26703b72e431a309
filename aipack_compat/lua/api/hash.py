"""aip.hash.* (0.7.12+, `A:src/script/aip_modules/aip_hash.rs@952ad06e`) and the file variants
`aip.file.hash_*` (`A:src/script/aip_modules/aip_file/file_hash.rs@952ad06e`).

Encodings as aip names them: plain = lowercase hex, `_b64` = standard Base64 with padding,
`_b64u` = URL-safe Base64 without padding, `_b58` (file variants: `_b58u`) = Base58 with the
Bitcoin alphabet (the `bs58` crate's default). String functions hash the UTF-8 bytes and return
nil for nil; file functions resolve the path like `aip.file.load` and read the raw bytes.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Callable

from aipack_compat.lua.api import ApiError, ApiFunction, ApiHost, expect_string, option_string
from aipack_compat.lua.api.blake3_hash import blake3_digest

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

_DIGESTS: dict[str, Callable[[bytes], bytes]] = {
    "sha256": lambda data: hashlib.sha256(data).digest(),
    "sha512": lambda data: hashlib.sha512(data).digest(),
    "blake3": blake3_digest,
}


def base58(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_B58_ALPHABET[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


_ENCODERS: dict[str, Callable[[bytes], str]] = {
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


def _file_hasher(qualified: str, digest: Callable[[bytes], bytes], encode: Callable[[bytes], str]) -> ApiFunction:
    def hash_file(host: ApiHost, path: Any = None) -> str:
        path = expect_string(path, qualified, "path")
        full_path = host.resolve(path)
        host.check_read(full_path)
        try:
            with open(full_path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise ApiError(f"{qualified} - Failed to hash file '{path}'.\nCause: {exc.strerror or exc}") from None
        return encode(digest(data))

    return ApiFunction(hash_file)


FUNCTIONS: dict[str, ApiFunction] = {
    f"{algorithm}{suffix}": _text_hasher(f"aip.hash.{algorithm}{suffix}", digest, encode)
    for algorithm, digest in _DIGESTS.items()
    for suffix, encode in _ENCODERS.items()
}

# aip.file.hash_* name the Base58 variant `_b58u` (file_hash.rs).
FILE_FUNCTIONS: dict[str, ApiFunction] = {
    f"hash_{algorithm}{'_b58u' if suffix == '_b58' else suffix}": _file_hasher(
        f"aip.file.hash_{algorithm}{'_b58u' if suffix == '_b58' else suffix}", digest, encode
    )
    for algorithm, digest in _DIGESTS.items()
    for suffix, encode in _ENCODERS.items()
}
